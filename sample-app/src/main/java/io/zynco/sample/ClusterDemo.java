package io.zynco.sample;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.zynco.replication.ClusterView;
import io.zynco.replication.NodeConfig;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.state.Codec;
import io.zynco.state.Fingerprints;
import io.zynco.state.StateType;
import io.zynco.state.StateView;
import io.zynco.transport.TransportMode;

/**
 * The local demo cluster: three Zynco nodes on this machine's loopback (multicast with TTL 0
 * on {@code lo}, or unicast where loopback multicast is off), a fare table of a million
 * entries, a 1% repricing published from one node and switched on all three, a rollback, and
 * readers that check every read against the version that served it while all this happens.
 * Prints progress and a summary table. The Spring Boot fare service with HTTP endpoints
 * replaces the in-process readers when the sample-app issue lands.
 */
public final class ClusterDemo {

	private static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8());

	private static final byte[] SECRET = "zynco-demo-secret-not-for-production".getBytes(StandardCharsets.UTF_8);

	private final PrintStream out;

	private final int fares;

	private final List<ZyncoNode> nodes = new ArrayList<>();

	private final FareGenerator generator = new FareGenerator(42);

	private final AtomicLong reads = new AtomicLong();

	private final AtomicLong readsDuringSwitches = new AtomicLong();

	private final AtomicLong errors = new AtomicLong();

	private final AtomicBoolean switching = new AtomicBoolean();

	private final String cluster;

	private final int groupPort;

	ClusterDemo(PrintStream out, int fares) {
		this(out, fares, "zynco-demo", 45_901);
	}

	/** A demo cluster with its own name and multicast port, so that it never meets another. */
	ClusterDemo(PrintStream out, int fares, String cluster, int groupPort) {
		this.out = out;
		this.fares = fares;
		this.cluster = cluster;
		this.groupPort = groupPort;
	}

	public static void main(String[] args) throws Exception {
		int fares = 1_000_000;
		boolean stay = true;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--fares" -> fares = Integer.parseInt(args[++i]);
				case "--exit" -> stay = false;
				case "--engine" -> {
					FareDemo.main(new String[] { "--fares", String.valueOf(fares) });
					return;
				}
				default -> {
					System.err.println("usage: ./demo [--fares N] [--exit] [--engine]");
					System.exit(2);
				}
			}
		}
		// keep the demo's own output readable: the nodes log warnings only
		java.util.logging.Logger.getLogger("io.zynco").setLevel(java.util.logging.Level.WARNING);
		ClusterDemo demo = new ClusterDemo(System.out, fares);
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			demo.close();
			stopped.countDown();
		}, "zynco-demo-shutdown"));
		Summary summary = demo.run();
		if (summary.errors() > 0) {
			System.exit(1);
		}
		if (stay) {
			System.out.println("\nThe cluster keeps running; press Ctrl-C to stop all nodes.");
			stopped.await();
		}
		else {
			demo.close();
		}
	}

	record Summary(long versions, long errors, long reads, long readsDuringSwitches, long[] roots) {
	}

	Summary run() throws Exception {
		this.out.printf(Locale.ROOT, "Zynco demo cluster: 3 nodes on loopback, %,d fares%n%n", this.fares);
		for (int i = 0; i < 3; i++) {
			this.nodes.add(startNode("node-" + (i + 1)));
		}
		awaitCondition("nodes form one cluster", Duration.ofSeconds(30),
				() -> this.nodes.stream().allMatch((n) -> n.members().join().size() == 3));
		this.out.printf(Locale.ROOT, "  3 nodes up, data transport %s, control ports %s%n",
				this.nodes.get(0).transportMode(), this.nodes.stream().map((n) -> n.self().controlPort()).toList());

		Thread[] readers = startReaders();
		// publish on the coordinator (the oldest node): it sends every version to the others
		ReplicatedState<String, String> publisher = fares(this.nodes.get(0));

		long t0 = System.nanoTime();
		long sent0 = sentBytes();
		long v1 = publisher.publish((edit) -> {
			for (int i = 0; i < this.fares; i++) {
				edit.put(this.generator.key(i), this.generator.value(i, 0));
				if ((i + 1) % Math.max(1, this.fares / 10) == 0) {
					this.out.printf(Locale.ROOT, "\r  loading fares %3d%%", (i + 1) * 100L / this.fares);
				}
			}
		}).get(10, TimeUnit.MINUTES);
		awaitVersion(v1);
		Step load = new Step("v" + v1, "initial load", v1, ms(t0), sentBytes() - sent0, 0);
		this.out.printf(Locale.ROOT, "%n  v%d loaded on all nodes in %.0f ms%n", v1, load.ms);

		this.switching.set(true);
		long t1 = System.nanoTime();
		long sent1 = sentBytes();
		long changed = Math.max(1, this.fares / 100);
		long v2 = publisher.publish((edit) -> {
			SplittableRandom random = new SplittableRandom(7);
			for (int i = 0; i < changed; i++) {
				int index = random.nextInt(this.fares);
				edit.put(this.generator.key(index), this.generator.value(index, 1));
			}
		}).get(5, TimeUnit.MINUTES);
		awaitVersion(v2);
		this.switching.set(false);
		Step reprice = new Step("v" + v2, "reprice 1%", v2, ms(t1), sentBytes() - sent1, changed);
		this.out.printf(Locale.ROOT, "  v%d (1%% repriced) switched on all nodes in %.0f ms%n", v2, reprice.ms);

		this.switching.set(true);
		long t2 = System.nanoTime();
		ClusterView back = this.nodes.get(2).rollback("fares", v1).get(1, TimeUnit.MINUTES);
		awaitVersion(v1);
		this.switching.set(false);
		Step rollback = new Step("v" + v1, "rollback", back.version("fares").number(), ms(t2), 0, 0);
		this.out.printf(Locale.ROOT, "  rolled back to v%d on all nodes in %.0f ms%n", v1, rollback.ms);

		for (Thread reader : readers) {
			reader.interrupt();
			reader.join(5_000);
		}
		long full = this.nodes.get(0).view().version("fares").snapshot().dataBytes();
		this.out.printf(Locale.ROOT, "%n  %-6s %-14s %14s %16s %12s%n", "step", "change", "full size", "bytes sent",
				"all nodes");
		for (Step s : List.of(load, reprice, rollback)) {
			this.out.printf(Locale.ROOT, "  %-6s %-14s %14s %16s %9.0f ms%n", s.label, s.change, mib(full),
					(s.sent > 0) ? String.format(Locale.ROOT, "%s (%.2f%%)", mib(s.sent), 100.0 * s.sent / full) : "-",
					s.ms);
		}
		long[] roots = this.nodes.stream().mapToLong((n) -> n.view().version("fares").rootFingerprint()).toArray();
		this.out.printf(Locale.ROOT, "%n  reads checked: %,d (%,d during switches), inconsistent reads or errors: %d%n",
				this.reads.get(), this.readsDuringSwitches.get(), this.errors.get());
		this.out.printf(Locale.ROOT, "  active on every node: v%d, root %s%n", v1, Fingerprints.toHex(roots[0]));
		return new Summary(3, this.errors.get(), this.reads.get(), this.readsDuringSwitches.get(), roots);
	}

	private ZyncoNode startNode(String name) throws InterruptedException {
		NodeConfig.Builder config = NodeConfig.builder()
			.name(name)
			.cluster(this.cluster)
			.secret(SECRET)
			.transportMode(TransportMode.AUTO)
			.multicastGroup("239.255.90.1", this.groupPort)
			.multicastInterface("lo")
			.multicastTtl(0)
			.packetSize(60_000)
			.socketBufferBytes(16 * 1024 * 1024)
			.sendRate(256L << 20, 2L << 30);
		if (!this.nodes.isEmpty()) {
			config.seed(new InetSocketAddress("127.0.0.1", this.nodes.get(0).self().controlPort()));
		}
		ZyncoNode node = ZyncoNode.create(config.build());
		node.register(FARES);
		node.start();
		return node;
	}

	/**
	 * Readers that take one view per "request" and check that two fares changed together by
	 * the repricing agree with each other and with the version that served them.
	 */
	private Thread[] startReaders() {
		Thread[] threads = new Thread[2];
		for (int t = 0; t < threads.length; t++) {
			int id = t;
			threads[t] = new Thread(() -> {
				SplittableRandom random = new SplittableRandom(id);
				while (!Thread.currentThread().isInterrupted()) {
					ZyncoNode node = this.nodes.get(random.nextInt(this.nodes.size()));
					ClusterView view = node.view();
					boolean duringSwitch = this.switching.get();
					try {
						check(view);
						this.reads.incrementAndGet();
						if (duringSwitch) {
							this.readsDuringSwitches.incrementAndGet();
						}
					}
					catch (RuntimeException ex) {
						this.errors.incrementAndGet();
						this.out.println("  read error: " + ex);
					}
					try {
						Thread.sleep(1); // about 1,000 reads per second per reader
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "zynco-demo-reader-" + t);
			threads[t].setDaemon(true);
			threads[t].start();
		}
		return threads;
	}

	private void check(ClusterView view) {
		if (view.version("fares").number() == 0) {
			return;
		}
		StateView<String, String> fares = view.view(FARES);
		SplittableRandom random = new SplittableRandom(7);
		long version = view.version("fares").number();
		// the first two fares the repricing touches: both at revision 1 in v2, both at 0 otherwise
		int a = random.nextInt(this.fares);
		int b = random.nextInt(this.fares);
		String fa = fares.get(this.generator.key(a));
		String fb = fares.get(this.generator.key(b));
		if (fa == null || fb == null) {
			throw new IllegalStateException("fare missing in v" + version);
		}
		boolean ra = fa.contains(";revision=1;");
		boolean rb = fb.contains(";revision=1;");
		if (ra != rb) {
			throw new IllegalStateException("torn read in v" + version + ": two fares of one repricing disagree");
		}
	}

	private void awaitVersion(long version) throws InterruptedException {
		awaitCondition("every node at v" + version, Duration.ofMinutes(5),
				() -> this.nodes.stream().allMatch((n) -> n.view().version("fares").number() == version));
		long root = this.nodes.get(0).view().version("fares").rootFingerprint();
		for (ZyncoNode node : this.nodes) {
			if (node.view().version("fares").rootFingerprint() != root) {
				this.errors.incrementAndGet();
				this.out.println("  root mismatch on " + node.config().name());
			}
		}
	}

	private void awaitCondition(String what, Duration timeout, java.util.function.BooleanSupplier condition)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("timed out waiting for: " + what);
			}
			Thread.sleep(5);
		}
	}

	private long sentBytes() {
		return this.nodes.stream().mapToLong((n) -> n.stats().wireBytesSent()).sum();
	}

	@SuppressWarnings("unchecked")
	private static ReplicatedState<String, String> fares(ZyncoNode node) {
		return (ReplicatedState<String, String>) node.state("fares");
	}

	void close() {
		this.nodes.forEach(ZyncoNode::close);
	}

	private record Step(String label, String change, long version, double ms, long sent, long changes) {
	}

	private static double ms(long start) {
		return (System.nanoTime() - start) / 1e6;
	}

	private static String mib(long bytes) {
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
	}

}
