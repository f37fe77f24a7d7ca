package io.zynco.replication;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import io.netty.handler.ssl.SslContext;

import io.zynco.transport.RejectedInput;
import io.zynco.transport.TransportMode;

/**
 * Everything a {@link ZyncoNode} needs to know, validated when built. Built with
 * {@link #builder()}; every setting has a default that works on one machine's loopback.
 * Thread-safe (immutable).
 */
public final class NodeConfig {

	/** Packet authentication and encryption of data packets. */
	public enum PacketSecurity {

		/** No authentication: only for tests on loopback. */
		NONE,
		/**
		 * HMAC-SHA256 tag (truncated to 128 bits) on every packet; payloads travel in the
		 * clear.
		 */
		HMAC_SHA256,
		/**
		 * AES-256-GCM: payloads are encrypted, header and payload authenticated (the default).
		 * Cheaper per byte than {@link #HMAC_SHA256} where the CPU has AES and carry-less
		 * multiply instructions, which the JDK uses.
		 */
		AES_GCM

	}

	final String name;

	final String cluster;

	final byte[] secret;

	final PacketSecurity packetSecurity;

	final String bindHost;

	final int controlPort;

	final List<InetSocketAddress> seeds;

	final TransportMode transportMode;

	final String multicastGroup;

	final int multicastPort;

	final String multicastInterface;

	final int multicastTtl;

	final int packetSize;

	final int socketBufferBytes;

	final long initialRateBytesPerSecond;

	final long maxRateBytesPerSecond;

	final Duration heartbeatInterval;

	final Duration failureTimeout;

	final Duration transferDeadline;

	final Duration prepareTimeout;

	final long maxTransferBytes;

	final int chainMaxVersions;

	final long chainMaxHeapBytes;

	final SslContext serverSsl;

	final SslContext clientSsl;

	/** Counts every rejection, and forwards it to the builder's {@link RejectedInput} if that is no counter. */
	final RejectedInputCounter rejectedInput;

	final LongSupplier nanoClock;

	final Clock clock;

	final Duration tickInterval;

	final Duration idleTickInterval;

	final DataFaults dataFaults;

	final Coordinator coordinator;

	private NodeConfig(Builder b) {
		this.name = b.name;
		this.cluster = b.cluster;
		this.secret = b.secret.clone();
		this.packetSecurity = b.packetSecurity;
		this.bindHost = b.bindHost;
		this.controlPort = b.controlPort;
		this.seeds = List.copyOf(b.seeds);
		this.transportMode = b.transportMode;
		this.multicastGroup = b.multicastGroup;
		this.multicastPort = b.multicastPort;
		this.multicastInterface = b.multicastInterface;
		this.multicastTtl = b.multicastTtl;
		this.packetSize = b.packetSize;
		this.socketBufferBytes = b.socketBufferBytes;
		this.initialRateBytesPerSecond = b.initialRateBytesPerSecond;
		this.maxRateBytesPerSecond = b.maxRateBytesPerSecond;
		this.heartbeatInterval = b.heartbeatInterval;
		this.failureTimeout = b.failureTimeout;
		this.transferDeadline = b.transferDeadline;
		this.prepareTimeout = b.prepareTimeout;
		this.maxTransferBytes = b.maxTransferBytes;
		this.chainMaxVersions = b.chainMaxVersions;
		this.chainMaxHeapBytes = b.chainMaxHeapBytes;
		this.serverSsl = b.serverSsl;
		this.clientSsl = b.clientSsl;
		this.rejectedInput = (b.rejectedInput instanceof RejectedInputCounter counter) ? counter
				: RejectedInputCounter.forwardingTo(b.rejectedInput);
		this.nanoClock = b.nanoClock;
		this.clock = b.clock;
		this.tickInterval = b.tickInterval;
		this.idleTickInterval = b.idleTickInterval;
		this.dataFaults = b.dataFaults;
		this.coordinator = b.coordinator;
	}

	public static Builder builder() {
		return new Builder();
	}

	public String name() {
		return this.name;
	}

	public String cluster() {
		return this.cluster;
	}

	public TransportMode transportMode() {
		return this.transportMode;
	}

	@Override
	public String toString() {
		return "NodeConfig[name=" + this.name + ", cluster=" + this.cluster + ", bind=" + this.bindHost + ":"
				+ this.controlPort + ", mode=" + this.transportMode + ", group=" + this.multicastGroup + ":"
				+ this.multicastPort + ", packetSize=" + this.packetSize + ", security=" + this.packetSecurity + "]";
	}

	private static boolean isLoopback(String host) {
		return host.startsWith("127.") || host.equals("::1") || host.equals("localhost");
	}

	/** Builds a {@link NodeConfig}. Not thread-safe. */
	public static final class Builder {

		private String name = "node-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());

		private String cluster = "zynco";

		private byte[] secret = new byte[0];

		private PacketSecurity packetSecurity = PacketSecurity.AES_GCM;

		private String bindHost = "127.0.0.1";

		private int controlPort = 0;

		private final List<InetSocketAddress> seeds = new ArrayList<>();

		private TransportMode transportMode = TransportMode.AUTO;

		private String multicastGroup = "239.255.90.1";

		private int multicastPort = 45_901;

		private String multicastInterface = "lo";

		private int multicastTtl = 0;

		private int packetSize = 1_472;

		private int socketBufferBytes = 4 * 1024 * 1024;

		private long initialRateBytesPerSecond = 100L * 1024 * 1024;

		private long maxRateBytesPerSecond = 1024L * 1024 * 1024;

		private Duration heartbeatInterval = Duration.ofMillis(200);

		private Duration failureTimeout = Duration.ofSeconds(1);

		private Duration transferDeadline = Duration.ofSeconds(60);

		private Duration prepareTimeout = Duration.ofSeconds(30);

		private long maxTransferBytes = Integer.MAX_VALUE - 64;

		private int chainMaxVersions = 8;

		private long chainMaxHeapBytes = Long.MAX_VALUE;

		private SslContext serverSsl;

		private SslContext clientSsl;

		private RejectedInput rejectedInput = RejectedInputCounter.logging();

		private LongSupplier nanoClock = System::nanoTime;

		private Clock clock = Clock.systemUTC();

		private Duration tickInterval = Duration.ofMillis(1);

		private Duration idleTickInterval = Duration.ofMillis(10);

		private DataFaults dataFaults = DataFaults.none();

		private Coordinator coordinator = Coordinator.oldestMember();

		private Builder() {
		}

		/** Operator-facing node name. */
		public Builder name(String name) {
			this.name = Objects.requireNonNull(name, "name");
			return this;
		}

		/** Cluster name; members of different clusters refuse each other. */
		public Builder cluster(String cluster) {
			this.cluster = Objects.requireNonNull(cluster, "cluster");
			return this;
		}

		/** Shared secret authenticating members and packets; at least 16 bytes. */
		public Builder secret(byte[] secret) {
			this.secret = Objects.requireNonNull(secret, "secret").clone();
			return this;
		}

		public Builder packetSecurity(PacketSecurity packetSecurity) {
			this.packetSecurity = Objects.requireNonNull(packetSecurity, "packetSecurity");
			return this;
		}

		/** Address to bind both channels to and advertise to peers (an IP literal). */
		public Builder bindHost(String bindHost) {
			this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
			return this;
		}

		/** TCP port of the control channel; 0 picks a free one. */
		public Builder controlPort(int controlPort) {
			this.controlPort = controlPort;
			return this;
		}

		/** Control addresses of members to contact at start. */
		public Builder seed(InetSocketAddress seed) {
			this.seeds.add(Objects.requireNonNull(seed, "seed"));
			return this;
		}

		public Builder seeds(List<InetSocketAddress> seeds) {
			this.seeds.clear();
			seeds.forEach(this::seed);
			return this;
		}

		public Builder transportMode(TransportMode transportMode) {
			this.transportMode = Objects.requireNonNull(transportMode, "transportMode");
			return this;
		}

		public Builder multicastGroup(String group, int port) {
			this.multicastGroup = Objects.requireNonNull(group, "group");
			this.multicastPort = port;
			return this;
		}

		/** Network interface for multicast (default {@code lo}: loopback only). */
		public Builder multicastInterface(String multicastInterface) {
			this.multicastInterface = Objects.requireNonNull(multicastInterface, "multicastInterface");
			return this;
		}

		/** Multicast time-to-live: 0 keeps packets on this host, 1 on the local network. */
		public Builder multicastTtl(int multicastTtl) {
			this.multicastTtl = multicastTtl;
			return this;
		}

		/** Largest UDP datagram sent, headers included. */
		public Builder packetSize(int packetSize) {
			this.packetSize = packetSize;
			return this;
		}

		/** Requested SO_SNDBUF / SO_RCVBUF of the data socket (the kernel may cap it). */
		public Builder socketBufferBytes(int socketBufferBytes) {
			this.socketBufferBytes = socketBufferBytes;
			return this;
		}

		/** Starting and maximum send rate of a transfer, in bytes per second. */
		public Builder sendRate(long initialBytesPerSecond, long maxBytesPerSecond) {
			this.initialRateBytesPerSecond = initialBytesPerSecond;
			this.maxRateBytesPerSecond = maxBytesPerSecond;
			return this;
		}

		public Builder heartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
			return this;
		}

		/** Base of the failure timeout (the timeout is this plus twice the average RTT). */
		public Builder failureTimeout(Duration failureTimeout) {
			this.failureTimeout = Objects.requireNonNull(failureTimeout, "failureTimeout");
			return this;
		}

		/** Receivers not complete by then are dropped from the transfer and catch up later. */
		public Builder transferDeadline(Duration transferDeadline) {
			this.transferDeadline = Objects.requireNonNull(transferDeadline, "transferDeadline");
			return this;
		}

		/** How long the coordinator waits for PREPARED answers before aborting. */
		public Builder prepareTimeout(Duration prepareTimeout) {
			this.prepareTimeout = Objects.requireNonNull(prepareTimeout, "prepareTimeout");
			return this;
		}

		/** Largest transfer accepted from a peer, in bytes. */
		public Builder maxTransferBytes(long maxTransferBytes) {
			this.maxTransferBytes = maxTransferBytes;
			return this;
		}

		/** Bounds of each state's version chain. */
		public Builder chain(int maxVersions, long maxHeapBytes) {
			this.chainMaxVersions = maxVersions;
			this.chainMaxHeapBytes = maxHeapBytes;
			return this;
		}

		/** TLS for the control channel (both or neither). */
		public Builder tls(SslContext server, SslContext client) {
			this.serverSsl = server;
			this.clientSsl = client;
			return this;
		}

		/**
		 * Where rejected input is counted (by default a {@link RejectedInputCounter} that logs
		 * each reason once). Any other implementation is wrapped in a counter, so that
		 * {@link ZyncoNode#rejectedInput()} always has the counts.
		 */
		public Builder rejectedInput(RejectedInput rejectedInput) {
			this.rejectedInput = Objects.requireNonNull(rejectedInput, "rejectedInput");
			return this;
		}

		/** Monotonic clock in nanoseconds (tests drive it). */
		public Builder nanoClock(LongSupplier nanoClock) {
			this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
			return this;
		}

		/** Wall clock, for version timestamps and member ages. */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/**
		 * How often the node loop ticks while it has work that the tick drives: transfers in
		 * either direction (pacing and NACK resolution), a switch round or a queued switch, a
		 * prepare, a catch-up (default 1 ms).
		 */
		public Builder tickInterval(Duration tickInterval) {
			this.tickInterval = Objects.requireNonNull(tickInterval, "tickInterval");
			return this;
		}

		/**
		 * How often the node loop ticks when it has none of the work {@link #tickInterval}
		 * paces: membership (heartbeats every {@link #heartbeatInterval}), discovery, readiness
		 * (default 10 ms; at least the tick interval; the node uses at most a quarter of the
		 * heartbeat interval). Work arriving wakes the loop at once and
		 * brings the short tick back, so this only spares an idle node a thousand wake-ups a
		 * second.
		 */
		public Builder idleTickInterval(Duration idleTickInterval) {
			this.idleTickInterval = Objects.requireNonNull(idleTickInterval, "idleTickInterval");
			return this;
		}

		/** Who coordinates and how versions are numbered (default: the oldest live member). */
		public Builder coordinator(Coordinator coordinator) {
			this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
			return this;
		}

		/** Faults injected into the data receive path: for tests and benchmarks only. */
		public Builder dataFaults(DataFaults dataFaults) {
			this.dataFaults = Objects.requireNonNull(dataFaults, "dataFaults");
			return this;
		}

		/**
		 * Validates and builds.
		 * @throws IllegalArgumentException naming the setting and the fix
		 */
		public NodeConfig build() {
			if (this.packetSecurity != PacketSecurity.NONE || !isLoopback(this.bindHost)) {
				if (this.secret.length < 16) {
					throw new IllegalArgumentException("secret: a cluster secret of at least 16 bytes is required"
							+ (isLoopback(this.bindHost) ? " (or packetSecurity NONE on loopback)"
									: " to bind to " + this.bindHost + "; without one a node binds to loopback only"));
				}
			}
			if (this.packetSecurity == PacketSecurity.NONE && !isLoopback(this.bindHost)) {
				throw new IllegalArgumentException(
						"packetSecurity: NONE is allowed on loopback only; set a secret and AES_GCM or HMAC_SHA256");
			}
			check(this.controlPort >= 0 && this.controlPort <= 65535, "controlPort must be within 0..65535");
			check(this.multicastPort > 0 && this.multicastPort <= 65535, "multicastPort must be within 1..65535");
			check(this.multicastTtl >= 0 && this.multicastTtl <= 255, "multicastTtl must be within 0..255");
			check(this.packetSize >= 576 && this.packetSize <= 65_507,
					"packetSize must be within 576..65507 bytes (1472 for an Ethernet MTU, up to 65507 on loopback)");
			check(this.socketBufferBytes >= 64 * 1024, "socketBufferBytes must be at least 64 KiB");
			check(this.initialRateBytesPerSecond > 0 && this.maxRateBytesPerSecond >= this.initialRateBytesPerSecond,
					"sendRate: initial rate must be positive and at most the maximum");
			check(positive(this.heartbeatInterval), "heartbeatInterval must be positive");
			check(this.failureTimeout.compareTo(this.heartbeatInterval.multipliedBy(2)) >= 0,
					"failureTimeout must be at least twice heartbeatInterval");
			check(positive(this.transferDeadline), "transferDeadline must be positive");
			check(positive(this.prepareTimeout), "prepareTimeout must be positive");
			check(this.maxTransferBytes > 0 && this.maxTransferBytes <= Integer.MAX_VALUE - 64,
					"maxTransferBytes must be within 1..2 GiB");
			check(this.chainMaxVersions >= 2, "chain maxVersions must be at least 2");
			check(this.chainMaxHeapBytes > 0, "chain maxHeapBytes must be positive");
			check((this.serverSsl == null) == (this.clientSsl == null), "tls: give both server and client contexts, or neither");
			check(positive(this.tickInterval), "tickInterval must be positive");
			check(this.idleTickInterval.compareTo(this.tickInterval) >= 0,
					"idleTickInterval must be at least tickInterval");
			io.zynco.state.StateType.checkName(this.cluster);
			if (this.secret.length == 0) {
				// loopback without a secret (checked above): the handshake still needs a key; this
				// one is public, so it proves nothing, which is why such a node stays on loopback
				this.secret = loopbackKey(this.cluster);
			}
			return new NodeConfig(this);
		}

		private static byte[] loopbackKey(String cluster) {
			try {
				return java.security.MessageDigest.getInstance("SHA-256")
					.digest(("zynco-loopback-without-secret:" + cluster).getBytes(java.nio.charset.StandardCharsets.UTF_8));
			}
			catch (java.security.NoSuchAlgorithmException ex) {
				throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
			}
		}

		private static boolean positive(Duration d) {
			return !d.isNegative() && !d.isZero();
		}

		private static void check(boolean ok, String message) {
			if (!ok) {
				throw new IllegalArgumentException(message);
			}
		}

	}

}
