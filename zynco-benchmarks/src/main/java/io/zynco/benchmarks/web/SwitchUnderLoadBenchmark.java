package io.zynco.benchmarks.web;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;


import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.HdrHistogram.Histogram;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicatedState;
import io.zynco.spring.ZyncoState;
import io.zynco.spring.ZyncoViews;
import io.zynco.state.ChangeSet;
import io.zynco.state.Codec;
import io.zynco.state.Snapshot;
import io.zynco.state.StateType;
import io.zynco.state.StateView;
import io.zynco.state.Yield;

/**
 * Switch under load (issue 4): a single-node Spring Boot service on 127.0.0.1 serves a
 * constant open-loop load of {@code --rate} requests per second while its state "fares"
 * ({@code --entries} entries, indexed by a {@code @ZyncoState} bean) switches
 * {@code --switches} times, each switch a publish of a 1% change.
 * <p>
 * The load comes from {@link LoadClient}, a second JVM (Epsilon GC: it never pauses) started
 * by this one on the same host: request {@code i} has the intended send time
 * {@code start + i / rate} on the host's monotonic clock, which both processes share, and its
 * latency is measured from that time (coordinated-omission correction: if the generator
 * itself falls behind, that delay counts too). A request whose lifetime [intended send,
 * response] overlaps a switch window [publish call, publish completed + 50 ms] is recorded in
 * the "during switches" histogram, every other measured request in "steady"; "control
 * windows" are as long as the switch windows and halfway between switches, to compare with
 * requests that met the same host but no switch. Every response
 * is checked: status 200, a {@code Zynco-Versions} header, a body whose key is the one asked
 * for, whose version is the header's and whose value is the one that version holds for the
 * key. The index bean is built incrementally by default ({@code --index incremental}; also
 * {@code copy}, {@code view}, see {@link IndexMode}).
 * <p>
 * Run: {@code java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp zynco-benchmarks/target/benchmarks.jar
 * io.zynco.benchmarks.web.SwitchUnderLoadBenchmark [--rate 1000] [--entries 200000]
 * [--switches 20] [--spacing-ms 1500] [--steady-s 20] [--warmup-s 60] [--warmup-switches 300]
 * [--index incremental] [--jvm-threads false]}
 * (the server's JVM options are this JVM's; the client's are {@link #CLIENT_JVM_OPTIONS};
 * {@code --jvm-threads true} sets {@code zynco.scheduling.jvm-threads}). The report lists the
 * server's safepoint pauses of 1 ms or more (from JFR: every GC pause, G1's remark and
 * cleanup included, and every other VM operation), and those that fell into switch windows.
 */
public final class SwitchUnderLoadBenchmark {

	static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8());

	/** Keys changed by a publish: 1% of the keys, those with {@code j % 100 == (step - 1) % 100}. */
	static final int STEP_MODULUS = 100;

	private static final long WINDOW_TAIL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final double TARGET_P99_DELTA_MS = 1.0;

	private static final double TARGET_MAX_MS = 8.0;

	/** Requests during switches at least this slow are located in their window (a diagnostic). */
	private static final long SLOW_MICROS = 2_000;

	/**
	 * The load client's JVM: Epsilon (no collector, so no GC pause ever stops the generator;
	 * it allocates well under the heap in a bounded run) with its heap pre-touched.
	 */
	static final List<String> CLIENT_JVM_OPTIONS = List.of("-XX:+UnlockExperimentalVMOptions", "-XX:+UseEpsilonGC",
			"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-Xss256k");

	private SwitchUnderLoadBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = parse(args);
		int rate = Integer.parseInt(options.getOrDefault("rate", "1000"));
		int entries = Integer.parseInt(options.getOrDefault("entries", "200000"));
		int switches = Integer.parseInt(options.getOrDefault("switches", "20"));
		long spacingMs = Long.parseLong(options.getOrDefault("spacing-ms", "1500"));
		long steadyS = Long.parseLong(options.getOrDefault("steady-s", "20"));
		// the warm-up reaches the steady state of a long-running service: the JIT has compiled the
		// switch path, the index's rare full folds (about every 25 switches), which take a
		// compiler thread tens of milliseconds the first times, and Spring's creation of a
		// scoped bean (once per switch, so its methods reach C2 only after a few hundred
		// switches: after 60, C2 still took up to 330 ms in the 20 measured windows; after
		// 300, 0-20 ms, as in windows without a switch; the report's "JIT in" lines show it)
		long warmupS = Long.parseLong(options.getOrDefault("warmup-s", "60"));
		int warmupSwitchCount = Integer.parseInt(options.getOrDefault("warmup-switches", "300"));
		String index = options.getOrDefault("index", "incremental");
		IndexMode.valueOf(index.toUpperCase(Locale.ROOT));
		// zynco.scheduling.jvm-threads: the JVM's compiler and concurrent GC threads get the background slice
		boolean jvmThreads = Boolean.parseBoolean(options.getOrDefault("jvm-threads", "false"));
		if (rate < 1 || rate > 5000 || entries < STEP_MODULUS || entries > 2_000_000 || switches < 1 || switches > 99
				|| spacingMs < 200 || spacingMs > 10_000 || steadyS < 1 || steadyS > 300 || warmupS < 0 || warmupS > 120
				|| warmupSwitchCount < 0 || warmupSwitchCount > 1000) {
			throw new IllegalArgumentException("out of bounds: rate 1..5000, entries 100..2000000, switches 1..99, "
					+ "spacing-ms 200..10000, steady-s 1..300, warmup-s 0..120, warmup-switches 0..1000");
		}
		String loadBefore = loadAverage();
		System.out.printf(Locale.ROOT, "switch under load: rate %d req/s, %,d entries, %d switches every %d ms, "
				+ "%d s steady, %d s warm-up, index %s; load average before: %s%n", rate, entries, switches, spacingMs,
				steadyS, warmupS, index, loadBefore);
		System.out.println("scheduling: " + Yield.backgroundStatus() + "; JVM threads too: " + jvmThreads);
		System.out.printf(Locale.ROOT, "server JVM: %s %s, %s, heap max %d MB; flags %s%n",
				System.getProperty("java.vm.name"), System.getProperty("java.version"), gcNames(),
				Runtime.getRuntime().maxMemory() >> 20, ManagementFactory.getRuntimeMXBean().getInputArguments());
		JvmPauses pauses = new JvmPauses();

		ConfigurableApplicationContext context = new SpringApplicationBuilder(FareService.class)
			.web(WebApplicationType.SERVLET)
			.logStartupInfo(false)
			.properties("server.address=127.0.0.1", "server.port=0", "spring.main.banner-mode=off",
					"logging.level.root=WARN", "spring.application.name=switch-under-load",
					"zynco.control.bind-address=127.0.0.1", "zynco.transfer.mode=unicast",
					"zynco.switching.prepare-timeout=10s", "server.tomcat.threads.max=64", "bench.index=" + index,
					"zynco.scheduling.jvm-threads=" + jvmThreads)
			.run();
		try {
			int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
			ZyncoViews views = context.getBean(ZyncoViews.class);
			ReplicatedState<String, String> fares = views.state(FARES);
			Map<Long, Integer> stepOfVersion = new ConcurrentHashMap<>();
			long t0 = System.nanoTime();
			long v0 = fares.publish((edit) -> {
				for (int j = 0; j < entries; j++) {
					edit.put(key(j), value(j, 0));
				}
			}).get(120, TimeUnit.SECONDS);
			stepOfVersion.put(v0, 0);
			System.out.printf(Locale.ROOT, "node on 127.0.0.1:%d, fares@%d loaded in %.2f s%n", port, v0,
					(System.nanoTime() - t0) / 1e9);

			Run run = new Run(port, rate, entries, fares, stepOfVersion);
			// Warm-up: same load, --warmup-switches switches in its first two thirds, nothing recorded.
			long warmupNanos = TimeUnit.SECONDS.toNanos(warmupS);
			long steadyNanos = TimeUnit.SECONDS.toNanos(steadyS);
			long spacingNanos = TimeUnit.MILLISECONDS.toNanos(spacingMs);
			List<Long> switchAt = new ArrayList<>();
			if (warmupS >= 3) {
				// spread evenly over the warm-up, ending a third of it (at least) before the measured part
				for (int k = 1; k <= warmupSwitchCount; k++) {
					switchAt.add(2 * warmupNanos * k / (3 * warmupSwitchCount));
				}
			}
			int warmupSwitches = switchAt.size();
			for (int k = 0; k < switches; k++) {
				switchAt.add(warmupNanos + steadyNanos + k * spacingNanos);
			}
			long total = warmupNanos + steadyNanos + switches * spacingNanos + TimeUnit.SECONDS.toNanos(3);
			run.execute(total, switchAt);
			pauses.close();
			run.report(warmupNanos, warmupSwitches, pauses);
			List<Long> builds = new ArrayList<>(context.getBean(FareIndexes.class).buildMicros);
			if (builds.size() > 1) {
				List<Long> measured = new ArrayList<>(builds.subList(Math.max(1, builds.size() - switches), builds.size()));
				java.util.Collections.sort(measured);
				System.out.printf(Locale.ROOT, "index builds (%s, measured switches): min %.1f ms, median %.1f ms, "
						+ "max %.1f ms%n", index, measured.get(0) / 1e3, measured.get(measured.size() / 2) / 1e3,
						measured.get(measured.size() - 1) / 1e3);
				StringBuilder all = new StringBuilder();
				builds.forEach((micros) -> all.append(String.format(Locale.ROOT, " %.1f", micros / 1e3)));
				System.out.println("index builds in order (ms):" + all);
			}
		}
		finally {
			context.close();
		}
		System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
	}

	static String key(int j) {
		return "r" + j;
	}

	/** The value of key j after publish {@code step}: it names the last step that changed it. */
	static String value(int j, int step) {
		return j + ":" + step;
	}

	/** The last step up to {@code step} that changed key j (0: the initial load). */
	static int lastStep(int j, int step) {
		int first = j % STEP_MODULUS + 1;
		if (first > step) {
			return 0;
		}
		return first + (step - first) / STEP_MODULUS * STEP_MODULUS;
	}

	/** One load run: the request schedule, the switches, and the raw record of every request. */
	static final class Run {

		private final int port;

		private final int rate;

		private final int entries;

		private final ReplicatedState<String, String> fares;

		private final Map<Long, Integer> stepOfVersion;

		private long start;

		private int count;

		private int[] keys;

		private long[] done;

		private long[] lateness;

		private long[] headerVersion;

		private long[] bodyVersion;

		private int[] bodyStep;

		private String[] failure;

		private long[] switchStart;

		private long[] switchEnd;

		private long[] switchVersion;

		Run(int port, int rate, int entries, ReplicatedState<String, String> fares, Map<Long, Integer> stepOfVersion) {
			this.port = port;
			this.rate = rate;
			this.entries = entries;
			this.fares = fares;
			this.stepOfVersion = stepOfVersion;
		}

		long intended(int i) {
			return this.start + i * 1_000_000_000L / this.rate;
		}

		void execute(long totalNanos, List<Long> switchAt) throws Exception {
			this.count = (int) (totalNanos * this.rate / 1_000_000_000L);
			this.keys = new int[this.count];
			this.done = new long[this.count];
			this.lateness = new long[this.count];
			this.headerVersion = new long[this.count];
			this.bodyVersion = new long[this.count];
			this.bodyStep = new int[this.count];
			this.failure = new String[this.count];
			this.switchStart = new long[switchAt.size()];
			this.switchEnd = new long[switchAt.size()];
			this.switchVersion = new long[switchAt.size()];
			SplittableRandom random = new SplittableRandom(42);
			for (int i = 0; i < this.count; i++) {
				// half the requests read keys that the run's publishes change
				this.keys[i] = random.nextBoolean()
						? random.nextInt(this.entries / STEP_MODULUS) * STEP_MODULUS
								+ random.nextInt(Math.min(switchAt.size(), STEP_MODULUS))
						: random.nextInt(this.entries);
			}
			Path dir = Files.createTempDirectory("switch-under-load");
			Path keysFile = dir.resolve("keys.bin");
			Path results = dir.resolve("results.bin");
			try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(keysFile)))) {
				for (int key : this.keys) {
					out.writeInt(key);
				}
			}
			// the client JVM starts, pre-touches its heap and connects before the clock starts
			this.start = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
			long maxSeconds = TimeUnit.NANOSECONDS.toSeconds(totalNanos) + 10;
			List<String> command = new ArrayList<>();
			command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
			command.addAll(CLIENT_JVM_OPTIONS);
			command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadClient.class.getName(), "--port",
					Integer.toString(this.port), "--rate", Integer.toString(this.rate), "--count",
					Integer.toString(this.count), "--start-nanos", Long.toString(this.start), "--max-seconds",
					Long.toString(maxSeconds), "--keys", keysFile.toString(), "--out", results.toString()));
			Process client = new ProcessBuilder(command).inheritIO().start();
			Thread switcher = new Thread(() -> switches(switchAt), "switcher");
			switcher.setDaemon(true);
			switcher.start();
			try {
				if (!client.waitFor(maxSeconds + 40, TimeUnit.SECONDS)) {
					throw new IllegalStateException("the load client did not finish in time");
				}
				if (client.exitValue() != 0) {
					throw new IllegalStateException("the load client failed: exit " + client.exitValue());
				}
			}
			finally {
				client.destroyForcibly();
			}
			switcher.join(TimeUnit.SECONDS.toMillis(60));
			read(results);
			Files.deleteIfExists(keysFile);
			Files.deleteIfExists(results);
			Files.deleteIfExists(dir);
		}

		private void read(Path results) throws IOException {
			try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(results)))) {
				if (in.readInt() != this.count) {
					throw new IllegalStateException("the client wrote another number of requests");
				}
				for (int i = 0; i < this.count; i++) {
					this.done[i] = in.readLong();
					this.lateness[i] = in.readLong();
					byte failure = in.readByte();
					int status = in.readInt();
					this.headerVersion[i] = in.readLong();
					this.bodyVersion[i] = in.readLong();
					int bodyKey = in.readInt();
					this.bodyStep[i] = in.readInt();
					if (failure == LoadClient.IO_ERROR) {
						this.failure[i] = "I/O error or timeout";
					}
					else if (failure == LoadClient.NOT_SENT) {
						this.failure[i] = "not sent before the client's deadline";
					}
					else if (status != 200) {
						this.failure[i] = "status " + status;
					}
					else if (failure == LoadClient.MALFORMED || this.headerVersion[i] < 0) {
						this.failure[i] = "malformed response (header version " + this.headerVersion[i] + ")";
					}
					else if (bodyKey != this.keys[i]) {
						this.failure[i] = "body of key " + bodyKey + " for key " + this.keys[i];
					}
				}
			}
		}

		private void switches(List<Long> switchAt) {
			// the application's publishing thread is background work, as Zynco's own threads are
			Yield.backgroundThread();
			for (int k = 0; k < switchAt.size(); k++) {
				long at = this.start + switchAt.get(k);
				long now;
				while ((now = System.nanoTime()) < at) {
					LockSupport.parkNanos(at - now);
				}
				int step = k + 1;
				int residue = (step - 1) % STEP_MODULUS;
				this.switchStart[k] = System.nanoTime();
				try {
					long version = this.fares.publish((edit) -> {
						for (int j = residue; j < this.entries; j += STEP_MODULUS) {
							edit.put(key(j), value(j, step));
						}
					}).get(30, TimeUnit.SECONDS);
					this.switchEnd[k] = System.nanoTime();
					this.switchVersion[k] = version;
					this.stepOfVersion.put(version, step);
				}
				catch (Exception ex) {
					this.switchEnd[k] = System.nanoTime();
					System.out.println("switch " + step + " failed: " + ex);
				}
			}
		}

		void report(long warmupNanos, int warmupSwitches, JvmPauses pauses) {
			long measureFrom = this.start + warmupNanos;
			Histogram steady = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			Histogram during = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			// steady requests answered before the first measured switch started: no switch's garbage yet
			Histogram beforeSwitches = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			long firstSwitch = this.switchStart.length > warmupSwitches ? this.switchStart[warmupSwitches]
					: Long.MAX_VALUE;
			// control windows: as long as each switch window, halfway to the next switch; a request
			// in one meets the same host as one during a switch, but no switch
			Histogram control = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			// how late the generator sent the requests of each kind: its share of their latency
			Histogram lateSteady = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			Histogram lateDuring = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			int switchCount = this.switchStart.length;
			// a switch window: [publish called, publish completed + the tail]
			long[] windowEnd = new long[switchCount];
			long[] controlStart = new long[switchCount];
			long[] controlEnd = new long[switchCount];
			for (int k = warmupSwitches; k < switchCount; k++) {
				windowEnd[k] = this.switchEnd[k] + WINDOW_TAIL_NANOS;
				long length = windowEnd[k] - this.switchStart[k];
				long gap = (k + 1 < switchCount) ? this.switchStart[k + 1] - this.switchStart[k]
						: (k > warmupSwitches) ? this.switchStart[k] - this.switchStart[k - 1] : 2 * length;
				long center = this.switchStart[k] + gap / 2;
				controlStart[k] = center - length / 2;
				controlEnd[k] = center + length / 2;
			}
			int measured = 0;
			int errors = 0;
			int inconsistent = 0;
			int errorsDuring = 0;
			long maxLateness = 0;
			Map<String, Integer> examples = new HashMap<>();
			Map<Long, Integer> slowOffsets = new TreeMap<>();
			Map<String, Integer> slowPhases = new TreeMap<>();
			Map<Integer, Integer> slowBySwitch = new TreeMap<>();
			for (int i = 0; i < this.count; i++) {
				long sent = intended(i);
				if (sent < measureFrom) {
					continue;
				}
				measured++;
				maxLateness = Math.max(maxLateness, this.lateness[i]);
				long end = this.done[i] == 0 ? sent + TimeUnit.SECONDS.toNanos(30) : this.done[i];
				int overlapped = -1;
				for (int k = warmupSwitches; k < this.switchStart.length; k++) {
					if (sent <= windowEnd[k] && end >= this.switchStart[k]) {
						overlapped = k;
						break;
					}
				}
				boolean overlaps = overlapped >= 0;
				String problem = this.failure[i];
				if (problem == null && this.done[i] == 0) {
					problem = "no response";
				}
				if (problem == null) {
					Integer step = this.stepOfVersion.get(this.headerVersion[i]);
					if (this.bodyVersion[i] != this.headerVersion[i]) {
						problem = "body version " + this.bodyVersion[i] + " != header version " + this.headerVersion[i];
					}
					else if (step == null) {
						problem = "unknown version " + this.headerVersion[i];
					}
					else if (this.bodyStep[i] != lastStep(this.keys[i], step)) {
						problem = "value of step " + this.bodyStep[i] + " but version " + this.headerVersion[i]
								+ " holds step " + lastStep(this.keys[i], step);
					}
					if (problem != null) {
						inconsistent++;
					}
				}
				if (problem != null) {
					errors++;
					if (overlaps) {
						errorsDuring++;
					}
					examples.merge(problem.length() > 120 ? problem.substring(0, 120) : problem, 1, Integer::sum);
					continue;
				}
				long micros = Math.max(1, (end - sent) / 1000);
				long value = Math.min(micros, steady.getHighestTrackableValue());
				(overlaps ? during : steady).recordValue(value);
				if (overlaps && micros >= SLOW_MICROS) {
					// where the slow requests of a switch window sit: sent how long after the publish
					// call, relative to how long the publish took
					long offset = (sent - this.switchStart[overlapped]) / 1_000_000;
					slowOffsets.merge(offset, 1, Integer::sum);
					slowBySwitch.merge(overlapped - warmupSwitches + 1, 1, Integer::sum);
					long took = Math.max(1, (this.switchEnd[overlapped] - this.switchStart[overlapped]) / 1_000_000);
					slowPhases.merge((sent < this.switchStart[overlapped]) ? "sent before the publish call"
							: (sent <= this.switchEnd[overlapped]) ? "sent while publishing (" + took + " ms)"
									: "sent in the 50 ms after the switch", 1, Integer::sum);
				}
				(overlaps ? lateDuring : lateSteady).recordValue(Math.max(1, Math.min(this.lateness[i] / 1000,
						lateSteady.getHighestTrackableValue())));
				if (!overlaps) {
					for (int k = warmupSwitches; k < switchCount; k++) {
						if (sent <= controlEnd[k] && end >= controlStart[k]) {
							control.recordValue(value);
							break;
						}
					}
				}
				if (end < firstSwitch) {
					beforeSwitches.recordValue(value);
				}
			}
			long[] switchMillis = new long[this.switchStart.length - warmupSwitches];
			for (int k = warmupSwitches; k < this.switchStart.length; k++) {
				switchMillis[k - warmupSwitches] = (this.switchEnd[k] - this.switchStart[k]) / 1_000_000;
			}
			Arrays.sort(switchMillis);

			System.out.printf(Locale.ROOT, "%nmeasured requests: %,d (of %,d sent); generator: max send lateness %.3f ms, "
					+ "max outstanding %d%n", measured, this.count, maxLateness / 1e6, maxOutstanding());
			System.out.printf(Locale.ROOT, "switches: %d measured, publish → switched: min %d ms, median %d ms, max %d ms; "
					+ "versions %d..%d%n", switchMillis.length, switchMillis[0], switchMillis[switchMillis.length / 2],
					switchMillis[switchMillis.length - 1], this.switchVersion[warmupSwitches],
					this.switchVersion[this.switchVersion.length - 1]);
			long measureEnd = intended(this.count - 1) + TimeUnit.SECONDS.toNanos(1);
			System.out.printf(Locale.ROOT, "server safepoint pauses (GC and other VM operations, and waits to reach "
					+ "a safepoint) in the measured part: %s%n",
					pauses.summary(measureFrom, measureEnd));
			System.out.printf(Locale.ROOT, "monitor waits of 1 ms or more in the measured part: %s%n",
					pauses.monitorWaits(measureFrom, measureEnd));
			// JIT work that a switch triggers: code that runs once per switch reaches C2 only after
			// many switches; until then each switch may compile some (a core busy for milliseconds)
			System.out.printf(Locale.ROOT, "JIT in switch windows: %s%n", pauses.jitIn(this.switchStart, windowEnd,
					warmupSwitches));
			System.out.printf(Locale.ROOT, "JIT in control windows: %s%n", pauses.jitIn(controlStart, controlEnd,
					warmupSwitches));
			System.out.printf(Locale.ROOT, "JIT in the steady part before the first measured switch (%.0f s): %s%n%n",
					(firstSwitch - measureFrom) / 1e9,
					pauses.jitIn(new long[] { measureFrom }, new long[] { firstSwitch }, 0));
			System.out.println("| window | requests | p50 | p99 | p99.9 | max | errors |");
			System.out.println("|---|---|---|---|---|---|---|");
			row("steady (not overlapping a switch window)", steady, errors - errorsDuring);
			row("of which before the first switch", beforeSwitches, -1);
			row("of which in control windows (between switches)", control, -1);
			row("during switches", during, errorsDuring);
			double p99Delta = ms(during.getValueAtPercentile(99)) - ms(steady.getValueAtPercentile(99));
			double max = ms(during.getMaxValue());
			System.out.printf(Locale.ROOT, "%ntargets: p99 during − steady = %+.3f ms (≤ %.0f ms): %s; "
					+ "max during switches %.3f ms (≤ %.0f ms): %s; errors %d (%d inconsistent) (0): %s%n", p99Delta,
					TARGET_P99_DELTA_MS, p99Delta <= TARGET_P99_DELTA_MS ? "PASS" : "MISS", max, TARGET_MAX_MS,
					max <= TARGET_MAX_MS ? "PASS" : "MISS", errors, inconsistent, errors == 0 ? "PASS" : "MISS");
			System.out.printf(Locale.ROOT, "for comparison under the same host: p99 during − control windows = %+.3f ms, "
					+ "max during − control = %+.3f ms%n", ms(during.getValueAtPercentile(99))
							- ms(control.getValueAtPercentile(99)), max - ms(control.getMaxValue()));
			System.out.printf(Locale.ROOT, "generator's own lateness (part of the latencies above): steady p99 %.3f ms, "
					+ "max %.3f ms; during switches p99 %.3f ms, max %.3f ms%n", ms(lateSteady.getValueAtPercentile(99)),
					ms(lateSteady.getMaxValue()), ms(lateDuring.getValueAtPercentile(99)), ms(lateDuring.getMaxValue()));
			if (maxLateness > TimeUnit.MILLISECONDS.toNanos(10)) {
				System.out.printf(Locale.ROOT, "caution: the load generator itself sent up to %.1f ms late: the host "
						+ "withheld CPU, so the tails above are the host's as much as the service's%n", maxLateness / 1e6);
			}
			if (!slowOffsets.isEmpty()) {
				StringBuilder offsets = new StringBuilder();
				slowOffsets.forEach((ms, n) -> offsets.append(' ').append(ms).append(':').append(n));
				System.out.printf(Locale.ROOT, "requests during switches slower than %.1f ms: %s; by send time after "
						+ "the publish call (ms:count):%s; by measured switch (switch:count): %s%n", SLOW_MICROS / 1e3,
						slowPhases, offsets, slowBySwitch);
				System.out.println("safepoint pauses of 2 ms or more, and monitor waits of 1 ms or more, in switch windows "
						+ "(switch=[pauses]): "
						+ pauses.inWindows(this.switchStart, windowEnd, warmupSwitches));
				StringBuilder at = new StringBuilder();
				slowBySwitch.keySet().forEach((k) -> at.append(String.format(Locale.ROOT, " %d: %.0f ms..%.0f ms (%.6f s)",
						k, pauses.uptimeMillis(this.switchStart[warmupSwitches + k - 1]),
						pauses.uptimeMillis(this.switchEnd[warmupSwitches + k - 1]),
						this.switchStart[warmupSwitches + k - 1] / 1e9)));
				System.out.println("those switches on the JVM's uptime clock (as in -Xlog:...:uptime and "
						+ "-XX:+PrintCompilation), and in parentheses their start on the monotonic clock (as in perf "
						+ "-k CLOCK_MONOTONIC):" + at);
			}
			examples.forEach((problem, n) -> System.out.println("  error x" + n + ": " + problem));
		}

		/** Most requests outstanding at once (intended send passed, response not yet complete). */
		private int maxOutstanding() {
			long[] ends = this.done.clone();
			Arrays.sort(ends);
			int max = 0;
			int finished = 0;
			for (int i = 0; i < this.count; i++) {
				long sent = intended(i);
				while (finished < ends.length && ends[finished] <= sent) {
					finished++;
				}
				max = Math.max(max, i + 1 - finished);
			}
			return max;
		}

		private static void row(String name, Histogram histogram, int errors) {
			System.out.printf(Locale.ROOT, "| %s | %,d | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %s |%n", name,
					histogram.getTotalCount(), ms(histogram.getValueAtPercentile(50)),
					ms(histogram.getValueAtPercentile(99)), ms(histogram.getValueAtPercentile(99.9)),
					ms(histogram.getMaxValue()), errors < 0 ? "" : Integer.toString(errors));
		}

		private static double ms(long micros) {
			return micros / 1000.0;
		}

	}

	private static Map<String, String> parse(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (int i = 0; i < args.length; i++) {
			if (!args[i].startsWith("--") || i + 1 >= args.length) {
				throw new IllegalArgumentException("usage: [--rate n] [--entries n] [--switches n] [--spacing-ms n] "
						+ "[--steady-s n] [--warmup-s n] [--warmup-switches n] [--index incremental|copy|view]");
			}
			options.put(args[i].substring(2), args[++i]);
		}
		return options;
	}

	private static String gcNames() {
		List<String> names = new ArrayList<>();
		ManagementFactory.getGarbageCollectorMXBeans().forEach((gc) -> names.add(gc.getName()));
		return String.join(", ", names);
	}

	/**
	 * The server JVM's stop-the-world pauses of 1 ms or more, from JFR as they happen: every
	 * VM operation run at a safepoint (a GC pause of any kind, G1's remark and cleanup
	 * included, which JDK 17's GC MXBeans do not report; a deoptimization; a code-cache
	 * cleanup) and every wait for threads to reach a safepoint; and, apart from those, every
	 * monitor wait of 1 ms or more (a pause of one thread). Each is kept with its start on the
	 * {@link System#nanoTime()} clock, its length and its name.
	 */
	static final class JvmPauses implements AutoCloseable {

		private final long nanosAtUptimeZero = System.nanoTime()
				- TimeUnit.MILLISECONDS.toNanos(ManagementFactory.getRuntimeMXBean().getUptime());

		/** System.nanoTime() minus the wall clock in nanoseconds, to place JFR's instants. */
		private final long nanoOffset;

		private final List<Pause> pauses = java.util.Collections.synchronizedList(new ArrayList<>());

		private final RecordingStream stream = new RecordingStream();

		/** Every JIT compilation and deoptimization: per-switch code compiled late costs a core. */
		private final List<Jit> jit = java.util.Collections.synchronizedList(new ArrayList<>());

		record Pause(long startNanos, long micros, String what, boolean monitorWait) {
		}

		/** A compilation (tier 1-4; its length) or a deoptimization (tier -1, length 0). */
		record Jit(long startNanos, long micros, int tier, String method) {
		}

		JvmPauses() {
			java.time.Instant now = java.time.Instant.now();
			this.nanoOffset = System.nanoTime() - (now.getEpochSecond() * 1_000_000_000L + now.getNano());
			this.stream.enable("jdk.ExecuteVMOperation").withThreshold(java.time.Duration.ofMillis(1));
			this.stream.enable("jdk.SafepointStateSynchronization").withThreshold(java.time.Duration.ofMillis(1));
			this.stream.onEvent("jdk.ExecuteVMOperation", (event) -> {
				if (event.getBoolean("safepoint")) {
					add(event, event.getString("operation"), false);
				}
			});
			this.stream.onEvent("jdk.SafepointStateSynchronization", (event) -> add(event, "time to safepoint", false));
			// not a pause of the JVM, but of one thread: a request waiting for a monitor another holds
			this.stream.enable("jdk.JavaMonitorEnter").withThreshold(java.time.Duration.ofMillis(1)).withStackTrace();
			this.stream.onEvent("jdk.JavaMonitorEnter", (event) -> {
				RecordedClass monitor = event.getClass("monitorClass");
				add(event, "monitor wait on " + ((monitor != null) ? monitor.getName() : "?") + " by "
						+ ((event.getThread() != null) ? event.getThread().getJavaName() : "?") + " in "
						+ topFrames(event, 3), true);
			});
			this.stream.enable("jdk.Compilation").withThreshold(java.time.Duration.ZERO);
			this.stream.onEvent("jdk.Compilation", (event) -> this.jit.add(new Jit(nanos(event),
					event.getDuration().toNanos() / 1_000, event.getInt("compileLevel"), method(event))));
			this.stream.enable("jdk.Deoptimization");
			this.stream.onEvent("jdk.Deoptimization", (event) -> this.jit.add(new Jit(nanos(event), 0, -1,
					method(event) + " (" + event.getString("reason") + ")")));
			this.stream.startAsync();
		}

		private long nanos(RecordedEvent event) {
			java.time.Instant start = event.getStartTime();
			return start.getEpochSecond() * 1_000_000_000L + start.getNano() + this.nanoOffset;
		}

		private static String method(RecordedEvent event) {
			jdk.jfr.consumer.RecordedMethod method = event.getValue("method");
			return (method != null) ? method.getType().getName().replaceAll(".*\\.", "") + "." + method.getName() : "?";
		}

		/**
		 * JIT activity that started inside the given windows ([from[k], to[k]] for k from
		 * {@code first}): C2 and C1 compilations with their summed time, deoptimizations, and the
		 * methods C2 compiled most often there.
		 */
		String jitIn(long[] from, long[] to, int first) {
			int c2 = 0;
			int c1 = 0;
			int deopts = 0;
			long c2Micros = 0;
			long c1Micros = 0;
			Map<String, Integer> methods = new TreeMap<>();
			synchronized (this.jit) {
				for (Jit event : this.jit) {
					boolean inside = false;
					for (int k = first; k < from.length && !inside; k++) {
						inside = event.startNanos() >= from[k] && event.startNanos() <= to[k];
					}
					if (!inside) {
						continue;
					}
					if (event.tier() < 0) {
						deopts++;
					}
					else if (event.tier() == 4) {
						c2++;
						c2Micros += event.micros();
						methods.merge(event.method(), 1, Integer::sum);
					}
					else {
						c1++;
						c1Micros += event.micros();
					}
				}
			}
			return String.format(Locale.ROOT, "C2 %d (%.1f ms), C1 %d (%.1f ms), deoptimizations %d%s", c2, c2Micros / 1e3,
					c1, c1Micros / 1e3, deopts, methods.isEmpty() ? "" : "; C2 compiled " + methods);
		}

		private void add(RecordedEvent event, String what, boolean monitorWait) {
			this.pauses.add(new Pause(nanos(event), event.getDuration().toNanos() / 1_000, what, monitorWait));
		}

		private static String topFrames(RecordedEvent event, int count) {
			if (event.getStackTrace() == null) {
				return "?";
			}
			StringBuilder frames = new StringBuilder();
			for (RecordedFrame frame : event.getStackTrace().getFrames()) {
				if (frames.length() > 0) {
					frames.append(" < ");
				}
				frames.append(frame.getMethod().getType().getName().replaceAll(".*\\.", "")).append('.')
					.append(frame.getMethod().getName()).append(':').append(frame.getLineNumber());
				if (--count == 0) {
					break;
				}
			}
			return frames.toString();
		}

		/** JFR hands events over about once a second: waits for the last ones, then stops. */
		@Override
		public void close() throws InterruptedException {
			Thread.sleep(2_000);
			this.stream.close();
		}

		/** A {@link System#nanoTime()} value as milliseconds of JVM uptime. */
		double uptimeMillis(long nanos) {
			return (nanos - this.nanosAtUptimeZero) / 1e6;
		}

		/**
		 * The pauses of 2 ms or more that overlapped a measured switch's window ([starts[k],
		 * ends[k]], the tail included), by switch (1-based).
		 */
		Map<Integer, List<String>> inWindows(long[] starts, long[] ends, int first) {
			Map<Integer, List<String>> hit = new TreeMap<>();
			synchronized (this.pauses) {
				for (Pause pause : this.pauses) {
					if (pause.micros() < (pause.monitorWait() ? 1_000 : 2_000)) {
						continue;
					}
					long end = pause.startNanos() + pause.micros() * 1_000;
					for (int k = first; k < starts.length; k++) {
						if (pause.startNanos() <= ends[k] && end >= starts[k]) {
							hit.computeIfAbsent(k - first + 1, (x) -> new ArrayList<>())
								.add(String.format(Locale.ROOT, "%s %.1f ms", pause.what(), pause.micros() / 1e3));
						}
					}
				}
			}
			return hit;
		}

		/** Monitor waits of 1 ms or more in [from, to], counted by what was waited for. */
		Map<String, Integer> monitorWaits(long from, long to) {
			Map<String, Integer> waits = new TreeMap<>();
			synchronized (this.pauses) {
				for (Pause pause : this.pauses) {
					if (pause.startNanos() >= from && pause.startNanos() <= to && pause.monitorWait()) {
						waits.merge(pause.what().replaceAll(" by [^ ]* ", " "), 1, Integer::sum);
					}
				}
			}
			return waits;
		}

		String summary(long from, long to) {
			int count = 0;
			long total = 0;
			Pause longest = null;
			synchronized (this.pauses) {
				for (Pause pause : this.pauses) {
					if (pause.startNanos() >= from && pause.startNanos() <= to && !pause.monitorWait()) {
						count++;
						total += pause.micros();
						if (longest == null || pause.micros() > longest.micros()) {
							longest = pause;
						}
					}
				}
			}
			return String.format(Locale.ROOT, "%d of 1 ms or more, %.0f ms in total, longest %s", count, total / 1e3,
					(longest != null) ? String.format(Locale.ROOT, "%.1f ms (%s)", longest.micros() / 1e3, longest.what())
							: "-");
		}

	}

	private static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).trim();
		}
		catch (IOException ex) {
			return "n/a";
		}
	}

	/** The service: one state, an index built per version, a controller reading it. */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(FareController.class)
	public static class FareService {

		@Bean
		StateType<String, String> faresType() {
			return FARES;
		}

		@Bean
		FareIndexes fareIndexes(org.springframework.core.env.Environment environment) {
			return new FareIndexes(IndexMode.valueOf(
					environment.getProperty("bench.index", "incremental").toUpperCase(Locale.ROOT)));
		}

		@Bean
		@ZyncoState("fares")
		FareIndex fareIndex(StateView<String, String> fares, ClusterView view, FareIndexes indexes) {
			return indexes.build(fares, view.version("fares").number());
		}

	}

	/** How {@link FareIndexes} builds the index of a version. */
	enum IndexMode {

		/** Decodes every entry of the version into a new {@code HashMap} (the first version of this benchmark). */
		COPY,

		/**
		 * Builds on the previous instance: decodes only the entries that differ between the
		 * previous instance's snapshot and this one ({@link Snapshot#diff}, 1% here) into a
		 * small layer over the previous instance's layers and base, all shared (a change of
		 * more than a quarter of the entries, such as the initial load, is decoded in full). Every
		 * {@value FareIndexes#MAX_LAYERS} layers are merged into one (a copy of references, no
		 * decoding), and a merged layer of more than a quarter of the entries is folded into a
		 * new base.
		 */
		INCREMENTAL,

		/** No index: reads (and decodes) through the {@link StateView} on each call. */
		VIEW

	}

	/**
	 * Builds {@link FareIndex} instances the way a service with a derived index would: an
	 * ordinary singleton that remembers the last instance it built, so that each new version
	 * costs its changes, not its size. The scope calls it on the preparing worker thread,
	 * before the switch (and reuses the instance while "fares" does not change). Thread-safe.
	 */
	public static class FareIndexes {

		static final int MAX_LAYERS = 8;

		static final String REMOVED = new String("<removed>");

		private final IndexMode mode;

		private FareIndex last;

		/** Build times in microseconds, in order. */
		final List<Long> buildMicros = java.util.Collections.synchronizedList(new ArrayList<>());

		FareIndexes(IndexMode mode) {
			this.mode = mode;
		}

		synchronized FareIndex build(StateView<String, String> fares, long version) {
			long started = System.nanoTime();
			FareIndex index = doBuild(fares, version);
			this.last = index;
			this.buildMicros.add((System.nanoTime() - started) / 1000);
			return index;
		}

		private FareIndex doBuild(StateView<String, String> fares, long version) {
			if (this.mode == IndexMode.VIEW) {
				return new FareIndex(fares.snapshot(), null, List.of(), fares, version);
			}
			FareIndex previous = this.last;
			ChangeSet changes = (this.mode == IndexMode.COPY || previous == null) ? null
					: previous.snapshot.diff(fares.snapshot());
			if (changes == null || changes.size() > fares.size() / 4) {
				// the first version, or a change of more than a quarter of the entries: decode everything
				Map<String, String> all = new HashMap<>((int) Math.min(Integer.MAX_VALUE / 2, fares.size() * 4 / 3 + 16));
				fares.forEach(all::put);
				return new FareIndex(fares.snapshot(), all, List.of(), null, version);
			}
			Codec<String> codec = FARES.valueCodec();
			Map<String, String> layer = new HashMap<>(changes.size() * 4 / 3 + 16);
			changes.forEach((put, buffer, keyOffset, keyLength, valueOffset, valueLength) -> layer.put(
					codec.decode(buffer, keyOffset, keyLength),
					put ? codec.decode(buffer, valueOffset, valueLength) : REMOVED));
			if (previous.layers.size() < MAX_LAYERS) {
				List<Map<String, String>> layers = new ArrayList<>(previous.layers.size() + 1);
				layers.add(layer);
				layers.addAll(previous.layers);
				return new FareIndex(fares.snapshot(), previous.base, List.copyOf(layers), null, version);
			}
			// merge the layers, oldest first, into one
			int size = layer.size();
			for (Map<String, String> older : previous.layers) {
				size += older.size();
			}
			Map<String, String> merged = new HashMap<>(size * 4 / 3 + 16);
			for (int i = previous.layers.size() - 1; i >= 0; i--) {
				previous.layers.get(i).forEach((key, value) -> {
					Yield.point();
					merged.put(key, value);
				});
			}
			merged.putAll(layer);
			if (merged.size() <= previous.base.size() / 4) {
				return new FareIndex(fares.snapshot(), previous.base, List.of(merged), null, version);
			}
			// fold into a new base: a copy of references, with a yield point per entry (a copy of
			// 200,000 references takes tens of milliseconds: without them it would hold a core
			// that request threads need; see io.zynco.state.Yield)
			Map<String, String> base = new HashMap<>(previous.base.size() * 4 / 3 + 16);
			previous.base.forEach((key, value) -> {
				Yield.point();
				base.put(key, value);
			});
			merged.forEach((key, value) -> {
				Yield.point();
				if (value == REMOVED) {
					base.remove(key);
				}
				else {
					base.put(key, value);
				}
			});
			return new FareIndex(fares.snapshot(), base, List.of(), null, version);
		}

	}

	/**
	 * The index of one version of "fares": a base map and layers of changes over it, newest
	 * first, shared with the instances of other versions (or, in {@link IndexMode#VIEW}, the
	 * view itself). Immutable once built.
	 */
	public static class FareIndex {

		final Snapshot snapshot;

		final Map<String, String> base;

		final List<Map<String, String>> layers;

		private final StateView<String, String> view;

		private final long version;

		FareIndex(Snapshot snapshot, Map<String, String> base, List<Map<String, String>> layers,
				StateView<String, String> view, long version) {
			this.snapshot = snapshot;
			this.base = base;
			this.layers = layers;
			this.view = view;
			this.version = version;
		}

		public String fare(String key) {
			if (this.view != null) {
				return this.view.get(key);
			}
			for (int i = 0; i < this.layers.size(); i++) {
				String value = this.layers.get(i).get(key);
				if (value != null) {
					return (value == FareIndexes.REMOVED) ? null : value;
				}
			}
			return this.base.get(key);
		}

		public long version() {
			return this.version;
		}

	}

	/** Answers "<value>@<version of the index that served it>". */
	@RestController
	public static class FareController {

		private final FareIndex index;

		public FareController(FareIndex index) {
			this.index = index;
		}

		@GetMapping("/fare")
		public String fare(@RequestParam("key") int key) {
			// two calls through the scoped proxy: both must reach the request's pinned instance
			String value = this.index.fare(key(key));
			return value + "@" + this.index.version();
		}

	}

}
