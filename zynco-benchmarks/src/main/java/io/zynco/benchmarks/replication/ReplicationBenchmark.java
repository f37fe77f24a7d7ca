package io.zynco.benchmarks.replication;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.zynco.protocol.DataPacket;
import io.zynco.state.Snapshot;

/**
 * End-to-end replication benchmark on one host: 1 sender and R receivers, each a
 * {@link NodeProcess} JVM on 127.0.0.1 (multicast on {@code lo}, TTL 0), transfer a snapshot
 * and then a delta; the same run measures a plain TCP fan-out of the same bytes
 * ({@link TcpFanout}) as the baseline, and prints per-receiver and aggregate throughput, CPU
 * seconds, the sender's bytes, NACKs, repairs, losses, a time breakdown and the targets; and,
 * for diagnosis, a TCP fan-out whose receivers also verify what they received as Zynco's do.
 *
 * <pre>
 * java -cp zynco-benchmarks/target/benchmarks.jar io.zynco.benchmarks.replication.ReplicationBenchmark \
 *     [--receivers 3] [--mib 512] [--delta-percent 1] [--reps 3] [--packet 60000] [--loss 0.01]
 *     [--sockbuf 16777216] [--rate-initial BYTES] [--rate-max BYTES] [--security AES_GCM|HMAC_SHA256|NONE]
 *     [--xmx 3g] [--warmup-mib 16] [--warmup-rounds 50] [--warmup-loss 0.01] [--extras mc-8972,uc-60000,mc-60000-none] [--raise-buffer-limits]
 *     [--max-minutes 15] [--skip-tcp] [--skip-tcp-verify] [--pretouch true] [--child-jvm-args "-XX:+UseZGC"]
 *     [--jfr false] [--early-tick-compile true]
 * </pre>
 *
 * Per repetition it runs, one after the other (never two clusters at once): multicast without
 * loss, multicast with {@code --loss} dropped on each receiver's receive path (the node's
 * seeded {@code DataFaults} hook), the TCP fan-out ({@code tcp}), and the verifying TCP
 * fan-out ({@code tcp-verify}; {@code --skip-tcp} leaves out both, {@code --skip-tcp-verify}
 * this one): the same bytes over TCP, but each receiver reads
 * a message whole, decodes it (checking its CRC32C), applies it to its base and checks the
 * root on two worker threads as a Zynco receiver does once it holds a transfer (no packet
 * authentication, no decode while the bytes arrive). Its time ends when the receiver has
 * verified the new version, which shows how far below the plain fan-out a TCP transport lands
 * once it verifies; it is not a target. {@code --extras} adds single runs of
 * variants ({@code mc|uc}-packetSize[-none for no packet authentication, -gcm for AES-GCM]).
 * Before measuring, every cluster publishes {@code --warmup-mib} on a separate state, then
 * rewrites all of it, {@code --warmup-rounds} publishes in all (and the TCP sender sends that
 * many messages of that many random bytes; the verifying TCP sender that many encoded deltas
 * on a warm-up state of that size, every fifth a 1% delta and the others loads from empty,
 * which its receivers decode, apply and verify), so that the JIT has compiled the paths as in a node
 * that has run for a while: the receive path runs once per packet, and C2 compiles a method
 * after about 5,000-15,000 calls, so the default of 50 rounds of 16 MiB (about 15,000 packets)
 * gets there, where the earlier single 32 MiB (560 packets) left C2 compiling the receive path
 * during the measured transfer. The rounds are shaped after the measured transfers, so that
 * C2 neither compiles for the first time nor deoptimizes and recompiles during them (found
 * with {@code --jfr true}; details in {@code NodeProcess.warmUp}): every fifth round is a 1%
 * delta and every tenth removes everything, so the next one loads the state from empty as
 * the measured snapshot does; the receivers of a cluster measured without loss drop
 * {@code --warmup-loss} of the packets in every other warm-up round and none after it, so that
 * their JIT profile holds the NACK branches too (without it, C2 compiled {@code ZyncoNode.tick}
 * in the warm-up, hit the never-taken quiet-receiver NACK branch in the measured snapshot,
 * threw the code away and took 0.7 s to compile it again there); {@code ZyncoNode.tick}, which
 * runs every millisecond only while a node is busy, is compiled after a tenth of C2's usual
 * count ({@code -XX:CompileCommand=CompileThresholdScaling} for that one method;
 * {@code --early-tick-compile false} leaves it out), as in a node that has been up for a
 * quarter of an hour (at the benchmark's idle tick, 20 a second, C2's count of about 15,000
 * calls takes some 12 minutes), where a warm-up of 50
 * rounds gave it too few ticks and C2 compiled it inside the measured snapshot (0.7 s of C2 per
 * receiver); the warm-up state has as many entries per segment as the
 * measured state ({@code --warmup-segment-bits}, by default 10 - log2(mib / warmup-mib)), so
 * its tries have the measured shape (depth, leaf sizes) with 1/32 of the data; and the
 * children publish and report the warm-up state's versions with the same code as the
 * measured state's, so that no string concatenation or lambda of the harness is linked for
 * the first time (the JDK spinning classes) inside a measured window. It stays a warm-up of
 * a node that has run for a while: different data on another state, nothing of the measured
 * data sent before. {@code --warmup-rounds 1 --warmup-mib 32} is the earliest warm-up;
 * {@code --warmup-mib 0} measures cold JVMs. Before each measured transfer every Zynco child,
 * and every verifying TCP child, runs a full GC, so that the warm-up's garbage is not collected
 * inside the window (the plain TCP children make little but the sender's warm-up bytes, and
 * are left as they were). Every child runs with {@code -Xms}
 * equal to {@code -Xmx} and {@code -XX:+AlwaysPreTouch} (operations.md's advice for nodes that
 * receive large snapshots: without it, the receivers page-fault their heap in during the
 * transfer, which cost 2.5 times the time here); {@code --pretouch false} leaves it out. Throughput of a
 * receiver is the transferred bytes over the time from the publish command to the receiver's
 * switch to the new version (received, verified, switched); aggregate is R × bytes over the
 * slowest receiver's time. {@code --raise-buffer-limits} raises {@code net.core.rmem_max} and
 * {@code wmem_max} to {@code --sockbuf} for the run and restores them after. Child processes
 * are killed at the end (and by a shutdown hook). Logs go to
 * {@code target/replication-bench/<time>/}. {@code --jfr true} records every child with JFR
 * ({@link JitRecord}: every compilation and deoptimization) into {@code <child>.jfr} in its
 * cluster's log directory and reports, per phase and child, what the JIT compiled inside the
 * measured window (every event in {@code jit-<phase>.txt}); JFR's own work shows in the CPU
 * figures, so measure without it. Not thread-safe (a main).
 */
public final class ReplicationBenchmark {

	/** Default size of the warm-up state, in MiB. */
	static final int WARMUP_MIB = 16;

	/** Default number of warm-up publishes (the first, then full rewrites). */
	static final int WARMUP_ROUNDS = 50;


	private static final double MIB = 1024.0 * 1024.0;

	/** UDP and IPv4 headers of a datagram. */
	private static final int UDP_IP = 28;

	private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Args args;

	private final int receivers;

	private final int mib;

	private final double deltaPercent;

	private final Path logRoot;

	private final List<String> report = new ArrayList<>();

	/** The JFR settings every child records with ({@code --jfr true}), or null. */
	private Path jitSettings;

	private ReplicationBenchmark(Args args, Path logRoot) {
		this.args = args;
		this.receivers = args.getInt("receivers", 3);
		this.mib = args.getInt("mib", 512);
		this.deltaPercent = args.getDouble("delta-percent", 1);
		this.logRoot = logRoot;
	}

	/**
	 * What one cluster runs: a Zynco transport ({@code mode} is a {@code TransportMode}), or a
	 * TCP fan-out, plain ({@code TCP}) or with receivers that verify ({@code TCP-VERIFY}).
	 */
	record Variant(String label, String mode, int packet, double loss, String security) {

		boolean tcp() {
			return this.mode.equals("TCP") || verifyingTcp();
		}

		/** A TCP fan-out whose receivers decode, apply and verify each message ({@link TcpFanout}). */
		boolean verifyingTcp() {
			return this.mode.equals("TCP-VERIFY");
		}

	}

	static final class ReceiverResult {

		String name;

		double seconds = Double.NaN;

		double receivedSeconds = Double.NaN;

		double inBegin = Double.NaN;

		double inComplete = Double.NaN;

		boolean complete;

		boolean rootOk;

		boolean catchUp;

		double cpu;

		long faultsDropped;

		long kernelDrops;

		long duplicates;

		long nacksSent;

	}

	static final class PhaseResult {

		Variant variant;

		int rep;

		String phase;

		long bytes;

		final List<ReceiverResult> receivers = new ArrayList<>();

		double senderCpu;

		Map<String, Double> senderThreads = new LinkedHashMap<>();

		Map<String, Double> receiverThreads = new LinkedHashMap<>();

		Map<String, Long> senderStats = new LinkedHashMap<>();

		double outStart = Double.NaN;

		double outAllSent = Double.NaN;

		double outDone = Double.NaN;

		double published = Double.NaN;

		long loopbackTx;

		long udpRcvbufErrors;

		/** Busy CPU seconds of the host not spent by this run's processes (other work on the machine). */
		double foreignCpu = Double.NaN;

		double loadBefore = Double.NaN;

		/** Stop-the-world GC pause seconds during the phase: sender, and the worst receiver. */
		double senderGcPause = Double.NaN;

		double receiverGcPause = Double.NaN;

		String error;

		/** The measured window on the nanoTime clock: the publish command to the CPU reading after the last switch. */
		long t0;

		long tEnd;

		/** The log directory of the cluster and its children's names, sender first. */
		Path dir;

		final List<String> children = new ArrayList<>();

		/** Per child (with {@code --jfr true}): the JIT's work in the window, as {@link JitRecord#summary}. */
		final Map<String, String> jit = new LinkedHashMap<>();

		boolean allComplete() {
			return !this.receivers.isEmpty() && this.receivers.stream().allMatch((r) -> r.complete && r.rootOk);
		}

		double slowest() {
			return this.receivers.stream().mapToDouble((r) -> r.seconds).max().orElse(Double.NaN);
		}

		/** R × bytes / slowest receiver time, in MiB/s; NaN unless every receiver completed. */
		double aggregate() {
			return allComplete() ? this.receivers.size() * this.bytes / MIB / slowest() : Double.NaN;
		}

		/**
		 * The data plane alone: R × bytes over the time from the sender's first packet to the
		 * last receiver holding every packet (before decode, apply and switch), in MiB/s. For
		 * the plain TCP fan-out that is its aggregate; for the verifying one, the time from
		 * the send command to the last receiver holding every byte.
		 */
		double dataPlaneAggregate() {
			if (this.variant.tcp() && !this.variant.verifyingTcp()) {
				return aggregate();
			}
			double full = this.receivers.stream().mapToDouble((r) -> r.inComplete).max().orElse(Double.NaN);
			double start = this.variant.tcp() ? 0 : this.outStart;
			return allComplete() ? this.receivers.size() * this.bytes / MIB / (full - start) : Double.NaN;
		}

		long stat(String key) {
			return this.senderStats.getOrDefault(key, 0L);
		}

		/**
		 * The sender's bytes on the wire: payload plus data header, tag and UDP/IP headers per
		 * datagram; a send to all is one datagram in multicast mode and R in unicast mode.
		 */
		double wireBytes() {
			if (this.variant.tcp()) {
				return (double) this.receivers.size() * this.bytes;
			}
			// NodeStats.wireBytesSent counts every datagram handed to the socket (payload, header
			// and tag; one per receiver for a send to all in unicast mode): add IP/UDP headers
			long packets = stat("packetsSent");
			long unicastRepairs = stat("repairsUnicast");
			double toAll = packets - unicastRepairs;
			double datagrams = this.variant.mode().equals("UNICAST")
					? toAll * this.receivers.size() + unicastRepairs : toAll + unicastRepairs;
			return stat("wireBytesSent") + datagrams * UDP_IP;
		}

		/** Sender wire bytes per byte delivered (R × bytes). */
		double wirePerDelivered() {
			return wireBytes() / ((double) this.receivers.size() * this.bytes);
		}

	}

	// ======================================================================= main

	public static void main(String[] argv) throws Exception {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
		Path logRoot = Path.of(args.get("out", "target/replication-bench"), stamp).toAbsolutePath();
		Files.createDirectories(logRoot);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Child::kill), "kill-children"));
		ReplicationBenchmark bench = new ReplicationBenchmark(args, logRoot);
		long[] saved = null;
		try {
			if (!ProcStats.loopbackMulticast()) {
				System.err.println("the loopback interface lacks the MULTICAST flag; run (local only): "
						+ "ip link set lo multicast on");
				System.exit(2);
			}
			saved = bench.raiseBufferLimits();
			bench.run();
		}
		finally {
			LIVE.forEach(Child::kill);
			if (saved != null) {
				ProcStats.writeNumber("/proc/sys/net/core/rmem_max", saved[0]);
				ProcStats.writeNumber("/proc/sys/net/core/wmem_max", saved[1]);
				bench.say("restored net.core.rmem_max=" + saved[0] + " wmem_max=" + saved[1]);
			}
			bench.writeReport();
		}
	}

	private long[] raiseBufferLimits() {
		long rmem = ProcStats.readNumber("/proc/sys/net/core/rmem_max");
		long wmem = ProcStats.readNumber("/proc/sys/net/core/wmem_max");
		int sockbuf = this.args.getInt("sockbuf", 16 << 20);
		say("kernel limits: net.core.rmem_max=" + rmem + " wmem_max=" + wmem + "; requested SO_RCVBUF/SO_SNDBUF "
				+ sockbuf + " (Linux doubles the granted value for bookkeeping)");
		if (!this.args.flag("raise-buffer-limits") || (rmem >= sockbuf && wmem >= sockbuf)) {
			return null;
		}
		boolean ok = ProcStats.writeNumber("/proc/sys/net/core/rmem_max", Math.max(rmem, sockbuf))
				& ProcStats.writeNumber("/proc/sys/net/core/wmem_max", Math.max(wmem, sockbuf));
		say("raised for this run: net.core.rmem_max=" + ProcStats.readNumber("/proc/sys/net/core/rmem_max")
				+ " wmem_max=" + ProcStats.readNumber("/proc/sys/net/core/wmem_max") + (ok ? "" : " (not writable)"));
		return new long[] { rmem, wmem };
	}

	private void run() throws Exception {
		int reps = this.args.getInt("reps", 3);
		int packet = this.args.getInt("packet", 60_000);
		double loss = this.args.getDouble("loss", 0.01);
		String security = this.args.get("security", "AES_GCM");
		long budgetNanos = (long) (this.args.getDouble("max-minutes", 15) * 60e9);
		long started = System.nanoTime();
		if (this.args.get("jfr", "false").equals("true")) {
			this.jitSettings = JitRecord.settings(this.logRoot);
		}
		say("replication benchmark: 1 sender + " + this.receivers + " receivers, " + this.mib + " MiB state ("
				+ StateGen.entries(this.mib) + " entries of " + StateGen.VALUE_BYTES + "-byte values), then a "
				+ this.deltaPercent + " % delta; " + reps + " repetitions; host: "
				+ Runtime.getRuntime().availableProcessors() + " cores; java " + System.getProperty("java.version")
				+ "; child JVMs: -Xmx" + this.args.get("xmx", "3g") + (pretouch() ? " (and -Xms the same) -XX:+AlwaysPreTouch " : " ")
				+ this.args.get("child-jvm-args", "")
				+ "; logs in " + this.logRoot);
		List<Variant> main = new ArrayList<>();
		main.add(new Variant("mc-" + packet, "MULTICAST", packet, 0, security));
		if (loss > 0) {
			main.add(new Variant("mc-" + packet + "-loss" + pct(loss), "MULTICAST", packet, loss, security));
		}
		Variant tcp = new Variant("tcp", "TCP", 0, 0, "-");
		Variant tcpVerify = new Variant("tcp-verify", "TCP-VERIFY", 0, 0, "-");
		List<PhaseResult> results = new ArrayList<>();
		for (int rep = 1; rep <= reps; rep++) {
			for (Variant v : main) {
				if (overBudget(started, budgetNanos, v, rep)) {
					break;
				}
				results.addAll(runGuarded(v, rep));
			}
			if (!this.args.flag("skip-tcp") && !overBudget(started, budgetNanos, tcp, rep)) {
				results.addAll(runGuarded(tcp, rep));
			}
			if (!this.args.flag("skip-tcp") && !this.args.flag("skip-tcp-verify")
					&& !overBudget(started, budgetNanos, tcpVerify, rep)) {
				results.addAll(runGuarded(tcpVerify, rep));
			}
		}
		for (String extra : this.args.get("extras", "").split(",")) {
			if (extra.isBlank() || overBudget(started, budgetNanos, null, 1)) {
				continue;
			}
			String[] p = extra.trim().split("-");
			String mode = p[0].equals("uc") ? "UNICAST" : "MULTICAST";
			String sec = (p.length > 2 && p[2].equals("none")) ? "NONE"
					: (p.length > 2 && p[2].equals("gcm")) ? "AES_GCM" : security;
			results.addAll(runGuarded(new Variant(extra.trim(), mode, Integer.parseInt(p[1]), 0, sec), 1));
		}
		printTables(results);
		printSummary(results, main, tcp, tcpVerify);
		say(String.format("total time %.1f min", (System.nanoTime() - started) / 60e9));
	}

	private boolean overBudget(long started, long budgetNanos, Variant v, int rep) {
		if (System.nanoTime() - started < budgetNanos) {
			return false;
		}
		say("time budget (--max-minutes) exhausted: skipping " + ((v != null) ? v.label() + " rep " + rep : "extras"));
		return true;
	}

	private List<PhaseResult> runGuarded(Variant v, int rep) throws InterruptedException {
		say("--- " + v.label() + " rep " + rep);
		List<PhaseResult> phases = null;
		try {
			phases = v.tcp() ? tcpRound(v, rep) : zyncoRound(v, rep);
			return phases;
		}
		catch (IOException | RuntimeException ex) {
			say("    FAILED: " + ex);
			PhaseResult failed = new PhaseResult();
			failed.variant = v;
			failed.rep = rep;
			failed.phase = "snapshot";
			failed.error = String.valueOf(ex);
			return List.of(failed);
		}
		finally {
			LIVE.forEach((c) -> {
				c.stop();
				LIVE.remove(c);
			});
			if (phases != null && this.jitSettings != null) {
				jitInWindows(phases);
			}
		}
	}

	/**
	 * With {@code --jfr true}, after the children exited (and JFR wrote their recordings): the
	 * JIT's work of each child in each measured window, one summary line per phase and every
	 * event in {@code jit-<phase>.txt} in the cluster's log directory.
	 */
	private void jitInWindows(List<PhaseResult> phases) {
		long offset = JitRecord.nanoOffset();
		for (PhaseResult p : phases) {
			if (p.dir == null || p.t0 == 0) {
				continue;
			}
			Path file = p.dir.resolve("jit-" + p.phase + ".txt");
			try (java.io.PrintWriter out = new java.io.PrintWriter(
					Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
				for (String child : p.children) {
					List<JitRecord.Event> events = JitRecord.window(p.dir.resolve(child + ".jfr"), p.t0, p.tEnd, offset);
					JitRecord.write(out, child, events, p.t0);
					p.jit.put(child, JitRecord.summary(events, 6));
					say("    JIT in the " + p.phase + " window (JFR), " + child + ": " + p.jit.get(child));
				}
			}
			catch (IOException | RuntimeException ex) {
				say("    JIT in the " + p.phase + " window: no recording (" + ex + ")");
			}
		}
	}

	// ======================================================================= processes

	/** Whether every child's heap is committed and touched at start ({@code --pretouch}, default true). */
	private boolean pretouch() {
		String value = this.args.get("pretouch", "true");
		if (!value.equals("true") && !value.equals("false")) {
			throw new IllegalArgumentException("--pretouch is true or false, not " + value);
		}
		return Boolean.parseBoolean(value);
	}

	private Child launch(String name, Class<?> main, Path dir, String... childArgs) throws IOException {
		List<String> cmd = new ArrayList<>();
		cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
		String xmx = this.args.get("xmx", "3g");
		cmd.add("-Xmx" + xmx);
		if (pretouch()) {
			// what operations.md recommends for nodes that receive large snapshots: the whole
			// heap committed and touched at start, so the transfer does not page-fault it in
			cmd.add("-Xms" + xmx);
			cmd.add("-XX:+AlwaysPreTouch");
		}
		cmd.add("-XX:+ExitOnOutOfMemoryError");
		if (main == NodeProcess.class && !this.args.get("early-tick-compile", "true").equals("false")) {
			// the node loop's tick runs every millisecond only while the node is busy: a node up
			// for a few minutes has it compiled by C2, a 20-second-old JVM does not, and C2 then
			// compiled it (0.7 s) inside the measured snapshot (see the class description)
			cmd.add("-XX:CompileCommand=quiet");
			cmd.add("-XX:CompileCommand=CompileThresholdScaling,io.zynco.replication.ZyncoNode::tick,0.1");
		}
		if (this.jitSettings != null) {
			cmd.add(JitRecord.flag(dir.resolve(name + ".jfr"), this.jitSettings));
		}
		String extra = this.args.get("child-jvm-args", "").trim();
		if (!extra.isEmpty()) {
			cmd.addAll(Arrays.asList(extra.split("\\s+")));
		}
		cmd.add("-Xlog:gc:file=" + dir.resolve(name + "-gc.log") + ":timenanos");
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(main.getName());
		cmd.addAll(Arrays.asList(childArgs));
		cmd.add("--max-seconds");
		cmd.add("900");
		Child child = Child.start(name, cmd, dir);
		LIVE.add(child);
		return child;
	}

	// ======================================================================= zynco

	private List<PhaseResult> zyncoRound(Variant v, int rep) throws IOException, InterruptedException {
		Path dir = this.logRoot.resolve(v.label() + "-rep" + rep);
		String cluster = "bench-" + Long.toHexString(RANDOM.nextLong() & 0xFFFF_FFFFL);
		byte[] secret = new byte[32];
		RANDOM.nextBytes(secret);
		int groupPort = 46_000 + RANDOM.nextInt(1_000);
		List<String> common = List.of("--cluster", cluster, "--secret", HexFormat.of().formatHex(secret), "--security",
				v.security(), "--mode", v.mode(), "--group", "239.255.93.17", "--group-port", Integer.toString(groupPort),
				"--packet", Integer.toString(v.packet()), "--sockbuf", this.args.get("sockbuf", Integer.toString(16 << 20)),
				"--rate-initial", this.args.get("rate-initial", Long.toString(200L << 20)), "--rate-max",
				this.args.get("rate-max", Long.toString(2L << 30)), "--data-seed", "42", "--warmup-segment-bits",
				Integer.toString(warmupSegmentBits()));
		List<String> senderArgs = new ArrayList<>(common);
		senderArgs.addAll(List.of("--name", "s0"));
		Child sender = launch("s0", NodeProcess.class, dir, senderArgs.toArray(String[]::new));
		Child.Line ready = sender.require(0, 60_000, "READY");
		String controlPort = ready.fields()[2];
		List<Child> rcv = new ArrayList<>();
		for (int i = 1; i <= this.receivers; i++) {
			List<String> a = new ArrayList<>(common);
			a.addAll(List.of("--name", "r" + i, "--seed-port", controlPort, "--loss", Double.toString(v.loss()),
					"--loss-seed", Integer.toString(1_000 * rep + i), "--warmup-loss",
					this.args.get("warmup-loss", "0.01")));
			rcv.add(launch("r" + i, NodeProcess.class, dir, a.toArray(String[]::new)));
		}
		List<Child> all = new ArrayList<>();
		all.add(sender);
		all.addAll(rcv);
		for (Child c : all) {
			Child.Line r = c.require(0, 60_000, "READY");
			if (rep == 1 || c == sender) {
				String[] f = r.fields();
				say("    " + c.name + ": data transport " + f[4] + ", SO_SNDBUF " + f[5] + ", SO_RCVBUF " + f[6]
						+ " (effective, unicast data socket)");
			}
		}
		awaitMembers(all);
		int warm = this.args.getInt("warmup-mib", WARMUP_MIB);
		int warmRounds = this.args.getInt("warmup-rounds", WARMUP_ROUNDS);
		int m = sender.mark();
		if (warm > 0 && warmRounds > 0) {
			sender.send("warmup " + warm + " " + warmRounds);
			Child.Line warmed = sender.require(m, 600_000, "WARMED", "ERROR");
			for (Child c : rcv) {
				int rm = c.mark();
				c.send("end-warmup"); // a cluster measured without loss had it in every other round
				c.require(rm, 10_000, "WARMUP-ENDED", "ERROR");
			}
			// the first stats command links this harness's code for it (the JDK spins classes, and
			// C2 compiles its class writer for 200-300 ms): here, not right before the publish
			for (Child c : all) {
				stats(c);
			}
			if (rep == 1) {
				say("    warm-up: published " + warm + " MiB on a separate state first, " + warmRounds
						+ " time(s) with every value new (" + warmed.text() + ")");
			}
		}
		List<PhaseResult> phases = new ArrayList<>();
		m = sender.mark();
		sender.send("prepare-snapshot " + this.mib);
		Child.Line prepared = sender.require(m, 300_000, "PREPARED", "ERROR");
		say("    sender prepared the snapshot edit: " + prepared.text());
		phases.add(measureZynco(v, rep, "snapshot", sender, rcv));
		if (phases.get(0).allComplete()) {
			m = sender.mark();
			sender.send("prepare-delta " + this.deltaPercent + " 1");
			prepared = sender.require(m, 300_000, "PREPARED", "ERROR");
			say("    sender prepared the delta edit: " + prepared.text());
			phases.add(measureZynco(v, rep, "delta", sender, rcv));
		}
		return phases;
	}

	/**
	 * Segment bits of the warm-up state ({@code --warmup-segment-bits}): by default, as many
	 * entries per segment as the measured state's ({@code --mib} on 1,024 segments), so that
	 * its tries have the measured state's shape (see {@code NodeProcess.warmUp}).
	 */
	private int warmupSegmentBits() {
		int warm = Math.max(1, this.args.getInt("warmup-mib", WARMUP_MIB));
		int fewer = (int) Math.round(Math.log((double) this.mib / warm) / Math.log(2));
		int bits = Snapshot.DEFAULT_SEGMENT_BITS - Math.max(0, fewer);
		return this.args.getInt("warmup-segment-bits", Math.max(0, bits));
	}

	private void awaitMembers(List<Child> all) throws InterruptedException {
		long deadline = System.nanoTime() + 60_000_000_000L;
		for (int attempt = 0; attempt < 300 && System.nanoTime() < deadline; attempt++) {
			boolean ok = true;
			for (Child c : all) {
				int m = c.mark();
				c.send("members");
				Child.Line line = c.require(m, 15_000, "MEMBERS", "ERROR");
				String[] f = line.fields();
				ok &= f.length >= 3 && Integer.parseInt(f[1]) == all.size() && Boolean.parseBoolean(f[2]);
			}
			if (ok) {
				return;
			}
			Thread.sleep(200);
		}
		throw new IllegalStateException("the cluster did not form within 60 s");
	}

	private static Map<String, Long> parseStats(Child.Line line) {
		Map<String, Long> stats = new LinkedHashMap<>();
		if (line == null) {
			return stats;
		}
		for (String f : line.fields()) {
			int eq = f.indexOf('=');
			if (eq > 0) {
				try {
					stats.put(f.substring(0, eq), Long.parseLong(f.substring(eq + 1)));
				}
				catch (NumberFormatException ex) {
					// not a number
				}
			}
		}
		return stats;
	}

	private static Map<String, Long> stats(Child c) throws InterruptedException {
		int m = c.mark();
		c.send("stats");
		return parseStats(c.await(m, 30_000, "STATS"));
	}

	private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
		Map<String, Long> d = new LinkedHashMap<>();
		after.forEach((k, v) -> d.put(k, (k.equals("rate") || k.equals("rateMax") || k.equals("rateMin")) ? v : v - before.getOrDefault(k, 0L)));
		return d;
	}

	private static Map<String, Double> minusCpu(Map<String, Double> after, Map<String, Double> before, double total) {
		Map<String, Double> d = new LinkedHashMap<>();
		double sum = 0;
		for (Map.Entry<String, Double> e : after.entrySet()) {
			double x = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
			d.put(e.getKey(), x);
			sum += x;
		}
		// threads that exited meanwhile are in the process total only
		d.merge("other", Math.max(0, total - sum), Double::sum);
		return d;
	}

	/** Host CPU during the phase minus this run's processes (children and this JVM). */
	private static double foreign(PhaseResult p, double hostBefore, double selfBefore) {
		double ours = p.senderCpu + p.receivers.stream().mapToDouble((r) -> r.cpu).sum()
				+ ProcStats.cpuSeconds(ProcessHandle.current().pid()) - selfBefore;
		return Math.max(0, ProcStats.hostBusySeconds() - hostBefore - ours);
	}

	/** Sum of the GC pauses a child's {@code -Xlog:gc} file records between two nanoTime instants. */
	static double gcPauses(Child c, long from, long to) {
		double ms = 0;
		try {
			for (String line : Files.readAllLines(c.gcLog())) {
				int ns = line.indexOf("ns]");
				int pause = line.indexOf(" Pause ");
				if (!line.startsWith("[") || ns < 0 || pause < 0 || !line.endsWith("ms")) {
					continue;
				}
				long at = Long.parseLong(line.substring(1, ns));
				if (at >= from && at <= to) {
					ms += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1, line.length() - 2));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			return Double.NaN;
		}
		return ms / 1000;
	}

	private static double since(long t0, long nanos) {
		return (nanos - t0) / 1e9;
	}

	private static double diagTime(Child c, int from, String event, long t0, boolean last) {
		List<Child.Line> lines = c.lines(from, "DIAG " + event + " ");
		if (lines.isEmpty()) {
			return Double.NaN;
		}
		Child.Line line = last ? lines.get(lines.size() - 1) : lines.get(0);
		return since(t0, Long.parseLong(line.fields()[3]));
	}

	private static String diagDetail(Child c, int from, String event, String key) {
		for (Child.Line line : c.lines(from, "DIAG " + event + " ")) {
			for (String f : line.fields()) {
				if (f.startsWith(key + "=")) {
					return f.substring(key.length() + 1);
				}
			}
		}
		return "0";
	}

	private PhaseResult measureZynco(Variant v, int rep, String phase, Child sender, List<Child> rcv)
			throws InterruptedException {
		List<Child> all = new ArrayList<>();
		all.add(sender);
		all.addAll(rcv);
		for (Child c : all) {
			int m = c.mark();
			c.send("gc");
			c.require(m, 60_000, "GC-DONE");
		}
		PhaseResult p = new PhaseResult();
		p.variant = v;
		p.rep = rep;
		p.phase = phase;
		Map<String, Long> senderBefore = stats(sender);
		List<Map<String, Long>> rcvBefore = new ArrayList<>();
		for (Child c : rcv) {
			rcvBefore.add(stats(c));
		}
		double[] cpuBefore = new double[all.size()];
		List<Map<String, Double>> threadsBefore = new ArrayList<>();
		long[] dropsBefore = new long[all.size()];
		for (int i = 0; i < all.size(); i++) {
			cpuBefore[i] = ProcStats.cpuSeconds(all.get(i).pid());
			threadsBefore.add(ProcStats.threadCpu(all.get(i).pid()));
			dropsBefore[i] = ProcStats.socketDrops(all.get(i).pid());
		}
		long loBefore = ProcStats.loopbackBytes()[1];
		p.loadBefore = ProcStats.loadAverage();
		double hostBefore = ProcStats.hostBusySeconds();
		double selfBefore = ProcStats.cpuSeconds(ProcessHandle.current().pid());
		long rcvbufBefore = ProcStats.udpCounters().getOrDefault("RcvbufErrors", 0L);
		int[] marks = new int[all.size()];
		for (int i = 0; i < all.size(); i++) {
			marks[i] = all.get(i).mark();
		}
		long timeoutMillis = this.args.getLong("phase-timeout-s", 240) * 1000;
		long t0 = System.nanoTime();
		sender.send("publish");
		Child.Line published = sender.await(marks[0], timeoutMillis, "PUBLISHED", "ERROR");
		if (published == null || published.text().startsWith("ERROR")) {
			p.error = (published == null) ? "publish did not complete within " + timeoutMillis + " ms"
					: published.text();
		}
		else {
			p.published = since(t0, published.nanos());
		}
		long afterPublish = (p.error == null) ? Math.max(1, timeoutMillis - (System.nanoTime() - t0) / 1_000_000)
				: 5_000;
		Child.Line senderVersion = sender.await(marks[0], 5_000, "VERSION");
		String root = (senderVersion != null) ? senderVersion.fields()[2] : "?";
		for (int i = 0; i < rcv.size(); i++) {
			Child c = rcv.get(i);
			ReceiverResult r = new ReceiverResult();
			r.name = c.name;
			Child.Line version = c.await(marks[i + 1], afterPublish, "VERSION");
			if (version != null) {
				r.complete = true;
				r.seconds = since(t0, version.nanos());
				r.rootOk = version.fields()[2].equals(root);
			}
			p.receivers.add(r);
		}
		// CPU right after the last switch
		for (int i = 0; i < all.size(); i++) {
			double total = ProcStats.cpuSeconds(all.get(i).pid()) - cpuBefore[i];
			Map<String, Double> threads = minusCpu(ProcStats.threadCpu(all.get(i).pid()), threadsBefore.get(i), total);
			if (i == 0) {
				p.senderCpu = total;
				p.senderThreads = threads;
			}
			else {
				p.receivers.get(i - 1).cpu = total;
				threads.forEach((k, x) -> p.receiverThreads.merge(k, x, Double::sum));
			}
		}
		p.foreignCpu = foreign(p, hostBefore, selfBefore);
		long tEnd = System.nanoTime();
		p.t0 = t0;
		p.tEnd = tEnd;
		p.dir = sender.gcLog().getParent();
		all.forEach((c) -> p.children.add(c.name));
		p.senderGcPause = gcPauses(sender, t0, tEnd);
		p.receiverGcPause = rcv.stream().mapToDouble((c) -> gcPauses(c, t0, tEnd)).max().orElse(Double.NaN);
		p.loopbackTx = ProcStats.loopbackBytes()[1] - loBefore;
		p.udpRcvbufErrors = ProcStats.udpCounters().getOrDefault("RcvbufErrors", 0L) - rcvbufBefore;
		p.senderStats = minus(stats(sender), senderBefore);
		p.outStart = diagTime(sender, marks[0], "out-start", t0, false);
		p.outAllSent = diagTime(sender, marks[0], "out-all-sent", t0, false);
		p.outDone = diagTime(sender, marks[0], "out-done", t0, false);
		for (int i = 0; i < rcv.size(); i++) {
			Child c = rcv.get(i);
			ReceiverResult r = p.receivers.get(i);
			Map<String, Long> s = minus(stats(c), rcvBefore.get(i));
			r.faultsDropped = s.getOrDefault("faultsDropped", 0L);
			r.kernelDrops = ProcStats.socketDrops(c.pid()) - dropsBefore[i + 1];
			List<Child.Line> received = c.lines(marks[i + 1], "RECEIVED");
			if (!received.isEmpty()) {
				r.receivedSeconds = since(t0, received.get(0).nanos());
				p.bytes = Math.max(p.bytes, Long.parseLong(received.get(0).fields()[2]));
				r.catchUp = received.get(0).text().endsWith("catch-up");
			}
			r.inBegin = diagTime(c, marks[i + 1], "in-begin", t0, false);
			r.inComplete = diagTime(c, marks[i + 1], "in-complete", t0, false);
			r.duplicates = Long.parseLong(diagDetail(c, marks[i + 1], "in-complete", "duplicates"));
			r.nacksSent = Long.parseLong(diagDetail(c, marks[i + 1], "in-complete", "nacksSent"));
		}
		if (p.bytes == 0) {
			p.bytes = p.stat("payloadBytesSent");
		}
		sayRow(p);
		return p;
	}

	// ======================================================================= tcp

	/**
	 * One TCP fan-out cluster ({@link TcpFanout}), plain or verifying: the warm-up, then the
	 * snapshot and the delta, each measured from the send command to the receivers' DONE.
	 */
	private List<PhaseResult> tcpRound(Variant v, int rep) throws IOException, InterruptedException {
		Path dir = this.logRoot.resolve(v.label() + "-rep" + rep);
		boolean verify = v.verifyingTcp();
		int warm = this.args.getInt("warmup-mib", WARMUP_MIB);
		int warmRounds = this.args.getInt("warmup-rounds", WARMUP_ROUNDS);
		// the verifying children: the sender encodes the warm-up deltas at start, and both ends
		// build the warm-up state's type with the Zynco clusters' segment bits
		List<String> verifyArgs = verify ? List.of("--verify", "true", "--warmup-segment-bits",
				Integer.toString(warmupSegmentBits())) : List.of();
		List<String> senderArgs = new ArrayList<>(List.of("--role", "sender", "--receivers",
				Integer.toString(this.receivers), "--mib", Integer.toString(this.mib), "--delta-percent",
				Double.toString(this.deltaPercent), "--delta-round", "1", "--data-seed", "42"));
		senderArgs.addAll(verifyArgs);
		if (verify) {
			senderArgs.addAll(List.of("--warmup-mib", Integer.toString((warmRounds > 0) ? warm : 0)));
		}
		Child sender = launch(v.label() + "-s0", TcpFanout.class, dir, senderArgs.toArray(String[]::new));
		Child.Line ready = sender.require(0, 300_000, "READY");
		String[] f = ready.fields();
		String port = f[1];
		long[] sizes = { Long.parseLong(f[2]), Long.parseLong(f[4]) };
		// the bytes' CRC32C, or (verifying) the roots the receivers must reach
		String[] crcs = { f[3], f[5] };
		List<Child> rcv = new ArrayList<>();
		for (int i = 1; i <= this.receivers; i++) {
			List<String> a = new ArrayList<>(List.of("--role", "receiver", "--port", port));
			a.addAll(verifyArgs);
			rcv.add(launch(v.label() + "-r" + i, TcpFanout.class, dir, a.toArray(String[]::new)));
		}
		for (Child c : rcv) {
			c.require(0, 60_000, "READY");
		}
		sender.require(0, 60_000, "CONNECTED");
		for (int round = 0; warm > 0 && round < warmRounds; round++) {
			// the same warm-up as the Zynco clusters': as many messages of as many bytes; the
			// verifying fan-out's are deltas its receivers can decode, every fifth a 1% delta
			// of the previous round's load from empty (see TcpFanout.warmupMessages)
			int[] wm = new int[rcv.size()];
			for (int i = 0; i < rcv.size(); i++) {
				wm[i] = rcv.get(i).mark();
			}
			sender.send(!verify ? "send warmup " + warm : (round % 5 == 4) ? "send warmup-delta" : "send warmup");
			for (int i = 0; i < rcv.size(); i++) {
				Child.Line done = rcv.get(i).require(wm[i], 120_000, "DONE", "ERROR");
				if (done.text().startsWith("ERROR")) {
					throw new IllegalStateException(rcv.get(i).name + " in warm-up round " + round + ": " + done.text());
				}
			}
		}
		List<PhaseResult> phases = new ArrayList<>();
		String[] names = { "snapshot", "delta" };
		List<Child> all = new ArrayList<>();
		all.add(sender);
		all.addAll(rcv);
		for (int k = 0; k < 2; k++) {
			PhaseResult p = new PhaseResult();
			p.variant = v;
			p.rep = rep;
			p.phase = names[k];
			p.bytes = sizes[k];
			if (verify) {
				// as before a Zynco cluster's measured publish: the warm-up's garbage (decoded
				// deltas and their snapshots) is collected before the window, not inside it
				for (Child c : all) {
					int m = c.mark();
					c.send("gc");
					c.require(m, 60_000, "GC-DONE");
				}
			}
			double[] cpuBefore = new double[all.size()];
			List<Map<String, Double>> threadsBefore = new ArrayList<>();
			int[] marks = new int[all.size()];
			for (int i = 0; i < all.size(); i++) {
				cpuBefore[i] = ProcStats.cpuSeconds(all.get(i).pid());
				threadsBefore.add(ProcStats.threadCpu(all.get(i).pid()));
				marks[i] = all.get(i).mark();
			}
			long loBefore = ProcStats.loopbackBytes()[1];
			p.loadBefore = ProcStats.loadAverage();
			double hostBefore = ProcStats.hostBusySeconds();
			double selfBefore = ProcStats.cpuSeconds(ProcessHandle.current().pid());
			long t0 = System.nanoTime();
			sender.send("send " + names[k]);
			for (int i = 0; i < rcv.size(); i++) {
				ReceiverResult r = new ReceiverResult();
				r.name = rcv.get(i).name;
				Child.Line done = rcv.get(i).await(marks[i + 1], 240_000, "DONE", "ERROR");
				if (done != null && done.text().startsWith("ERROR")) {
					p.error = rcv.get(i).name + ": " + done.text();
				}
				else if (done != null) {
					r.complete = Long.parseLong(done.fields()[1]) == sizes[k];
					r.rootOk = done.fields()[2].equals(crcs[k]);
					r.seconds = since(t0, done.nanos());
				}
				List<Child.Line> read = rcv.get(i).lines(marks[i + 1], "READ ");
				if (!read.isEmpty()) {
					r.inComplete = since(t0, read.get(0).nanos());
				}
				p.receivers.add(r);
			}
			Child.Line sent = sender.await(marks[0], 60_000, "SENT", "ERROR");
			if (sent != null) {
				p.outAllSent = since(t0, sent.nanos());
			}
			for (int i = 0; i < all.size(); i++) {
				double total = ProcStats.cpuSeconds(all.get(i).pid()) - cpuBefore[i];
				Map<String, Double> threads = minusCpu(ProcStats.threadCpu(all.get(i).pid()), threadsBefore.get(i),
						total);
				if (i == 0) {
					p.senderCpu = total;
					p.senderThreads = threads;
				}
				else {
					p.receivers.get(i - 1).cpu = total;
					threads.forEach((key, x) -> p.receiverThreads.merge(key, x, Double::sum));
				}
			}
			p.foreignCpu = foreign(p, hostBefore, selfBefore);
			p.loopbackTx = ProcStats.loopbackBytes()[1] - loBefore;
			sayRow(p);
			phases.add(p);
		}
		return phases;
	}

	// ======================================================================= output

	private void say(String line) {
		System.out.println(line);
		System.out.flush();
		this.report.add(line);
	}

	private static String pct(double fraction) {
		double p = fraction * 100;
		return (p == Math.rint(p)) ? Long.toString((long) p) + "%" : p + "%";
	}

	private static String fmt(double x, int decimals) {
		return Double.isNaN(x) ? "-" : String.format("%." + decimals + "f", x);
	}

	private void sayRow(PhaseResult p) {
		StringBuilder b = new StringBuilder("    ").append(p.phase).append(": ");
		for (ReceiverResult r : p.receivers) {
			b.append(r.name).append(' ').append(r.complete ? fmt(r.seconds, 2) + " s" : "INCOMPLETE")
				.append(r.rootOk ? "" : " (root mismatch)").append(", ");
		}
		b.append("aggregate ").append(fmt(p.aggregate(), 0)).append(" MiB/s; CPU s sender ").append(fmt(p.senderCpu, 1))
			.append(", receivers ").append(fmt(p.receivers.stream().mapToDouble((r) -> r.cpu).sum(), 1))
			.append(", other processes on the host ").append(fmt(p.foreignCpu, 1)).append(" (load ")
			.append(fmt(p.loadBefore, 1)).append(" before)");
		if (p.error != null) {
			b.append(", error: ").append(p.error);
		}
		say(b.toString());
	}

	private void printTables(List<PhaseResult> results) {
		say("");
		say("Results (time = publish command -> receiver switched to the new version; TCP: send command -> receiver"
				+ " read and hashed all bytes; tcp-verify: -> receiver read, decoded, applied and verified the root)");
		say(String.format("%-18s %3s %-8s %8s %-32s %9s %7s %-22s %8s %6s %9s %-11s %9s", "variant", "rep", "phase",
				"MiB", "per receiver s (MiB/s)", "agg MiB/s", "snd CPU", "rcv CPU s", "wire/dlv", "NACKs",
				"repair m/u", "drop inj/krn", "other CPU"));
		for (PhaseResult p : results) {
			StringBuilder per = new StringBuilder();
			StringBuilder cpu = new StringBuilder();
			long injected = 0;
			long kernel = 0;
			for (ReceiverResult r : p.receivers) {
				per.append(r.complete ? fmt(r.seconds, 2) + "(" + fmt(p.bytes / MIB / r.seconds, 0) + ")" : "INCOMPL")
					.append(' ');
				cpu.append(fmt(r.cpu, 1)).append(' ');
				injected += r.faultsDropped;
				kernel += r.kernelDrops;
			}
			boolean tcp = p.variant.tcp();
			say(String.format("%-18s %3d %-8s %8.1f %-32s %9s %7s %-22s %8s %6s %9s %-11s %9s", p.variant.label(), p.rep,
					p.phase, p.bytes / MIB, per.toString().trim(), fmt(p.aggregate(), 0), fmt(p.senderCpu, 1),
					cpu.toString().trim(), fmt(p.wirePerDelivered() * p.receivers.size(), 3) + "/R",
					tcp ? "-" : Long.toString(p.stat("nacksReceived")),
					tcp ? "-" : p.stat("repairsMulticast") + "/" + p.stat("repairsUnicast"),
					tcp ? "-" : injected + "/" + kernel, fmt(p.foreignCpu, 1)) + ((p.error != null) ? "  ERROR " + p.error : ""));
		}
		say("");
		say("Zynco breakdown (seconds after the publish command; sender: transfer start, all data sent once,"
				+ " all acked; receivers: last to hold all packets, last verified, last switched)");
		say(String.format("%-18s %3s %-8s %6s %7s %7s %8s %8s %8s %8s  %-20s %-12s %-11s %s", "variant", "rep", "phase",
				"start", "allSent", "acked", "rcvFull", "verified", "switched", "publish", "rate end/max/min MiB/s",
				"rate dec/inc", "GC s snd/rcv", "CPU s by thread: sender | receivers (sum)"));
		for (PhaseResult p : results) {
			if (p.variant.tcp()) {
				continue;
			}
			double full = p.receivers.stream().mapToDouble((r) -> r.inComplete).max().orElse(Double.NaN);
			double verified = p.receivers.stream().mapToDouble((r) -> r.receivedSeconds).max().orElse(Double.NaN);
			say(String.format("%-18s %3d %-8s %6s %7s %7s %8s %8s %8s %8s  %-20s %-12s %-11s %s | %s", p.variant.label(),
					p.rep, p.phase, fmt(p.outStart, 2), fmt(p.outAllSent, 2), fmt(p.outDone, 2), fmt(full, 2),
					fmt(verified, 2), fmt(p.slowest(), 2), fmt(p.published, 2),
					fmt(p.stat("rate") / MIB, 0) + "/" + fmt(p.stat("rateMax") / MIB, 0) + "/"
							+ fmt(p.stat("rateMin") / MIB, 0),
					p.stat("rateDecreases") + "/" + p.stat("rateIncreases"),
					fmt(p.senderGcPause, 2) + "/" + fmt(p.receiverGcPause, 2), cpuByKind(p.senderThreads),
					cpuByKind(p.receiverThreads)));
		}
		say("");
		say("Sender counters (NodeStats deltas) and host counters");
		say(String.format("%-18s %3s %-8s %14s %10s %14s %12s %14s %10s %s", "variant", "rep", "phase",
				"wireBytesSent", "packets", "est. wire B", "lo tx B", "UDP RcvbufErr", "rejected", "receiver dup/nacks"));
		for (PhaseResult p : results) {
			if (p.variant.tcp()) {
				continue;
			}
			StringBuilder dn = new StringBuilder();
			for (ReceiverResult r : p.receivers) {
				dn.append(r.duplicates).append('/').append(r.nacksSent).append(r.catchUp ? "(catch-up)" : "").append(' ');
			}
			say(String.format("%-18s %3d %-8s %14d %10d %14.0f %12d %14d %10d %s", p.variant.label(), p.rep, p.phase,
					p.stat("wireBytesSent"), p.stat("packetsSent"), p.wireBytes(), p.loopbackTx, p.udpRcvbufErrors,
					p.stat("rejected"), dn.toString().trim()));
		}
	}

	private static String cpuByKind(Map<String, Double> threads) {
		StringBuilder b = new StringBuilder();
		threads.forEach((k, x) -> {
			if (x >= 0.05) {
				b.append(k).append('=').append(fmt(x, 1)).append(' ');
			}
		});
		return b.toString().trim();
	}

	private static double median(List<PhaseResult> runs, ToDoubleFunction<PhaseResult> f) {
		double[] xs = runs.stream().mapToDouble(f).filter((x) -> !Double.isNaN(x)).sorted().toArray();
		if (xs.length == 0) {
			return Double.NaN;
		}
		return (xs.length % 2 == 1) ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
	}

	private static List<PhaseResult> select(List<PhaseResult> results, String label, String phase) {
		return results.stream().filter((p) -> p.variant.label().equals(label) && p.phase.equals(phase)).toList();
	}

	private void printSummary(List<PhaseResult> results, List<Variant> main, Variant tcp, Variant tcpVerify) {
		say("");
		say("Medians (aggregate MiB/s counts a run only if every receiver completed with the right root)");
		say(String.format("%-18s %-8s %5s %10s %12s %10s %10s %12s %14s", "variant", "phase", "runs", "agg MiB/s",
				"slowest s", "snd CPU s", "rcv CPU s", "wire/dlv", "data-plane agg"));
		List<String> labels = new ArrayList<>();
		results.forEach((p) -> {
			if (!labels.contains(p.variant.label())) {
				labels.add(p.variant.label());
			}
		});
		for (String label : labels) {
			for (String phase : List.of("snapshot", "delta")) {
				List<PhaseResult> runs = select(results, label, phase);
				if (runs.isEmpty()) {
					continue;
				}
				say(String.format("%-18s %-8s %5d %10s %12s %10s %10s %12s %14s", label, phase, runs.size(),
						fmt(median(runs, PhaseResult::aggregate), 0), fmt(median(runs, PhaseResult::slowest), 2),
						fmt(median(runs, (p) -> p.senderCpu), 1),
						fmt(median(runs, (p) -> p.receivers.stream().mapToDouble((r) -> r.cpu).sum()), 1),
						fmt(median(runs, PhaseResult::wirePerDelivered) * this.receivers, 4) + "/R",
						fmt(median(runs, PhaseResult::dataPlaneAggregate), 0)));
			}
		}
		double base = median(select(results, tcp.label(), "snapshot"), PhaseResult::aggregate);
		say("");
		say("Targets (snapshot phase, R = " + this.receivers + ", median of the repetitions; baseline = TCP fan-out "
				+ fmt(base, 0) + " MiB/s aggregate)");
		if (!main.isEmpty()) {
			List<PhaseResult> clean = select(results, main.get(0).label(), "snapshot");
			double agg = median(clean, PhaseResult::aggregate);
			target("no loss: aggregate >= 0.6 x TCP", agg / base, 0.6, true, "");
		}
		if (main.size() > 1) {
			List<PhaseResult> lossy = select(results, main.get(1).label(), "snapshot");
			double agg = median(lossy, PhaseResult::aggregate);
			boolean complete = !lossy.isEmpty() && lossy.stream().allMatch(PhaseResult::allComplete);
			target(pct(main.get(1).loss()) + " loss: aggregate >= 0.4 x TCP", agg / base, 0.4, true, "");
			say(String.format("  %-50s %s  (%d runs)", pct(main.get(1).loss()) + " loss: every receiver complete",
					complete ? "PASS" : "MISS", lossy.size()));
		}
		if (!main.isEmpty()) {
			double plane = median(select(results, main.get(0).label(), "snapshot"), PhaseResult::dataPlaneAggregate);
			say(String.format("  (for diagnosis, not a target: the data plane alone, first packet to last receiver holding"
					+ " every packet, reaches %s MiB/s = %s x TCP)", fmt(plane, 0), fmt(plane / base, 3)));
		}
		List<PhaseResult> verified = select(results, tcpVerify.label(), "snapshot");
		if (!verified.isEmpty()) {
			double agg = median(verified, PhaseResult::aggregate);
			say(String.format("  (for diagnosis, not a target: a TCP fan-out whose receivers decode, apply and verify the"
					+ " root as Zynco's do, without packet authentication, reaches %s MiB/s = %s x TCP)", fmt(agg, 0),
					fmt(agg / base, 3)));
		}
		double worst = 0;
		for (PhaseResult p : results) {
			if (p.variant.mode().equals("MULTICAST") && p.phase.equals("snapshot") && p.allComplete()) {
				worst = Math.max(worst, p.wirePerDelivered() * this.receivers);
			}
		}
		target("multicast: sender wire bytes per delivered byte <= 1.05/R (worst run, x R)", worst, 1.05, false, "");
	}

	private void target(String name, double value, double limit, boolean atLeast, String note) {
		boolean pass = !Double.isNaN(value) && (atLeast ? value >= limit : value <= limit);
		say(String.format("  %-72s %s  (measured %s, target %s %s)%s", name, pass ? "PASS" : "MISS", fmt(value, 3),
				atLeast ? ">=" : "<=", fmt(limit, 2), note));
	}

	private void writeReport() {
		try {
			Path file = this.logRoot.resolve("report.txt");
			Files.write(file, this.report, StandardCharsets.UTF_8);
			System.out.println("report written to " + file);
		}
		catch (IOException ex) {
			System.err.println("could not write the report: " + ex);
		}
	}

}
