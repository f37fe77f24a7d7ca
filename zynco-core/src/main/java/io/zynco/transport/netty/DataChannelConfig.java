package io.zynco.transport.netty;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

import io.zynco.protocol.DataPacket;
import io.zynco.protocol.PacketAuthenticator;
import io.zynco.protocol.ReplayWindow;
import io.zynco.transport.DataListener;
import io.zynco.transport.RejectedInput;
import io.zynco.transport.TransportMode;

/**
 * Configuration of a {@link NettyDataChannel}. Build it with {@link #builder}; the
 * constructor validates every value. Thread-safe (immutable).
 *
 * @param mode multicast, unicast, or auto (probe multicast at start, fall back to unicast)
 * @param group multicast group address (unused in unicast mode)
 * @param groupPort UDP port of the group; every member binds it (shared with SO_REUSEADDR)
 * @param bindHost address of the unicast socket (an IP literal; "0.0.0.0" for all)
 * @param bindPort UDP port of the unicast socket (the member's data port); 0 = ephemeral
 * @param networkInterface name of the interface multicast is sent and received on (for
 * example "eth0", "lo"); null = the interface holding {@code bindHost}
 * @param ttl multicast time-to-live: 0 stays on the host, 1 (default) on the local network
 * @param loopback whether multicast sent by this host is delivered to its other sockets
 * (needed for several nodes on one host, and for the {@code auto} probe)
 * @param packetSize largest datagram sent or accepted, header and tag included
 * @param sendBufferSize requested SO_SNDBUF (the kernel may cap it; the effective size is logged)
 * @param receiveBufferSize requested SO_RCVBUF (the kernel may cap it; the effective size is logged)
 * @param authenticator packet authentication; {@link PacketAuthenticator#none()} only when
 * chosen on purpose
 * @param replayWindowSize counters in each sender's anti-replay window (a multiple of 64)
 * @param maxSenders senders whose replay windows are kept at once
 * @param probeTimeout how long the {@code auto} probe waits for its own multicast
 * @param rejectedInput where rejected packets are counted
 * @param localMemberId this node's member id, the sender id of its packets
 * @param listener receives authenticated packets on the node loop
 */
public record DataChannelConfig(TransportMode mode, InetAddress group, int groupPort, String bindHost, int bindPort,
		String networkInterface, int ttl, boolean loopback, int packetSize, int sendBufferSize, int receiveBufferSize,
		PacketAuthenticator authenticator, int replayWindowSize, int maxSenders, Duration probeTimeout,
		RejectedInput rejectedInput, long localMemberId, DataListener listener) {

	/** Default multicast group (organization-local scope, RFC 2365). */
	public static final String DEFAULT_GROUP = "239.255.90.89";

	/** Default multicast port. */
	public static final int DEFAULT_GROUP_PORT = 45890;

	/** Default packet size: fits an Ethernet MTU of 1500 (IPv4 and UDP headers take 28). */
	public static final int DEFAULT_PACKET_SIZE = 1472;

	/** Default time the {@code auto} probe waits. */
	public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(500);

	public DataChannelConfig {
		Objects.requireNonNull(mode, "mode");
		Objects.requireNonNull(group, "group");
		Objects.requireNonNull(bindHost, "bindHost");
		Objects.requireNonNull(authenticator, "authenticator");
		Objects.requireNonNull(probeTimeout, "probeTimeout");
		Objects.requireNonNull(rejectedInput, "rejectedInput");
		Objects.requireNonNull(listener, "listener");
		if (!group.isMulticastAddress()) {
			throw new IllegalArgumentException("group: " + group.getHostAddress() + " is not a multicast address");
		}
		if (groupPort < 1 || groupPort > 65535) {
			throw new IllegalArgumentException("groupPort must be within 1..65535, not " + groupPort);
		}
		if (bindPort < 0 || bindPort > 65535) {
			throw new IllegalArgumentException("bindPort must be within 0..65535, not " + bindPort);
		}
		if (ttl < 0 || ttl > 255) {
			throw new IllegalArgumentException("ttl must be within 0..255, not " + ttl);
		}
		if (packetSize < DataPacket.MIN_PACKET_SIZE || packetSize > DataPacket.MAX_PACKET_SIZE) {
			throw new IllegalArgumentException("packetSize must be within " + DataPacket.MIN_PACKET_SIZE + ".."
					+ DataPacket.MAX_PACKET_SIZE + ", not " + packetSize);
		}
		if (sendBufferSize < 0 || receiveBufferSize < 0) {
			throw new IllegalArgumentException("socket buffer sizes must not be negative (0 keeps the OS default)");
		}
		if (probeTimeout.isNegative() || probeTimeout.isZero() || probeTimeout.toSeconds() > 60) {
			throw new IllegalArgumentException("probeTimeout must be within (0, 60 s], not " + probeTimeout);
		}
		// validated by the constructor
		new ReplayWindow(replayWindowSize, maxSenders);
	}

	/** Largest payload per packet: the packet size less header and tag. */
	public int maxPayload() {
		return this.packetSize - DataPacket.OVERHEAD;
	}

	/**
	 * A builder with the required values and defaults for the rest. The authenticator has no
	 * default: unauthenticated packets must be chosen explicitly.
	 */
	public static Builder builder(long localMemberId, PacketAuthenticator authenticator, DataListener listener,
			RejectedInput rejectedInput) {
		return new Builder(localMemberId, authenticator, listener, rejectedInput);
	}

	/** Builder of {@link DataChannelConfig}. Not thread-safe. */
	public static final class Builder {

		private final long localMemberId;

		private final PacketAuthenticator authenticator;

		private final DataListener listener;

		private final RejectedInput rejectedInput;

		private TransportMode mode = TransportMode.AUTO;

		private InetAddress group;

		private int groupPort = DEFAULT_GROUP_PORT;

		private String bindHost = "0.0.0.0";

		private int bindPort;

		private String networkInterface;

		private int ttl = 1;

		private boolean loopback = true;

		private int packetSize = DEFAULT_PACKET_SIZE;

		private int sendBufferSize = 4 * 1024 * 1024;

		private int receiveBufferSize = 4 * 1024 * 1024;

		private int replayWindowSize = ReplayWindow.DEFAULT_WINDOW_SIZE;

		private int maxSenders = ReplayWindow.DEFAULT_MAX_SENDERS;

		private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;

		private Builder(long localMemberId, PacketAuthenticator authenticator, DataListener listener,
				RejectedInput rejectedInput) {
			this.localMemberId = localMemberId;
			this.authenticator = authenticator;
			this.listener = listener;
			this.rejectedInput = rejectedInput;
			try {
				this.group = InetAddress.getByName(DEFAULT_GROUP);
			}
			catch (UnknownHostException ex) {
				throw new IllegalStateException(ex);
			}
		}

		/** Multicast, unicast or auto (default auto). */
		public Builder mode(TransportMode mode) {
			this.mode = mode;
			return this;
		}

		/** Multicast group and port (default 239.255.90.89:45890). */
		public Builder group(InetAddress group, int port) {
			this.group = group;
			this.groupPort = port;
			return this;
		}

		/** Address and port of the unicast socket (default 0.0.0.0, port 0 = ephemeral). */
		public Builder bind(String host, int port) {
			this.bindHost = host;
			this.bindPort = port;
			return this;
		}

		/** Interface for multicast (default: the one holding the bind address). */
		public Builder networkInterface(String name) {
			this.networkInterface = name;
			return this;
		}

		/** Multicast TTL (default 1: the local network). */
		public Builder ttl(int ttl) {
			this.ttl = ttl;
			return this;
		}

		/** Whether this host's own multicast comes back to it (default true). */
		public Builder loopback(boolean loopback) {
			this.loopback = loopback;
			return this;
		}

		/** Largest datagram (default 1472, for a 1500-byte MTU). */
		public Builder packetSize(int packetSize) {
			this.packetSize = packetSize;
			return this;
		}

		/** Requested SO_SNDBUF and SO_RCVBUF (default 4 MiB each; 0 keeps the OS default). */
		public Builder socketBuffers(int sendBufferSize, int receiveBufferSize) {
			this.sendBufferSize = sendBufferSize;
			this.receiveBufferSize = receiveBufferSize;
			return this;
		}

		/** Anti-replay window per sender and senders tracked (default 4096, 1024). */
		public Builder replayWindow(int windowSize, int maxSenders) {
			this.replayWindowSize = windowSize;
			this.maxSenders = maxSenders;
			return this;
		}

		/** How long the auto probe waits (default 500 ms). */
		public Builder probeTimeout(Duration probeTimeout) {
			this.probeTimeout = probeTimeout;
			return this;
		}

		public DataChannelConfig build() {
			return new DataChannelConfig(this.mode, this.group, this.groupPort, this.bindHost, this.bindPort,
					this.networkInterface, this.ttl, this.loopback, this.packetSize, this.sendBufferSize,
					this.receiveBufferSize, this.authenticator, this.replayWindowSize, this.maxSenders,
					this.probeTimeout, this.rejectedInput, this.localMemberId, this.listener);
		}

	}

}
