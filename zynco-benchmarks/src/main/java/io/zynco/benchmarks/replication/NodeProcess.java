package io.zynco.benchmarks.replication;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;

import io.zynco.replication.ClusterView;
import io.zynco.replication.DataFaults;
import io.zynco.replication.NodeConfig;
import io.zynco.replication.NodeStats;
import io.zynco.replication.RejectedInputCounter;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ReplicationListener;
import io.zynco.replication.ZyncoNode;
import io.zynco.replication.transfer.RateController;
import io.zynco.replication.transfer.TransferReceiver;
import io.zynco.replication.transfer.TransferSender;
import io.zynco.state.Edit;
import io.zynco.state.Fingerprints;
import io.zynco.state.Snapshot;
import io.zynco.transport.TransportMode;
import io.zynco.transport.netty.NettyDataChannel;

/**
 * A child JVM of {@link ReplicationBenchmark}: one {@link ZyncoNode} on 127.0.0.1 with the
 * benchmark state registered. Speaks a line protocol: commands on stdin, reports on stdout
 * (timestamps are {@link System#nanoTime()}, CLOCK_MONOTONIC on Linux, so comparable across
 * the processes of one host).
 *
 * <pre>
 * commands: members | warmup MiB [rounds] | end-warmup | prepare-snapshot MiB | prepare-delta percent round | publish | gc | stats | quit
 * reports:  READY name controlPort dataPort mode sndbuf rcvbuf
 *           MEMBERS n ready | WARMED v ms | PREPARED entries ms | PUBLISH-START t | PUBLISHED v t | ERROR text
 *           RECEIVED v bytes t | VERSION v root t | DIAG event transferId t [detail] | GC-DONE
 *           WARMUP-PUBLISH-START t | WARMUP-PUBLISHED v t | WARMUP-VERSION v root t (the warm-up state's)
 *           WARMUP-ENDED dropped | STATS key=value ... | BYE
 * </pre>
 *
 * Diagnostics ({@code DIAG}: when a transfer starts, has sent all data, completes, and what
 * the rate controller does) read the node's private fields by reflection on the node loop;
 * they are for this benchmark only and switch themselves off if the fields change. The process
 * exits when stdin closes (the parent died) or after {@code --max-seconds}.
 */
public final class NodeProcess {

	private static final Object OUT = new Object();

	private NodeProcess() {
	}

	static void out(String line) {
		synchronized (OUT) {
			System.out.println(line);
			System.out.flush();
		}
	}

	public static void main(String[] argv) throws Exception {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		String name = args.require("name");
		long dataSeed = args.getLong("data-seed", 42);
		Watchdog.start("NodeProcess " + name, args.getInt("max-seconds", 900));

		double loss = args.getDouble("loss", 0);
		// a node measured without loss may still see loss in the warm-up, every other round
		// (see warmUp): its JIT profile then holds the NACK and repair branches, as a node's
		// that has run for a while does
		double warmupLoss = (loss > 0) ? 0 : args.getDouble("warmup-loss", 0);
		double injected = Math.max(loss, warmupLoss);
		DataFaults faults = (injected > 0) ? DataFaults.of(args.getLong("loss-seed", 1), injected, 0, 0)
				: DataFaults.none();
		RejectedInputCounter rejected = RejectedInputCounter.logging();
		NodeConfig.Builder config = NodeConfig.builder()
			.name(name)
			.cluster(args.require("cluster"))
			.secret(HexFormat.of().parseHex(args.require("secret")))
			.packetSecurity(NodeConfig.PacketSecurity.valueOf(args.get("security", "AES_GCM")))
			.bindHost("127.0.0.1")
			.controlPort(0)
			.transportMode(TransportMode.valueOf(args.get("mode", "MULTICAST")))
			.multicastGroup(args.get("group", "239.255.93.17"), args.getInt("group-port", 46_001))
			.multicastInterface("lo")
			.multicastTtl(0)
			.packetSize(args.getInt("packet", 60_000))
			.socketBufferBytes(args.getInt("sockbuf", 16 << 20))
			.sendRate(args.getLong("rate-initial", 200L << 20), args.getLong("rate-max", 2L << 30))
			.heartbeatInterval(Duration.ofMillis(200))
			.failureTimeout(Duration.ofSeconds(args.getInt("failure-timeout-s", 10)))
			.transferDeadline(Duration.ofSeconds(args.getInt("deadline-s", 120)))
			.prepareTimeout(Duration.ofSeconds(60))
			.rejectedInput(rejected)
			.dataFaults(faults);
		int seedPort = args.getInt("seed-port", 0);
		if (seedPort > 0) {
			config.seed(new InetSocketAddress("127.0.0.1", seedPort));
		}
		ZyncoNode node = ZyncoNode.create(config.build());
		ReplicatedState<byte[], byte[]> state = node.register(StateGen.TYPE);
		ReplicatedState<byte[], byte[]> warmup = node.register(
				StateGen.WARMUP.withSegmentBits(args.getInt("warmup-segment-bits", Snapshot.DEFAULT_SEGMENT_BITS)));
		String stateName = StateGen.TYPE.name();
		String warmupName = StateGen.WARMUP.name();
		node.addListener(new ReplicationListener() {

			@Override
			public void versionReceived(String s, long version, long bytes, boolean viaCatchUp) {
				out("RECEIVED " + version + " " + bytes + " " + System.nanoTime() + (viaCatchUp ? " catch-up" : ""));
			}

			@Override
			public void switched(ClusterView previous, ClusterView current, boolean rollback) {
				// the warm-up state's switches report through the same code as the measured
				// state's (see warmUp), under their own keyword
				reportSwitch("VERSION", stateName, previous, current);
				reportSwitch("WARMUP-VERSION", warmupName, previous, current);
				long warmupVersion = current.version(warmupName).number();
				if (warmupLoss > 0 && warmupVersion != previous.version(warmupName).number()) {
					faults.enable(warmupVersion % 2 == 0); // loss in every other warm-up round
				}
			}

			@Override
			public void mismatch(String s, long version, String reason) {
				out("MISMATCH " + version + " " + reason.replace('\n', ' '));
			}

		});
		Runtime.getRuntime().addShutdownHook(new Thread(node::close, "close-node"));
		node.start();
		EngineProbe probe = EngineProbe.attach(node, faults, args.getInt("sample-ms", 100));
		out("READY " + name + " " + node.self().controlPort() + " " + node.self().dataPort() + " "
				+ node.transportMode() + " " + probe.socketBuffers());

		Edit pending = null;
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			String[] cmd = line.trim().split("\\s+");
			try {
				switch (cmd[0]) {
					case "members" -> out("MEMBERS " + node.members().get(10, TimeUnit.SECONDS).size() + " "
							+ node.isReady());
					case "prepare-snapshot" -> {
						long t = System.nanoTime();
						int entries = StateGen.entries(Integer.parseInt(cmd[1]));
						pending = StateGen.snapshotEdit(state.active().snapshot(), dataSeed, entries);
						out("PREPARED " + entries + " " + (System.nanoTime() - t) / 1_000_000);
					}
					case "prepare-delta" -> {
						long t = System.nanoTime();
						int entries = (int) state.active().snapshot().size();
						pending = StateGen.deltaEdit(state.active().snapshot(), dataSeed, Integer.parseInt(cmd[2]),
								entries, Double.parseDouble(cmd[1]));
						out("PREPARED " + pending.changes().size() + " " + (System.nanoTime() - t) / 1_000_000);
					}
					case "warmup" -> {
						long t = System.nanoTime();
						long v = warmUp(warmup, probe, dataSeed + t, Integer.parseInt(cmd[1]),
								(cmd.length > 2) ? Integer.parseInt(cmd[2]) : 1);
						out("WARMED " + v + " " + (System.nanoTime() - t) / 1_000_000);
					}
					case "publish" -> {
						Edit edit = pending;
						pending = null;
						if (edit == null) {
							out("ERROR nothing prepared");
							break;
						}
						publish(state, edit, probe, "");
					}
					case "gc" -> {
						System.gc();
						out("GC-DONE");
					}
					case "end-warmup" -> {
						if (warmupLoss > 0) {
							faults.enable(false);
						}
						out("WARMUP-ENDED " + faults.dropped());
					}
					case "stats" -> out(statsLine(node, rejected, probe));
					case "quit" -> {
						out("BYE");
						node.close();
						System.exit(0);
					}
					default -> out("ERROR unknown command " + line);
				}
			}
			catch (Exception ex) {
				out("ERROR " + cmd[0] + ": " + String.valueOf(ex).replace('\n', ' '));
			}
		}
		node.close();
		System.exit(0);
	}

	/**
	 * Warms the JIT up as a node that has been running for a while: publishes {@code mib} MiB on
	 * the warm-up state, then rewrites every value {@code rounds - 1} times, so that the
	 * receive path sees as many packets as the JIT needs (C2 compiles a method after about
	 * 5,000-15,000 calls); returns the last version. Measured with JFR ({@code jdk.Compilation}
	 * at threshold 0, {@code ReplicationBenchmark --jfr true}), three more things were needed
	 * for C2 to be quiet in the measured windows:
	 * <ul>
	 * <li>Every fifth round is a 1% delta, as the measured delta is: a leaf that keeps some
	 * entries takes branches a full rewrite never does (without them C2 deoptimized
	 * {@code Trie.applyToLeaf} in the measured delta and took 230 ms to compile it again).
	 * <li>Every tenth round (the eighth of each ten) removes every entry, so that the next
	 * loads the state from empty, as the measured snapshot does: with a single load from empty
	 * at the start, C2 had compiled {@code Trie.heapNotIn} for bases that are branches only, and
	 * deoptimized it on the measured snapshot's empty base (and again on the receivers at its
	 * switch), 35-110 ms of C2 each time.
	 * <li>The warm-up state has as many entries per segment as the measured one (the parent
	 * passes {@code --warmup-segment-bits}, 5 for 16 MiB against 512 MiB on 1,024 segments):
	 * the trie's shape below a segment depends on that count alone, and a 16 MiB state on 1,024
	 * segments has one branch level and leaves of about 8 entries where the measured state has
	 * two or three levels and leaves of up to 32. Without it C2 deoptimized and recompiled
	 * {@code Trie.build}, {@code Trie.heapNotIn} (a branch where only leaves had been seen) and
	 * {@code Trie.applyToLeaf} (a leaf that may split) in the measured transfers.
	 * <li>Every round goes through the measured publish's own code ({@link #publish}) and
	 * every switch of the warm-up state is reported by the same code as the measured state's,
	 * and the parent asks every child for {@code stats} once after the warm-up (it asks again
	 * right before each measured publish): the first run of a string concatenation or lambda
	 * in this class makes the JDK spin classes (lambda forms, with its internal ASM), which
	 * took C2 230-430 ms of compiling ASM's {@code Frame.execute} and
	 * {@code MethodWriter.computeAllFrames} in every child at the measured switch (and, from
	 * the first {@code stats}, from just before the measured publish into it). That cost is
	 * this harness's, not Zynco's.
	 * </ul>
	 * Still left to chance: a C2 (re)compilation of the per-tick code ({@code ZyncoNode.tick},
	 * 140-350 ms) that falls in the window, after a deoptimization on a branch that the
	 * lossless warm-up rarely takes (a NACK in {@code TransferReceiver.tick}), or simply when
	 * the tick count crosses C2's threshold there.
	 */
	private static long warmUp(ReplicatedState<byte[], byte[]> warmup, EngineProbe probe, long seed, int mib,
			int rounds) throws Exception {
		int entries = StateGen.entries(mib);
		long v = -1;
		for (int round = 0; round < rounds; round++) {
			Snapshot active = warmup.active().snapshot();
			Edit edit = (round % 5 == 4) ? StateGen.deltaEdit(active, seed, round, entries, 1.0)
					: (round % 10 == 7) ? StateGen.clearEdit(active, entries)
							: StateGen.snapshotEdit(active, seed + round, entries);
			v = publish(warmup, edit, probe, "WARMUP-").get(120, TimeUnit.SECONDS);
		}
		return v;
	}

	/**
	 * Publishes {@code edit} and reports {@code <prefix>PUBLISH-START t} now and
	 * {@code <prefix>PUBLISHED v t} (or {@code ERROR}) when the cluster switched; the measured
	 * publishes and the warm-up's share this code, so that the measured ones run none of it
	 * for the first time.
	 */
	private static java.util.concurrent.CompletableFuture<Long> publish(ReplicatedState<byte[], byte[]> target,
			Edit edit, EngineProbe probe, String prefix) {
		probe.resetRate();
		out(prefix + "PUBLISH-START " + System.nanoTime());
		java.util.concurrent.CompletableFuture<Long> done = target.publish(edit);
		done.whenComplete((v, ex) -> {
			if (ex != null) {
				out("ERROR publish failed: " + String.valueOf(ex).replace('\n', ' '));
			}
			else {
				out(prefix + "PUBLISHED " + v + " " + System.nanoTime());
			}
		});
		return done;
	}

	/** Reports {@code <keyword> version root t} if {@code stateName}'s version changed. */
	private static void reportSwitch(String keyword, String stateName, ClusterView previous, ClusterView current) {
		long before = previous.version(stateName).number();
		long now = current.version(stateName).number();
		if (before != now) {
			out(keyword + " " + now + " " + Fingerprints.toHex(current.version(stateName).rootFingerprint()) + " "
					+ System.nanoTime());
		}
	}

	/** The {@code STATS} report. */
	private static String statsLine(ZyncoNode node, RejectedInputCounter rejected, EngineProbe probe) {
		return "STATS " + stats(node.stats(), rejected) + " " + probe.stats();
	}

	private static String stats(NodeStats s, RejectedInputCounter rejected) {
		StringBuilder b = new StringBuilder();
		b.append("versionsReceived=").append(s.versionsReceived())
			.append(" transfers=").append(s.transfers())
			.append(" transfersDropped=").append(s.transfersDropped())
			.append(" payloadBytesSent=").append(s.payloadBytesSent())
			.append(" wireBytesSent=").append(s.wireBytesSent())
			.append(" packetsSent=").append(s.packetsSent())
			.append(" repairsMulticast=").append(s.repairsMulticast())
			.append(" repairsUnicast=").append(s.repairsUnicast())
			.append(" nacksReceived=").append(s.nacksReceived())
			.append(" switches=").append(s.switches())
			.append(" switchesAborted=").append(s.switchesAborted())
			.append(" catchUps=").append(s.catchUps())
			.append(" mismatches=").append(s.mismatches())
			.append(" rejected=").append(rejected.total());
		rejected.counts().forEach((k, v) -> b.append(" rej:").append(k.replace(' ', '_')).append('=').append(v));
		return b.toString();
	}

	/**
	 * Benchmark-only view into the node's loop-confined transfer state, polled every
	 * millisecond on the node loop. Falls back to nothing if the private fields change.
	 */
	static final class EngineProbe {

		private final EventLoop loop;

		private final Map<?, ?> outgoing;

		private final Map<?, ?> incoming;

		private final RateController rate;

		private final Object data;

		private final DataFaults faults;

		private final Field outTransfer;

		private final Field inTransfer;

		private final Field inCompleting;

		private final Set<Object> outSeen = new HashSet<>();

		private final Set<Object> outAllSent = new HashSet<>();

		private final Set<Object> outDone = new HashSet<>();

		private final Set<Object> inSeen = new HashSet<>();

		private final Set<Object> inComplete = new HashSet<>();

		private final Set<Object> inGone = new HashSet<>();

		private long maxRate;

		private int polls;

		private long lastPoll;

		private long maxGap;

		private int slowPolls;

		private final int sampleEvery;

		private long minRate = Long.MAX_VALUE;

		private final String failure;

		private EngineProbe(ZyncoNode node, DataFaults faults, String failure, int sampleEvery)
				throws ReflectiveOperationException {
			this.faults = faults;
			this.sampleEvery = sampleEvery;
			this.failure = failure;
			if (failure != null) {
				this.loop = null;
				this.outgoing = null;
				this.incoming = null;
				this.rate = null;
				this.data = null;
				this.outTransfer = null;
				this.inTransfer = null;
				this.inCompleting = null;
				return;
			}
			this.loop = (EventLoop) field(ZyncoNode.class, "loop").get(node);
			this.outgoing = (Map<?, ?>) field(ZyncoNode.class, "outgoing").get(node);
			this.incoming = (Map<?, ?>) field(ZyncoNode.class, "incoming").get(node);
			this.rate = (RateController) field(ZyncoNode.class, "rate").get(node);
			this.data = field(ZyncoNode.class, "data").get(node);
			this.outTransfer = field(Class.forName(ZyncoNode.class.getName() + "$Outgoing"), "transfer");
			Class<?> incomingClass = Class.forName(ZyncoNode.class.getName() + "$Incoming");
			this.inTransfer = field(incomingClass, "transfer");
			this.inCompleting = field(incomingClass, "completing");
		}

		static EngineProbe attach(ZyncoNode node, DataFaults faults, int sampleEvery) {
			EngineProbe probe;
			try {
				probe = new EngineProbe(node, faults, null, sampleEvery);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				out("DIAG unavailable 0 0 " + ex.toString().replace(' ', '_'));
				try {
					return new EngineProbe(node, faults, ex.toString(), 0);
				}
				catch (ReflectiveOperationException impossible) {
					throw new IllegalStateException(impossible);
				}
			}
			probe.loop.scheduleAtFixedRate(probe::poll, 1, 1, TimeUnit.MILLISECONDS);
			return probe;
		}

		private static Field field(Class<?> type, String name) throws NoSuchFieldException {
			Field f = type.getDeclaredField(name);
			f.setAccessible(true);
			return f;
		}

		String socketBuffers() {
			if (this.data instanceof NettyDataChannel channel) {
				return channel.effectiveSendBufferSize() + " " + channel.effectiveReceiveBufferSize();
			}
			return "-1 -1";
		}

		void resetRate() {
			if (this.failure != null) {
				return;
			}
			this.loop.execute(() -> {
				this.maxRate = 0;
				this.minRate = Long.MAX_VALUE;
			});
		}

		private static void emit(String event, Object id, long now, String detail) {
			out("DIAG " + event + " " + id + " " + now + ((detail != null) ? " " + detail : ""));
		}

		/** On the node loop. */
		private void poll() {
			try {
				long now = System.nanoTime();
				if (this.lastPoll != 0) {
					long gap = now - this.lastPoll;
					this.maxGap = Math.max(this.maxGap, gap);
					if (gap > 5_000_000) {
						this.slowPolls++;
					}
				}
				this.lastPoll = now;
				boolean sample = this.sampleEvery > 0 && ++this.polls % this.sampleEvery == 0;
				if (sample) {
					String loopHealth = " loopMaxGapMs=" + this.maxGap / 1_000_000 + " loopGapsOver5ms=" + this.slowPolls;
					this.maxGap = 0;
					this.slowPolls = 0;
					for (Map.Entry<?, ?> e : this.outgoing.entrySet()) {
						TransferSender t = (TransferSender) this.outTransfer.get(e.getValue());
						if (t != null) {
							emit("rate-sample", e.getKey(), now, "rate=" + this.rate.rate() + " decreases="
									+ this.rate.decreases() + " increases=" + this.rate.increases() + " allDataSent="
									+ t.allDataSent() + " pendingRepairs=" + t.pendingRepairs() + " refused="
									+ t.repairRequestsRefused() + loopHealth);
						}
					}
					for (Map.Entry<?, ?> e : this.incoming.entrySet()) {
						TransferReceiver t = (TransferReceiver) this.inTransfer.get(e.getValue());
						emit("rx-sample", e.getKey(), now, "received=" + t.receivedPackets() + " missing="
								+ t.missingPackets() + " duplicates=" + t.duplicatePackets() + " nacksSent="
								+ t.nacksSent() + " faultsDropped=" + this.faults.dropped() + loopHealth);
					}
				}
				for (Map.Entry<?, ?> e : this.outgoing.entrySet()) {
					TransferSender t = (TransferSender) this.outTransfer.get(e.getValue());
					if (t == null) {
						continue;
					}
					if (this.outSeen.add(e.getKey())) {
						emit("out-start", e.getKey(), now, "bytes=" + t.begin().totalBytes() + " packets="
								+ t.begin().packetCount() + " rate=" + this.rate.rate());
					}
					if (t.allDataSent() && this.outAllSent.add(e.getKey())) {
						emit("out-all-sent", e.getKey(), now, "pendingRepairs=" + t.pendingRepairs() + " rate="
								+ this.rate.rate());
					}
					long r = this.rate.rate();
					this.maxRate = Math.max(this.maxRate, r);
					this.minRate = Math.min(this.minRate, r);
				}
				for (Object id : this.outSeen) {
					if (!this.outgoing.containsKey(id) && this.outDone.add(id)) {
						emit("out-done", id, now, "rate=" + this.rate.rate());
					}
				}
				for (Map.Entry<?, ?> e : this.incoming.entrySet()) {
					if (this.inSeen.add(e.getKey())) {
						emit("in-begin", e.getKey(), now, null);
					}
					if (this.inCompleting.getBoolean(e.getValue()) && this.inComplete.add(e.getKey())) {
						TransferReceiver t = (TransferReceiver) this.inTransfer.get(e.getValue());
						emit("in-complete", e.getKey(), now, "duplicates=" + t.duplicatePackets() + " nacksSent="
								+ t.nacksSent() + " rejectedPackets=" + t.rejectedPackets());
					}
				}
				for (Object id : this.inSeen) {
					if (!this.incoming.containsKey(id) && this.inGone.add(id)) {
						emit("in-gone", id, now, null);
					}
				}
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				out("DIAG poll-failed 0 0 " + ex.toString().replace(' ', '_'));
				throw new IllegalStateException(ex); // cancels the scheduled poll
			}
		}

		String stats() {
			if (this.failure != null) {
				return "diag=off faultsDropped=" + this.faults.dropped();
			}
			try {
				return this.loop.submit(() -> "rate=" + this.rate.rate() + " rateMax=" + this.maxRate + " rateMin="
						+ ((this.minRate == Long.MAX_VALUE) ? -1 : this.minRate) + " rateDecreases="
						+ this.rate.decreases() + " rateIncreases=" + this.rate.increases() + " faultsDropped="
						+ this.faults.dropped()).get(10, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				return "diag=failed";
			}
		}

	}

}
