package io.zynco.benchmarks.web;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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
import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

/**
 * Switch under load (issue 4): a single-node Spring Boot service on 127.0.0.1 serves a
 * constant open-loop load of {@code --rate} requests per second while its state "fares"
 * ({@code --entries} entries, indexed by a {@code @ZyncoState} bean) switches
 * {@code --switches} times, each switch a publish of a 1% change.
 * <p>
 * Every request has an intended send time (start + i / rate); a scheduler thread hands it to
 * an asynchronous {@link HttpClient} at that time, so a slow response never delays later
 * sends, and its latency is measured from the intended send time (coordinated-omission
 * correction: if the generator itself falls behind, that delay counts too). A request whose
 * lifetime [intended send, response] overlaps a switch window [publish call, publish
 * completed + 50 ms] is recorded in the "during switches" histogram, every other measured
 * request in "steady". Every response is checked: status 200, a {@code Zynco-Versions}
 * header, a body whose version is the header's and whose value is the one that version holds
 * for the key. Client and server share the JVM (and the host's two cores).
 * <p>
 * Run: {@code java -Xms1g -Xmx1g -cp zynco-benchmarks/target/benchmarks.jar
 * io.zynco.benchmarks.web.SwitchUnderLoadBenchmark [--rate 1000] [--entries 200000]
 * [--switches 20] [--spacing-ms 1500] [--steady-s 20] [--warmup-s 15]}
 */
public final class SwitchUnderLoadBenchmark {

	static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8());

	/** Keys changed by a publish: 1% of the keys, those with {@code j % 100 == (step - 1) % 100}. */
	static final int STEP_MODULUS = 100;

	private static final long WINDOW_TAIL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final double TARGET_P99_DELTA_MS = 1.0;

	private static final double TARGET_MAX_MS = 8.0;

	private SwitchUnderLoadBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = parse(args);
		int rate = Integer.parseInt(options.getOrDefault("rate", "1000"));
		int entries = Integer.parseInt(options.getOrDefault("entries", "200000"));
		int switches = Integer.parseInt(options.getOrDefault("switches", "20"));
		long spacingMs = Long.parseLong(options.getOrDefault("spacing-ms", "1500"));
		long steadyS = Long.parseLong(options.getOrDefault("steady-s", "20"));
		long warmupS = Long.parseLong(options.getOrDefault("warmup-s", "15"));
		if (rate < 1 || rate > 5000 || entries < STEP_MODULUS || entries > 2_000_000 || switches < 1 || switches > 99
				|| spacingMs < 200 || spacingMs > 10_000 || steadyS < 1 || steadyS > 300 || warmupS < 0 || warmupS > 120) {
			throw new IllegalArgumentException("out of bounds: rate 1..5000, entries 100..2000000, switches 1..99, "
					+ "spacing-ms 200..10000, steady-s 1..300, warmup-s 0..120");
		}
		String loadBefore = loadAverage();
		System.out.printf(Locale.ROOT, "switch under load: rate %d req/s, %,d entries, %d switches every %d ms, "
				+ "%d s steady, %d s warm-up; load average before: %s%n", rate, entries, switches, spacingMs, steadyS,
				warmupS, loadBefore);

		ConfigurableApplicationContext context = new SpringApplicationBuilder(FareService.class)
			.web(WebApplicationType.SERVLET)
			.logStartupInfo(false)
			.properties("server.address=127.0.0.1", "server.port=0", "spring.main.banner-mode=off",
					"logging.level.root=WARN", "spring.application.name=switch-under-load",
					"zynco.control.bind-address=127.0.0.1", "zynco.transfer.mode=unicast",
					"zynco.switching.prepare-timeout=10s", "server.tomcat.threads.max=64")
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
			// Warm-up: same load, two switches, nothing recorded.
			long warmupNanos = TimeUnit.SECONDS.toNanos(warmupS);
			long steadyNanos = TimeUnit.SECONDS.toNanos(steadyS);
			long spacingNanos = TimeUnit.MILLISECONDS.toNanos(spacingMs);
			List<Long> switchAt = new ArrayList<>();
			if (warmupS >= 3) {
				switchAt.add(warmupNanos / 3);
				switchAt.add(2 * warmupNanos / 3);
			}
			int warmupSwitches = switchAt.size();
			for (int k = 0; k < switches; k++) {
				switchAt.add(warmupNanos + steadyNanos + k * spacingNanos);
			}
			long total = warmupNanos + steadyNanos + switches * spacingNanos + TimeUnit.SECONDS.toNanos(3);
			List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
			long gcCount0 = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
			long gcTime0 = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
			run.execute(total, switchAt);
			long gcCount = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum() - gcCount0;
			long gcTime = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum() - gcTime0;
			run.report(warmupNanos, warmupSwitches, gcCount, gcTime);
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

		private final AtomicInteger inFlight = new AtomicInteger();

		private int maxInFlight;

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
						? random.nextInt(this.entries / STEP_MODULUS) * STEP_MODULUS + random.nextInt(switchAt.size())
						: random.nextInt(this.entries);
			}
			URI[] uris = new URI[this.count];
			for (int i = 0; i < this.count; i++) {
				uris[i] = URI.create("http://127.0.0.1:" + this.port + "/fare?key=" + this.keys[i]);
			}
			ExecutorService executor = Executors.newFixedThreadPool(4, (r) -> {
				Thread thread = new Thread(r, "load-client");
				thread.setDaemon(true);
				return thread;
			});
			HttpClient client = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(5))
				.executor(executor)
				.build();
			// open a few connections before the clock starts
			for (int i = 0; i < 8; i++) {
				client.send(HttpRequest.newBuilder(uris[i]).build(), HttpResponse.BodyHandlers.ofString());
			}
			this.start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
			Thread switcher = new Thread(() -> switches(switchAt), "switcher");
			switcher.setDaemon(true);
			switcher.start();
			CompletableFuture<?>[] pending = new CompletableFuture<?>[this.count];
			for (int i = 0; i < this.count; i++) {
				long at = intended(i);
				long now;
				while ((now = System.nanoTime()) < at) {
					LockSupport.parkNanos(at - now);
				}
				this.lateness[i] = now - at;
				int n = this.inFlight.incrementAndGet();
				if (n > this.maxInFlight) {
					this.maxInFlight = n;
				}
				int index = i;
				HttpRequest request = HttpRequest.newBuilder(uris[i]).timeout(Duration.ofSeconds(10)).build();
				pending[i] = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
					.whenComplete((response, error) -> complete(index, response, error));
			}
			for (CompletableFuture<?> future : pending) {
				try {
					future.get(30, TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					// recorded by complete(); a future that never completes stays done == 0
				}
			}
			switcher.join(TimeUnit.SECONDS.toMillis(60));
			executor.shutdown();
		}

		private void complete(int i, HttpResponse<String> response, Throwable error) {
			this.done[i] = System.nanoTime();
			this.inFlight.decrementAndGet();
			if (error != null) {
				this.failure[i] = "exception: " + error;
				return;
			}
			if (response.statusCode() != 200) {
				this.failure[i] = "status " + response.statusCode();
				return;
			}
			String header = response.headers().firstValue("Zynco-Versions").orElse("");
			String body = response.body();
			try {
				if (!header.startsWith("fares@")) {
					throw new IllegalArgumentException("header");
				}
				this.headerVersion[i] = Long.parseLong(header.substring("fares@".length()));
				// body: "<key>:<step>@<version>"
				int colon = body.indexOf(':');
				int at = body.indexOf('@');
				if (Integer.parseInt(body.substring(0, colon)) != this.keys[i]) {
					throw new IllegalArgumentException("key");
				}
				this.bodyStep[i] = Integer.parseInt(body.substring(colon + 1, at));
				this.bodyVersion[i] = Long.parseLong(body.substring(at + 1));
			}
			catch (RuntimeException ex) {
				this.failure[i] = "malformed: header '" + header + "', body '" + body + "'";
			}
		}

		private void switches(List<Long> switchAt) {
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

		void report(long warmupNanos, int warmupSwitches, long gcCount, long gcTimeMs) {
			long measureFrom = this.start + warmupNanos;
			Histogram steady = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			Histogram during = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			// steady requests answered before the first measured switch started: no switch's garbage yet
			Histogram beforeSwitches = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
			long firstSwitch = this.switchStart.length > warmupSwitches ? this.switchStart[warmupSwitches]
					: Long.MAX_VALUE;
			int measured = 0;
			int errors = 0;
			int inconsistent = 0;
			int errorsDuring = 0;
			long maxLateness = 0;
			Map<String, Integer> examples = new HashMap<>();
			for (int i = 0; i < this.count; i++) {
				long sent = intended(i);
				if (sent < measureFrom) {
					continue;
				}
				measured++;
				maxLateness = Math.max(maxLateness, this.lateness[i]);
				long end = this.done[i] == 0 ? sent + TimeUnit.SECONDS.toNanos(30) : this.done[i];
				boolean overlaps = false;
				for (int k = warmupSwitches; k < this.switchStart.length; k++) {
					if (sent <= this.switchEnd[k] + WINDOW_TAIL_NANOS && end >= this.switchStart[k]) {
						overlaps = true;
						break;
					}
				}
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
					+ "max in flight %d%n", measured, this.count, maxLateness / 1e6, this.maxInFlight);
			System.out.printf(Locale.ROOT, "switches: %d measured, publish → switched: min %d ms, median %d ms, max %d ms; "
					+ "versions %d..%d%n", switchMillis.length, switchMillis[0], switchMillis[switchMillis.length / 2],
					switchMillis[switchMillis.length - 1], this.switchVersion[warmupSwitches],
					this.switchVersion[this.switchVersion.length - 1]);
			System.out.printf(Locale.ROOT, "GC during the run (warm-up included): %d collections, %d ms%n%n", gcCount,
					gcTimeMs);
			System.out.println("| window | requests | p50 | p99 | p99.9 | max | errors |");
			System.out.println("|---|---|---|---|---|---|---|");
			row("steady (not overlapping a switch window)", steady, errors - errorsDuring);
			row("of which before the first switch", beforeSwitches, -1);
			row("during switches", during, errorsDuring);
			double p99Delta = ms(during.getValueAtPercentile(99)) - ms(steady.getValueAtPercentile(99));
			double max = ms(during.getMaxValue());
			System.out.printf(Locale.ROOT, "%ntargets: p99 during − steady = %+.3f ms (≤ %.0f ms): %s; "
					+ "max during switches %.3f ms (≤ %.0f ms): %s; errors %d (%d inconsistent) (0): %s%n", p99Delta,
					TARGET_P99_DELTA_MS, p99Delta <= TARGET_P99_DELTA_MS ? "PASS" : "MISS", max, TARGET_MAX_MS,
					max <= TARGET_MAX_MS ? "PASS" : "MISS", errors, inconsistent, errors == 0 ? "PASS" : "MISS");
			examples.forEach((problem, n) -> System.out.println("  error x" + n + ": " + problem));
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
						+ "[--steady-s n] [--warmup-s n]");
			}
			options.put(args[i].substring(2), args[++i]);
		}
		return options;
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
		@ZyncoState("fares")
		FareIndex fareIndex(StateView<String, String> fares, ClusterView view) {
			return new FareIndex(fares, view);
		}

	}

	/** An index built from one version of "fares" (a HashMap of every entry). */
	public static class FareIndex {

		private final Map<String, String> fares;

		private final long version;

		public FareIndex(StateView<String, String> fares, ClusterView view) {
			this.fares = new HashMap<>((int) Math.min(Integer.MAX_VALUE / 2, fares.size() * 4 / 3 + 16));
			fares.forEach(this.fares::put);
			this.version = view.version("fares").number();
		}

		public String fare(String key) {
			return this.fares.get(key);
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
