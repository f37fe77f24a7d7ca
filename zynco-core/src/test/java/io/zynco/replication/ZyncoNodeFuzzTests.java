package io.zynco.replication;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Hello;
import io.zynco.protocol.ControlMessage.HelloAuth;
import io.zynco.protocol.ControlMessageSamples;
import io.zynco.protocol.DataPacket;
import io.zynco.protocol.InvalidFrameException;
import io.zynco.protocol.MemberInfo;
import io.zynco.protocol.MessageTypes;
import io.zynco.protocol.PacketAuthenticator;
import io.zynco.protocol.RejectReason;
import io.zynco.protocol.ReplayWindow;
import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.testing.Await;
import io.zynco.testing.Seeds;
import io.zynco.transport.TransportMode;
import io.zynco.transport.netty.NettyControlChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live two-node cluster on loopback (HMAC-SHA256 packet security) under a fuzzer: random,
 * mutated, truncated, oversized, unauthenticated, replayed and wrong-version datagrams at node
 * B's data port, and random, malformed, oversized and unauthenticated byte streams at its
 * control port. The fate of every input is predicted with the protocol classes, applying the
 * same checks in the same order as the channels, so the test can check that every rejection is
 * counted under its reason, that each reason is logged once, and that the node keeps running
 * with its state intact. Seeded ({@link Seeds}): a failure replays with the same inputs.
 */
class ZyncoNodeFuzzTests {

	private static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8())
		.withSegmentBits(6);

	private static final String CLUSTER = "fuzz";

	private static final byte[] SECRET = "a-fuzz-secret-of-32-bytes-000000".getBytes(StandardCharsets.UTF_8);

	private static final byte[] OTHER_SECRET = "another-secret-of-32-bytes-11111".getBytes(StandardCharsets.UTF_8);

	private static final int PACKET_SIZE = 8_192;

	private static final int MAX_FRAME = ControlFrameCodec.DEFAULT_MAX_FRAME_LENGTH;

	/** Largest frame a node accepts before the handshake completes. */
	private static final int HANDSHAKE_MAX_FRAME = Math.min(NettyControlChannel.HANDSHAKE_MAX_FRAME_LENGTH, MAX_FRAME);

	private static final int DATAGRAMS = 100_000;

	private static final int CONNECTIONS = 3_000;

	/** Datagrams sent before waiting until node B has counted them (so its socket buffer never overflows). */
	private static final int BATCH = 256;

	/** The node's tag for an authenticated announcement that does not hold its sender. */
	private static final String BAD_ANNOUNCE = "bad-announce";

	/** Rejections of these reasons depend on the replay window, which a lost datagram changes. */
	private static final Set<String> STATEFUL = Set.of(RejectReason.REPLAYED.tag(), RejectReason.TOO_OLD.tag(),
			RejectReason.BAD_MAC.tag(), BAD_ANNOUNCE);

	private static final Pattern REJECTION_LOG = Pattern.compile("^rejected (\\w+) input \\(([^)]+)\\): .*");

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final Logger ROOT_LOGGER = Logger.getLogger("");

	private final List<ZyncoNode> nodes = new ArrayList<>();

	private final RejectedInputCounter rejectedByA = RejectedInputCounter.logging();

	private final RejectedInputCounter rejectedByB = RejectedInputCounter.logging();

	private final LogCapture logs = new LogCapture("zynco-fuzz-b-");

	private ZyncoNode a;

	private ZyncoNode b;

	@BeforeEach
	void captureLogs() {
		ROOT_LOGGER.addHandler(this.logs);
	}

	@AfterEach
	void stop() {
		this.nodes.forEach(ZyncoNode::close);
		ROOT_LOGGER.removeHandler(this.logs);
	}

	@Test
	@Timeout(value = 180, unit = TimeUnit.SECONDS)
	void rejectsCountsAndLogsOnceEveryBadInputAndKeepsItsState() throws Exception {
		startCluster(100L << 20);
		long v1 = fares(this.a).publish((edit) -> {
			for (int i = 0; i < 2_000; i++) {
				edit.put("route-" + i, "fare-" + i);
			}
		}).get(30, TimeUnit.SECONDS);
		awaitBothAt(v1);
		long rootBefore = this.b.view().version("fares").rootFingerprint();
		int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
		long descriptorsBefore = openFileDescriptors();
		long seed = Seeds.of(1).findFirst().orElseThrow();
		long started = System.nanoTime();

		// ---- UDP: datagrams at node B's data port
		DatagramFuzzer datagrams = new DatagramFuzzer(new SplittableRandom(seed), this.a.self().id(),
				this.b.self().id());
		Map<String, Long> predictedData = new TreeMap<>();
		InetSocketAddress dataPort = new InetSocketAddress("127.0.0.1", this.b.self().dataPort());
		long predicted = 0;
		long deficit = 0;
		try (DatagramChannel udp = DatagramChannel.open()) {
			for (int i = 0; i < DATAGRAMS; i++) {
				byte[] datagram = datagrams.next();
				String reason = datagrams.predict(datagram);
				if (reason != null) {
					predicted++;
					predictedData.merge(reason, 1L, Long::sum);
				}
				udp.send(ByteBuffer.wrap(datagram), dataPort);
				if ((i + 1) % BATCH == 0) {
					// wait until B has taken the batch in; a datagram the kernel dropped never comes
					long target = predicted - deficit;
					if (!reached(Duration.ofSeconds(1), () -> total(this.rejectedByB, "data") >= target)) {
						deficit = predicted - total(this.rejectedByB, "data");
					}
				}
				assertThat(System.nanoTime() - started).as("time spent fuzzing")
					.isLessThan(TimeUnit.SECONDS.toNanos(120));
			}
		}
		long expectedData = predicted;
		reached(Duration.ofSeconds(10), () -> total(this.rejectedByB, "data") >= expectedData);
		long udpNanos = System.nanoTime() - started;

		// ---- TCP: byte streams at node B's control port, one connection each
		StreamFuzzer streams = new StreamFuzzer(new SplittableRandom(seed + 1), this.a.self().id(),
				this.b.self().id());
		Map<String, Long> predictedControl = new TreeMap<>();
		InetSocketAddress controlPort = new InetSocketAddress("127.0.0.1", this.b.self().controlPort());
		long tcpStarted = System.nanoTime();
		for (int i = 0; i < CONNECTIONS; i++) {
			byte[] stream = streams.next();
			String reason = streams.predict(stream);
			if (reason != null) {
				predictedControl.merge(reason, 1L, Long::sum);
			}
			exchange(controlPort, stream);
			assertThat(System.nanoTime() - started).as("time spent fuzzing")
				.isLessThan(TimeUnit.SECONDS.toNanos(150));
		}
		long tcpNanos = System.nanoTime() - tcpStarted;

		// ---- every rejection counted, under the reason predicted
		Await.until(TIMEOUT, () -> "control rejections " + counts(this.rejectedByB, "control") + " as predicted "
				+ predictedControl, () -> counts(this.rejectedByB, "control").equals(predictedControl));
		Map<String, Long> countedData = counts(this.rejectedByB, "data");
		long counted = countedData.values().stream().mapToLong(Long::longValue).sum();
		long lost = predicted - counted;
		System.out.printf("fuzzed node B: %,d datagrams in %,d ms %s, %,d connections (%,d frames) in %,d ms %s%n"
				+ "  data rejections counted %s (predicted %s, %,d not counted: lost or let through)%n"
				+ "  control rejections counted %s (%,d streams left incomplete)%n",
				DATAGRAMS, TimeUnit.NANOSECONDS.toMillis(udpNanos), datagrams.fired, CONNECTIONS, streams.frames,
				TimeUnit.NANOSECONDS.toMillis(tcpNanos), streams.fired, countedData, predictedData, lost,
				counts(this.rejectedByB, "control"), CONNECTIONS - predictedControl.values().stream()
					.mapToLong(Long::longValue)
					.sum());
		assertThat(streams.surprises).as("frames the codec failed on with something else than InvalidFrameException")
			.isEmpty();
		assertThat(DATAGRAMS + streams.frames).isGreaterThanOrEqualTo(100_000);
		assertThat(lost).as("datagrams predicted to be rejected but not counted").isBetween(0L, predicted / 20);
		assertThat(countedData.keySet()).isSubsetOf(predictedData.keySet());
		predictedData.forEach((reason, expected) -> {
			long actual = countedData.getOrDefault(reason, 0L);
			if (STATEFUL.contains(reason)) {
				assertThat(actual).as("data/" + reason).isPositive();
			}
			else {
				assertThat(actual).as("data/" + reason).isBetween(expected - lost, expected);
			}
		});
		assertThat(predictedData).containsKeys("truncated", "too-long", "bad-magic", "bad-version", "bad-type",
				"bad-field", "bad-length", "wrong-auth-mode", "bad-mac", "replayed", "too-old", BAD_ANNOUNCE);
		assertThat(predictedControl).containsKeys("truncated", "trailing-bytes", "too-long", "bad-length",
				"unknown-type", "bad-field", "bad-utf8", "wrong-cluster", "wrong-version", "bad-auth",
				"unexpected-frame", "self-connection");

		// ---- each reason logged once, and nothing else logged by node B's loop
		assertLoggedOncePerReason();

		// ---- both nodes alive, B's state intact, no stray member, connection or thread
		assertThat(this.a.isRunning()).isTrue();
		assertThat(this.b.isRunning()).isTrue();
		assertThat(this.b.view().version("fares").number()).isEqualTo(v1);
		assertThat(this.b.view().version("fares").rootFingerprint()).isEqualTo(rootBefore)
			.isEqualTo(this.a.view().version("fares").rootFingerprint());
		assertThat(this.b.view().version("fares").snapshot().verify()).isTrue();
		assertOnlyEachOther();
		assertThat(this.rejectedByA.counts()).as("rejections at node A, which was not fuzzed").isEmpty();
		Await.until(TIMEOUT, () -> "file descriptors back to about " + descriptorsBefore + ": " + openFileDescriptors(),
				() -> openFileDescriptors() <= descriptorsBefore + 8);
		assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).isLessThanOrEqualTo(threadsBefore + 4);

		// ---- and still live: a publish on B converges on both
		long v2 = fares(this.b).publish((edit) -> {
			for (int i = 0; i < 500; i++) {
				edit.put("route-" + i, "after-fuzz-" + i);
			}
		}).get(30, TimeUnit.SECONDS);
		assertThat(v2).isGreaterThan(v1);
		awaitBothAt(v2);
		assertThat(fares(this.a).view().get("route-7")).isEqualTo("after-fuzz-7");
		assertThat(this.logs.leaks).as("Netty buffer leaks").isEmpty();
	}

	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void survivesGarbageOnEveryChannelDuringATransfer() throws Exception {
		// a slow sender, so that the transfer takes a while under the fuzz
		startCluster(8L << 20);
		long v1 = fares(this.a).publish((edit) -> edit.put("k", "1")).get(30, TimeUnit.SECONDS);
		awaitBothAt(v1);
		long seed = Seeds.of(2).skip(1).findFirst().orElseThrow();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong datagramsFired = new AtomicLong();
		AtomicLong connectionsMade = new AtomicLong();
		ExecutorService fuzzers = Executors.newFixedThreadPool(2);
		try {
			Future<?> udp = fuzzers.submit(() -> fireDatagrams(new DatagramFuzzer(new SplittableRandom(seed),
					this.a.self().id(), this.b.self().id()), stop, datagramsFired));
			Future<?> tcp = fuzzers.submit(() -> fireStreams(new StreamFuzzer(new SplittableRandom(seed + 1),
					this.a.self().id(), this.b.self().id()), stop, connectionsMade));
			Await.until(TIMEOUT, "the fuzz is under way",
					() -> total(this.rejectedByB, "data") > 1_000 && total(this.rejectedByB, "control") > 10);

			// published on B: the delta goes to the coordinator A over TCP, then back to B over UDP
			long v2 = fares(this.b).publish((edit) -> {
				for (int i = 0; i < 20_000; i++) {
					edit.put("route-" + i, "fare-" + i + "-" + "x".repeat(100));
				}
			}).get(60, TimeUnit.SECONDS);
			awaitBothAt(v2);
			assertThat(udp.isDone()).as("the datagram fuzz outlived the transfer").isFalse();
			assertThat(tcp.isDone()).as("the connection fuzz outlived the transfer").isFalse();
			stop.set(true);
			udp.get(30, TimeUnit.SECONDS);
			tcp.get(30, TimeUnit.SECONDS);
		}
		finally {
			stop.set(true);
			fuzzers.shutdownNow();
			assertThat(fuzzers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
		System.out.printf("fuzzed node B during a transfer: %,d datagrams, %,d connections; rejections %s%n",
				datagramsFired.get(), connectionsMade.get(), this.rejectedByB.counts());
		assertThat(this.a.isRunning()).isTrue();
		assertThat(this.b.isRunning()).isTrue();
		assertThat(this.b.view().version("fares").snapshot().verify()).isTrue();
		assertThat(fares(this.b).view().get("route-19999")).startsWith("fare-19999-");
		assertThat(this.b.stats().mismatches()).isZero();
		assertOnlyEachOther();
		assertThat(this.rejectedByA.counts()).isEmpty();
		assertLoggedOncePerReason();
	}

	// ---------------------------------------------------------------- cluster

	/** Node A, then node B; B's clock runs a second ahead, so A is older and coordinates. */
	private void startCluster(long maxSendRate) throws InterruptedException {
		this.a = node("fuzz-a", this.rejectedByA, null, maxSendRate, Clock.systemUTC());
		this.b = node("fuzz-b", this.rejectedByB, new InetSocketAddress("127.0.0.1", this.a.self().controlPort()),
				maxSendRate, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1)));
		Await.until(TIMEOUT, "both nodes see each other",
				() -> this.nodes.stream().allMatch((n) -> n.members().join().size() == 2));
		Await.until(TIMEOUT, "both nodes are ready", () -> this.a.isReady() && this.b.isReady());
		assertThat(this.b.isCoordinator().join()).isFalse();
	}

	private ZyncoNode node(String name, RejectedInputCounter rejected, InetSocketAddress seed, long maxSendRate,
			Clock clock) throws InterruptedException {
		NodeConfig.Builder config = NodeConfig.builder()
			.name(name)
			.cluster(CLUSTER)
			.secret(SECRET)
			.packetSecurity(NodeConfig.PacketSecurity.HMAC_SHA256)
			.transportMode(TransportMode.UNICAST)
			.packetSize(PACKET_SIZE)
			.sendRate(Math.min(maxSendRate, 32L << 20), maxSendRate)
			.heartbeatInterval(Duration.ofMillis(100))
			.failureTimeout(Duration.ofSeconds(2))
			.rejectedInput(rejected)
			.clock(clock);
		if (seed != null) {
			config.seed(seed);
		}
		ZyncoNode node = ZyncoNode.create(config.build());
		node.register(FARES);
		this.nodes.add(node);
		node.start();
		return node;
	}

	@SuppressWarnings("unchecked")
	private static ReplicatedState<String, String> fares(ZyncoNode node) {
		return (ReplicatedState<String, String>) node.state("fares");
	}

	private void awaitBothAt(long version) {
		Await.until(TIMEOUT, () -> "both nodes at version " + version + ": " + this.nodes.stream()
			.map((n) -> n.config().name() + "@" + n.view().version("fares").number())
			.toList(), () -> this.nodes.stream().allMatch((n) -> n.view().version("fares").number() == version));
		assertThat(this.b.view().version("fares").rootFingerprint())
			.isEqualTo(this.a.view().version("fares").rootFingerprint());
	}

	/** Each node's view holds exactly the two of them: no forged hello made anyone a member. */
	private void assertOnlyEachOther() {
		Set<Long> both = Set.of(this.a.self().id(), this.b.self().id());
		Await.until(TIMEOUT, "each node's view is the two of them, both alive",
				() -> this.nodes.stream().allMatch((n) -> {
					List<ZyncoNode.MemberView> members = n.members().join();
					return members.stream().map((m) -> m.member().id()).collect(Collectors.toSet()).equals(both)
							&& members.stream().allMatch((m) -> m.state().equals("ALIVE"));
				}));
	}

	private void assertLoggedOncePerReason() {
		// a reason is counted just before its line is logged
		Await.until(TIMEOUT, () -> "a line logged for each reason counted " + this.rejectedByB.counts().keySet()
				+ ": " + logged().keySet(), () -> logged().keySet().equals(this.rejectedByB.counts().keySet()));
		for (String warning : this.logs.nodeWarnings) {
			assertThat(REJECTION_LOG.matcher(warning).matches())
				.as("node B logged something else than a first rejection: " + warning)
				.isTrue();
		}
		assertThat(logged()).as("log lines per reason").allSatisfy((key, lines) -> assertThat(lines).isOne());
	}

	/** Lines logged on node B's loop per rejection key ({@code channel/reason}). */
	private Map<String, Integer> logged() {
		Map<String, Integer> logged = new HashMap<>();
		for (String warning : this.logs.nodeWarnings) {
			Matcher matcher = REJECTION_LOG.matcher(warning);
			if (matcher.matches()) {
				logged.merge(matcher.group(1) + "/" + matcher.group(2), 1, Integer::sum);
			}
		}
		return logged;
	}

	// ---------------------------------------------------------------- firing

	/** Fires datagrams, paced, until told to stop (bounded in count and time). */
	private Void fireDatagrams(DatagramFuzzer fuzzer, AtomicBoolean stop, AtomicLong fired) throws IOException {
		InetSocketAddress target = new InetSocketAddress("127.0.0.1", this.b.self().dataPort());
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		try (DatagramChannel udp = DatagramChannel.open()) {
			for (int i = 0; i < 1_000_000 && !stop.get() && System.nanoTime() - deadline < 0; i++) {
				udp.send(ByteBuffer.wrap(fuzzer.next()), target);
				fired.incrementAndGet();
				if (i % 16 == 15) {
					// pacing, not synchronisation: about 20,000 datagrams a second at most
					LockSupport.parkNanos(800_000);
				}
			}
		}
		return null;
	}

	/** Opens garbage connections one after another until told to stop (bounded in count and time). */
	private Void fireStreams(StreamFuzzer fuzzer, AtomicBoolean stop, AtomicLong made) throws IOException {
		InetSocketAddress target = new InetSocketAddress("127.0.0.1", this.b.self().controlPort());
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		for (int i = 0; i < 100_000 && !stop.get() && System.nanoTime() - deadline < 0; i++) {
			exchange(target, fuzzer.next());
			made.incrementAndGet();
		}
		return null;
	}

	/**
	 * Writes a stream on a new connection, half-closes it, and reads until node B closes it. B
	 * must close every connection: each one is either rejected or left incomplete at our end.
	 */
	private static void exchange(InetSocketAddress address, byte[] stream) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(address, 5_000);
			socket.setSoTimeout(10_000);
			try {
				socket.getOutputStream().write(stream);
				socket.shutdownOutput();
			}
			catch (IOException ex) {
				// B rejected the stream and reset the connection before reading all of it
			}
			InputStream in = socket.getInputStream();
			byte[] sink = new byte[4096];
			try {
				int read;
				do {
					read = in.read(sink);
				}
				while (read >= 0);
			}
			catch (SocketTimeoutException ex) {
				throw new AssertionError("node B left a connection open for 10 s after "
						+ Arrays.toString(Arrays.copyOf(stream, Math.min(stream.length, 64))), ex);
			}
			catch (IOException ex) {
				// reset by B: closed as well
			}
		}
	}

	private static boolean reached(Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			LockSupport.parkNanos(50_000);
		}
		return true;
	}

	// ---------------------------------------------------------------- observing

	/** Counts of one channel by reason. */
	private static Map<String, Long> counts(RejectedInputCounter counter, String channel) {
		Map<String, Long> counts = new TreeMap<>();
		counter.counts().forEach((key, count) -> {
			if (key.startsWith(channel + "/")) {
				counts.put(key.substring(channel.length() + 1), count);
			}
		});
		return counts;
	}

	private static long total(RejectedInputCounter counter, String channel) {
		return counts(counter, channel).values().stream().mapToLong(Long::longValue).sum();
	}

	/** Open file descriptors of this process (sockets included), or 0 where /proc is missing. */
	private static long openFileDescriptors() {
		Path fds = Path.of("/proc/self/fd");
		if (!Files.isDirectory(fds)) {
			return 0;
		}
		try (Stream<Path> list = Files.list(fds)) {
			return list.count();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Collects WARNING and worse logged on node B's loop, and Netty leak reports. */
	private static final class LogCapture extends Handler {

		private final String threadPrefix;

		final Queue<String> nodeWarnings = new ConcurrentLinkedQueue<>();

		final Queue<String> leaks = new ConcurrentLinkedQueue<>();

		LogCapture(String threadPrefix) {
			this.threadPrefix = threadPrefix;
		}

		@Override
		public void publish(LogRecord record) {
			String logger = (record.getLoggerName() != null) ? record.getLoggerName() : "";
			if (logger.startsWith("io.netty.util.ResourceLeakDetector")
					&& record.getLevel().intValue() >= Level.WARNING.intValue()) {
				this.leaks.add(record.getMessage());
			}
			if (record.getLevel().intValue() >= Level.WARNING.intValue()
					&& Thread.currentThread().getName().startsWith(this.threadPrefix)) {
				this.nodeWarnings.add(record.getMessage());
			}
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	}

	// ---------------------------------------------------------------- datagrams

	private enum DatagramKind {

		/** Random bytes of any length (short, in range, too long). */
		RANDOM_BYTES(12),
		/** The right magic, then random bytes. */
		MAGIC_THEN_RANDOM(5),
		/** A sealed packet (sent before or not) with a few bits flipped. */
		BIT_FLIPPED(16),
		/** A sealed packet cut short. */
		TRUNCATED(8),
		/** A sealed packet with bytes appended. */
		EXTENDED(6),
		/** A well-formed header on a datagram longer than the packet size. */
		OVERSIZED(3),
		/** A well-formed packet with a random tag. */
		WRONG_TAG(8),
		/** A packet sealed under another cluster secret. */
		WRONG_KEY(4),
		/** A sealed packet of another protocol version. */
		WRONG_VERSION(4),
		/** A sealed packet with another magic. */
		WRONG_MAGIC(3),
		/** A sealed packet of an unknown type. */
		WRONG_TYPE(3),
		/** Non-zero flags or reserved bits, or a counter that is not positive. */
		BAD_FIELD(3),
		/** A packet sealed with no authentication or with AES-GCM. */
		WRONG_AUTH_MODE(3),
		/** A genuine packet sent again. */
		REPLAYED(8),
		/** Correctly authenticated, claiming to be node A, with a counter far below A's. */
		OLD_COUNTER_AS_A(3),
		/** Claiming to be node A, with a counter far ahead of A's, and a wrong tag. */
		FORGED_AHEAD_AS_A(3),
		/** A genuine packet of a (fake) member: accepted, then ignored (data) or refused (announcement). */
		GENUINE(3),
		/** A genuine packet claiming to come from node B itself: dropped silently. */
		FROM_ITSELF(1),
		/** Another node's multicast probe: dropped silently. */
		FOREIGN_PROBE(1);

		final int weight;

		DatagramKind(int weight) {
			this.weight = weight;
		}

	}

	/**
	 * Makes datagrams for node B and predicts what B does with each: the checks of
	 * {@code NettyDataChannel}, in its order, with a mirror of B's anti-replay window for the
	 * fake member that sends the genuine packets, then the node's check of announcements. Not
	 * thread-safe.
	 */
	private static final class DatagramFuzzer {

		/** Far below node A's packet counters, which start at the wall clock in nanoseconds. */
		private static final long A_COUNTER_FLOOR = 1L << 50;

		private static final int MAX_PAYLOAD = PACKET_SIZE - DataPacket.OVERHEAD;

		private final SplittableRandom random;

		private final long aId;

		private final long bId;

		private final long fakeMember;

		private final PacketAuthenticator hmac = PacketAuthenticator.hmacSha256(SECRET);

		private final PacketAuthenticator otherKey = PacketAuthenticator.hmacSha256(OTHER_SECRET);

		private final PacketAuthenticator aes = PacketAuthenticator.aesGcm(SECRET);

		private final DataPacket packet = new DataPacket();

		private final ReplayWindow mirror = new ReplayWindow();

		/** Genuine packets sent, for replays and mutations (a ring). */
		private final List<byte[]> sent = new ArrayList<>();

		private int sentNext;

		private byte[] latest;

		private long counter = 1;

		private final int totalWeight = Stream.of(DatagramKind.values()).mapToInt((k) -> k.weight).sum();

		final Map<DatagramKind, Integer> fired = new EnumMap<>(DatagramKind.class);

		DatagramFuzzer(SplittableRandom random, long aId, long bId) {
			this.random = random;
			this.aId = aId;
			this.bId = bId;
			long fake;
			do {
				fake = random.nextLong();
			}
			while (fake == aId || fake == bId);
			this.fakeMember = fake;
		}

		byte[] next() {
			int pick = this.random.nextInt(this.totalWeight);
			DatagramKind kind = null;
			for (DatagramKind candidate : DatagramKind.values()) {
				pick -= candidate.weight;
				if (pick < 0) {
					kind = candidate;
					break;
				}
			}
			this.fired.merge(kind, 1, Integer::sum);
			return next(kind);
		}

		private byte[] next(DatagramKind kind) {
			SplittableRandom r = this.random;
			return switch (kind) {
				case RANDOM_BYTES -> Seeds.bytes(r, randomLength());
				case MAGIC_THEN_RANDOM -> {
					byte[] d = Seeds.bytes(r, DataPacket.OVERHEAD + r.nextInt(MAX_PAYLOAD + 1));
					ByteBuffer.wrap(d).putShort(DataPacket.MAGIC_OFFSET, DataPacket.MAGIC);
					yield d;
				}
				case BIT_FLIPPED -> {
					byte[] d = base();
					for (int flips = 1 + r.nextInt(8); flips > 0; flips--) {
						int bit = r.nextInt(d.length * 8);
						d[bit / 8] = (byte) (d[bit / 8] ^ (1 << (bit % 8)));
					}
					yield d;
				}
				case TRUNCATED -> {
					byte[] d = base();
					yield Arrays.copyOf(d, 1 + r.nextInt(d.length - 1));
				}
				case EXTENDED -> {
					byte[] d = base();
					byte[] extended = Arrays.copyOf(d, d.length + 1 + r.nextInt(2_000));
					for (int i = d.length; i < extended.length; i++) {
						extended[i] = (byte) r.nextInt(256);
					}
					yield extended;
				}
				case OVERSIZED -> sealed(this.hmac, MessageTypes.DATA, this.fakeMember, fresh(),
						PACKET_SIZE + 1 - DataPacket.OVERHEAD + r.nextInt(8_000));
				case WRONG_TAG -> {
					byte[] d = fresh(this.hmac);
					for (int i = d.length - DataPacket.TAG_LENGTH; i < d.length; i++) {
						d[i] = (byte) r.nextInt(256);
					}
					yield d;
				}
				case WRONG_KEY -> fresh(this.otherKey);
				case WRONG_VERSION -> {
					byte[] d = fresh(this.hmac);
					int version = r.nextInt(255);
					version = (version >= MessageTypes.PROTOCOL_VERSION) ? version + 1 : version;
					d[DataPacket.VERSION_OFFSET] = (byte) version;
					yield d;
				}
				case WRONG_MAGIC -> {
					byte[] d = fresh(this.hmac);
					short magic;
					do {
						magic = (short) r.nextInt(1 << 16);
					}
					while (magic == DataPacket.MAGIC);
					ByteBuffer.wrap(d).putShort(DataPacket.MAGIC_OFFSET, magic);
					yield d;
				}
				case WRONG_TYPE -> {
					byte[] d = fresh(this.hmac);
					int type = r.nextInt(252);
					d[DataPacket.TYPE_OFFSET] = (byte) ((type == 0) ? 0 : type + 4);
					yield d;
				}
				case BAD_FIELD -> {
					byte[] d = fresh(this.hmac);
					ByteBuffer buffer = ByteBuffer.wrap(d);
					switch (r.nextInt(3)) {
						case 0 -> d[DataPacket.FLAGS_OFFSET] = (byte) (1 + r.nextInt(255));
						case 1 -> buffer.putShort(DataPacket.RESERVED_OFFSET, (short) (1 + r.nextInt(0xFFFF)));
						default -> buffer.putLong(DataPacket.COUNTER_OFFSET, -r.nextLong(Long.MAX_VALUE));
					}
					yield d;
				}
				case WRONG_AUTH_MODE -> fresh(r.nextBoolean() ? PacketAuthenticator.none() : this.aes);
				case REPLAYED -> {
					if (this.sent.isEmpty()) {
						yield genuine();
					}
					// the latest genuine packet is still in B's window; older ones mostly are not
					yield (r.nextBoolean() ? this.latest : this.sent.get(r.nextInt(this.sent.size()))).clone();
				}
				case OLD_COUNTER_AS_A -> sealed(this.hmac, MessageTypes.DATA, this.aId,
						1 + r.nextLong(A_COUNTER_FLOOR - 1), payloadLength());
				case FORGED_AHEAD_AS_A -> sealed(this.otherKey, MessageTypes.DATA, this.aId,
						Long.MAX_VALUE - r.nextLong(1L << 40), payloadLength());
				case GENUINE -> genuine();
				case FROM_ITSELF -> sealed(this.hmac, MessageTypes.DATA, this.bId, fresh(), payloadLength());
				case FOREIGN_PROBE -> sealed(this.hmac, MessageTypes.PROBE, this.fakeMember, fresh(), 0);
			};
		}

		/** A genuine packet just sent, or a fresh one never sent. */
		private byte[] base() {
			if (!this.sent.isEmpty() && this.random.nextBoolean()) {
				return this.sent.get(this.random.nextInt(this.sent.size())).clone();
			}
			return fresh(this.hmac);
		}

		private byte[] genuine() {
			byte[] d = fresh(this.hmac);
			this.latest = d.clone();
			if (this.sent.size() < 512) {
				this.sent.add(d.clone());
			}
			else {
				this.sent.set(this.sentNext, d.clone());
				this.sentNext = (this.sentNext + 1) % 512;
			}
			return d;
		}

		/** A packet of the fake member with a counter never used, sealed by an authenticator. */
		private byte[] fresh(PacketAuthenticator authenticator) {
			byte type = switch (this.random.nextInt(3)) {
				case 0 -> MessageTypes.DATA_REPAIR;
				case 1 -> MessageTypes.ANNOUNCE;
				default -> MessageTypes.DATA;
			};
			return sealed(authenticator, type, this.fakeMember, fresh(), payloadLength());
		}

		/** Counters go up in random steps, so that old genuine packets fall out of B's window. */
		private long fresh() {
			this.counter += 1 + this.random.nextInt(64);
			return this.counter;
		}

		private byte[] sealed(PacketAuthenticator authenticator, byte type, long sender, long counter,
				int payloadLength) {
			byte[] d = new byte[DataPacket.OVERHEAD + payloadLength];
			for (int i = DataPacket.HEADER_LENGTH; i < DataPacket.HEADER_LENGTH + payloadLength; i++) {
				d[i] = (byte) this.random.nextInt(256);
			}
			DataPacket p = this.packet.wrap(d, 0);
			p.writeHeader(type, authenticator.mode().wireId(), sender, counter, this.random.nextLong(),
					this.random.nextInt(1 << 16), 1 + this.random.nextInt(1 << 16), payloadLength);
			authenticator.seal(p);
			return d;
		}

		private int payloadLength() {
			return (this.random.nextInt(10) < 7) ? this.random.nextInt(513) : this.random.nextInt(MAX_PAYLOAD + 1);
		}

		private int randomLength() {
			int pick = this.random.nextInt(10);
			if (pick < 3) {
				return 1 + this.random.nextInt(DataPacket.OVERHEAD - 1);
			}
			if (pick < 9) {
				return DataPacket.OVERHEAD + this.random.nextInt(MAX_PAYLOAD + 1);
			}
			return PACKET_SIZE + 1 + this.random.nextInt(4_000);
		}

		/**
		 * What node B does with a datagram, as {@code NettyDataChannel} checks it.
		 * @return the reason tag it is rejected with, or null if it is dropped silently or accepted
		 */
		String predict(byte[] d) {
			if (d.length > PACKET_SIZE) {
				return RejectReason.TOO_LONG.tag();
			}
			DataPacket p = this.packet.wrap(d, 0);
			RejectReason invalid = p.validate(d.length, PACKET_SIZE);
			if (invalid != null) {
				return invalid.tag();
			}
			if (p.authMode() != this.hmac.mode().wireId()) {
				return RejectReason.WRONG_AUTH_MODE.tag();
			}
			long sender = p.senderId();
			if (sender == this.bId || p.type() == MessageTypes.PROBE) {
				return null;
			}
			long counter = p.counter();
			if (sender == this.aId) {
				// B's window for A is far ahead of the old counters and behind the forged ones
				if (counter < A_COUNTER_FLOOR) {
					return RejectReason.TOO_OLD.tag();
				}
				if (this.hmac.open(p)) {
					throw new IllegalStateException("the fuzzer must not advance node A's replay window");
				}
				return RejectReason.BAD_MAC.tag();
			}
			RejectReason replay = this.mirror.check(sender, counter);
			if (replay != null) {
				return replay.tag();
			}
			if (!this.hmac.open(p)) {
				return RejectReason.BAD_MAC.tag();
			}
			this.mirror.accept(sender, counter);
			if (p.type() == MessageTypes.ANNOUNCE) {
				// the node dials the member an authenticated announcement names: never let it
				MemberInfo member;
				try {
					member = ControlFrameCodec.decodeMemberInfo(d, p.payloadOffset(), p.payloadLength());
				}
				catch (RuntimeException ex) {
					return BAD_ANNOUNCE;
				}
				if (member.id() == sender) {
					throw new IllegalStateException("the fuzzer must not announce a member: " + member);
				}
				return BAD_ANNOUNCE;
			}
			return null;
		}

	}

	// ---------------------------------------------------------------- control streams

	private enum StreamKind {

		/** Random bytes: mostly a negative or too long length. */
		RANDOM_BYTES(12),
		/** A length above the maximum frame length. */
		OVERSIZED_LENGTH(6),
		/** A length above what is accepted before the handshake, below the maximum. */
		TOO_LONG_BEFORE_HANDSHAKE(4),
		/** A negative length. */
		NEGATIVE_LENGTH(5),
		/** A frame of length 0 (no type byte). */
		EMPTY_FRAME(3),
		/** A right length, then a (mostly known) type byte and random bytes. */
		RANDOM_BODY(20),
		/** A well-formed frame of any type before the handshake. */
		VALID_FRAME_BEFORE_HELLO(12),
		/** A well-formed frame cut short, its length saying so. */
		TRUNCATED_BODY(8),
		/** A well-formed frame with bytes after its last field. */
		TRAILING_BYTES(5),
		/** A well-formed frame (length prefix included) with a few bits flipped. */
		BIT_FLIPPED_FRAME(10),
		/** A hello of another protocol version. */
		WRONG_VERSION(3),
		/** A hello for another cluster. */
		WRONG_CLUSTER(3),
		/** A good hello (sometimes in node A's name), then a MAC that proves nothing. */
		BAD_MAC(4),
		/** A good hello, then anything but a MAC. */
		HELLO_THEN_OTHER(3),
		/** A hello in node B's own name. */
		SELF_HELLO(1),
		/** A length announcing more than what follows. */
		INCOMPLETE(3);

		final int weight;

		StreamKind(int weight) {
			this.weight = weight;
		}

	}

	/**
	 * Makes byte streams for node B's control port and predicts what B does with each: the
	 * length-field decoder, the codec, then the handshake checks. Not thread-safe.
	 */
	private static final class StreamFuzzer {

		private static final byte[] KNOWN_TYPES = { MessageTypes.HELLO, MessageTypes.HELLO_AUTH,
				MessageTypes.HEARTBEAT, MessageTypes.HEARTBEAT_ACK, MessageTypes.VIEW, MessageTypes.VIEW_REQUEST,
				MessageTypes.PROBE_REQUEST, MessageTypes.PROBE_REPLY, MessageTypes.TRANSFER_BEGIN, MessageTypes.NACK,
				MessageTypes.TRANSFER_ACK, MessageTypes.TRANSFER_DROP, MessageTypes.PREPARE, MessageTypes.PREPARED,
				MessageTypes.COMMIT, MessageTypes.ABORT, MessageTypes.SWITCHED, MessageTypes.PUBLISH_REQUEST,
				MessageTypes.PUBLISH_RESULT, MessageTypes.PIN, MessageTypes.SWITCH_REQUEST, MessageTypes.SWITCH_RESULT,
				MessageTypes.CATCH_UP_REQUEST, MessageTypes.CATCH_UP_CHUNK, MessageTypes.PUBLISH_CHUNK };

		private final SplittableRandom random;

		private final long aId;

		private final long bId;

		private final int totalWeight = Stream.of(StreamKind.values()).mapToInt((k) -> k.weight).sum();

		final Map<StreamKind, Integer> fired = new EnumMap<>(StreamKind.class);

		/** Exceptions other than {@link InvalidFrameException} the codec threw (there should be none). */
		final List<String> surprises = new ArrayList<>();

		/** Complete frames sent. */
		long frames;

		StreamFuzzer(SplittableRandom random, long aId, long bId) {
			this.random = random;
			this.aId = aId;
			this.bId = bId;
		}

		byte[] next() {
			int pick = this.random.nextInt(this.totalWeight);
			StreamKind kind = null;
			for (StreamKind candidate : StreamKind.values()) {
				pick -= candidate.weight;
				if (pick < 0) {
					kind = candidate;
					break;
				}
			}
			this.fired.merge(kind, 1, Integer::sum);
			return next(kind);
		}

		private byte[] next(StreamKind kind) {
			SplittableRandom r = this.random;
			return switch (kind) {
				case RANDOM_BYTES -> Seeds.bytes(r, 1 + r.nextInt(512));
				case OVERSIZED_LENGTH -> lengthThen(MAX_FRAME + 1 + r.nextInt(Integer.MAX_VALUE - MAX_FRAME),
						Seeds.bytes(r, r.nextInt(64)));
				case TOO_LONG_BEFORE_HANDSHAKE -> lengthThen(
						HANDSHAKE_MAX_FRAME + 1 + r.nextInt(MAX_FRAME - HANDSHAKE_MAX_FRAME),
						Seeds.bytes(r, r.nextInt(64)));
				case NEGATIVE_LENGTH -> lengthThen(-1 - r.nextInt(Integer.MAX_VALUE), Seeds.bytes(r, r.nextInt(64)));
				case EMPTY_FRAME -> frame(new byte[0]);
				case RANDOM_BODY -> {
					byte[] body = Seeds.bytes(r, 1 + r.nextInt(300));
					if (r.nextInt(4) != 0) {
						body[0] = KNOWN_TYPES[r.nextInt(KNOWN_TYPES.length)];
					}
					yield frame(body);
				}
				case VALID_FRAME_BEFORE_HELLO -> frame(sample());
				case TRUNCATED_BODY -> {
					byte[] body = sample();
					yield frame(Arrays.copyOf(body, (body.length > 1) ? 1 + r.nextInt(body.length - 1) : 0));
				}
				case TRAILING_BYTES -> {
					byte[] body = sample();
					byte[] longer = Arrays.copyOf(body, body.length + 1 + r.nextInt(64));
					yield frame(longer);
				}
				case BIT_FLIPPED_FRAME -> {
					byte[] d = frame(sample());
					for (int flips = 1 + r.nextInt(4); flips > 0; flips--) {
						int bit = r.nextInt(d.length * 8);
						d[bit / 8] = (byte) (d[bit / 8] ^ (1 << (bit % 8)));
					}
					yield d;
				}
				case WRONG_VERSION -> {
					int version = r.nextInt(255);
					version = (version >= MessageTypes.PROTOCOL_VERSION) ? version + 1 : version;
					yield concat(frame(hello(version, CLUSTER, stranger())), frame(helloAuth()));
				}
				case WRONG_CLUSTER -> concat(
						frame(hello(MessageTypes.PROTOCOL_VERSION, "other-" + r.nextInt(100), stranger())),
						frame(helloAuth()));
				case BAD_MAC -> {
					MemberInfo claimed = r.nextBoolean() ? stranger() : ControlMessageSamples.member(this.aId);
					yield concat(frame(hello(MessageTypes.PROTOCOL_VERSION, CLUSTER, claimed)), frame(helloAuth()));
				}
				case HELLO_THEN_OTHER -> {
					ControlMessage other;
					do {
						other = ControlMessageSamples.random(r);
					}
					while (other instanceof HelloAuth);
					yield concat(frame(hello(MessageTypes.PROTOCOL_VERSION, CLUSTER, stranger())),
							frame(ControlFrameCodec.encodeToArray(other)));
				}
				case SELF_HELLO -> frame(
						hello(MessageTypes.PROTOCOL_VERSION, CLUSTER, ControlMessageSamples.member(this.bId)));
				case INCOMPLETE -> lengthThen(100 + r.nextInt(HANDSHAKE_MAX_FRAME - 100),
						Seeds.bytes(r, r.nextInt(100)));
			};
		}

		private MemberInfo stranger() {
			return new MemberInfo(this.random.nextLong(), "mallory", 1_700_000_000_000L, "127.0.0.1",
					1 + this.random.nextInt(65535), 1 + this.random.nextInt(65535));
		}

		/** A well-formed frame ({@code type | body}) of a random message of any type. */
		private byte[] sample() {
			return ControlFrameCodec.encodeToArray(ControlMessageSamples.random(this.random));
		}

		private byte[] hello(int version, String cluster, MemberInfo member) {
			return ControlFrameCodec.encodeToArray(new Hello(version, cluster, member, Seeds.bytes(this.random, 16)));
		}

		private byte[] helloAuth() {
			return ControlFrameCodec.encodeToArray(new HelloAuth(Seeds.bytes(this.random, 32)));
		}

		private static byte[] frame(byte[] body) {
			return lengthThen(body.length, body);
		}

		private static byte[] lengthThen(int length, byte[] rest) {
			return ByteBuffer.allocate(4 + rest.length).putInt(length).put(rest).array();
		}

		private static byte[] concat(byte[] first, byte[] second) {
			byte[] both = Arrays.copyOf(first, first.length + second.length);
			System.arraycopy(second, 0, both, first.length, second.length);
			return both;
		}

		/**
		 * What node B does with a stream: the length-field decoder, the codec and the handshake
		 * in the order of the pipeline.
		 * @return the reason tag the connection is rejected with, or null if the stream ends
		 * before a frame is rejected (B then closes it without counting)
		 */
		String predict(byte[] stream) {
			ByteBuffer in = ByteBuffer.wrap(stream);
			boolean helloPassed = false;
			while (in.remaining() >= ControlFrameCodec.LENGTH_FIELD_LENGTH) {
				int length = in.getInt();
				if (length < 0) {
					return RejectReason.BAD_LENGTH.tag();
				}
				if (length > HANDSHAKE_MAX_FRAME) {
					return RejectReason.TOO_LONG.tag();
				}
				if (in.remaining() < length) {
					return null;
				}
				byte[] frame = new byte[length];
				in.get(frame);
				this.frames++;
				ControlMessage message;
				try {
					message = ControlFrameCodec.decode(frame);
				}
				catch (InvalidFrameException ex) {
					return ex.reason().tag();
				}
				catch (RuntimeException ex) {
					this.surprises.add(ex + " on " + Arrays.toString(frame));
					return RejectReason.BAD_FIELD.tag();
				}
				if (helloPassed) {
					return (message instanceof HelloAuth) ? RejectReason.BAD_AUTH.tag()
							: RejectReason.UNEXPECTED_FRAME.tag();
				}
				if (!(message instanceof Hello hello)) {
					return RejectReason.UNEXPECTED_FRAME.tag();
				}
				if (!CLUSTER.equals(hello.cluster())) {
					return RejectReason.WRONG_CLUSTER.tag();
				}
				if (hello.member().id() == this.bId) {
					return RejectReason.SELF_CONNECTION.tag();
				}
				helloPassed = true;
			}
			return null;
		}

	}

}
