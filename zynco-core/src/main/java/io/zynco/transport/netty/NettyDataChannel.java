package io.zynco.transport.netty;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramChannelConfig;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.Promise;

import io.zynco.protocol.DataPacket;
import io.zynco.protocol.MessageTypes;
import io.zynco.protocol.PacketAuthenticator;
import io.zynco.protocol.RejectReason;
import io.zynco.protocol.ReplayWindow;
import io.zynco.transport.DataChannel;
import io.zynco.transport.DataListener;
import io.zynco.transport.RejectedInput;
import io.zynco.transport.TransportMode;

/**
 * The data channel over UDP with Netty, on the node loop.
 *
 * <h2>Sockets</h2> Every node has a <b>unicast socket</b> bound to {@code bindHost:bindPort}
 * (its member data port, ephemeral by default): it sends everything (multicast included, so
 * a packet's source is the member's data port) and receives unicast data and repairs. In
 * multicast mode a node also has a <b>group socket</b> bound to the group address and port
 * with {@code SO_REUSEADDR}, so that several nodes on one host can share it, and joined to
 * the group on the configured interface; it only receives. Binding the group socket to the
 * group address (not the wildcard) keeps unicast traffic to that port, and other groups on
 * the port, out of it.
 *
 * <h2>Modes</h2> {@code MULTICAST} sends one datagram per packet to the group;
 * {@code UNICAST} one per member; {@code AUTO} joins the group at start, multicasts a
 * {@code PROBE} to itself (it must come back through multicast loopback, enabled for the
 * probe) and waits up to the probe timeout: multicast if it came back, unicast otherwise. The
 * choice and its reason are logged. A probe that comes back proves that this host can send and
 * receive on the group, not that the network between hosts forwards multicast.
 *
 * <h2>Inbound</h2> Each datagram is copied into one reused array, then checked in order:
 * size, magic, version, type, flags, payload length, authentication mode; packets of this
 * node itself (multicast loopback) are dropped here; so are data packets the listener
 * {@linkplain DataListener#holds already holds} (a repeated sequence, before the expensive
 * MAC: a forged repeat can only be dropped); then the anti-replay window is checked,
 * the packet authenticated (and decrypted), and only then the window advanced and the
 * listener called with the payload in that reused array. Every rejection is counted through
 * {@link RejectedInput} with its reason tag (channel {@code "data"}).
 *
 * <p>
 * Must be used on the node loop, except {@link #start()} and {@link #close()}, which block
 * and must not be called on it.
 */
public final class NettyDataChannel implements DataChannel {

	private static final System.Logger LOG = System.getLogger(NettyDataChannel.class.getName());

	static final String CHANNEL = "data";

	private static final SecureRandom RANDOM = new SecureRandom();

	private final DataChannelConfig config;

	private final NettyTransports transports;

	private final EventLoop loop;

	private final PacketAuthenticator authenticator;

	private final byte authMode;

	private final ReplayWindow replayWindow;

	/** Data packets dropped as already held, before authentication. */
	private long duplicatesBeforeAuth;

	private final DataListener listener;

	private final RejectedInput rejectedInput;

	private final long localId;

	private final int packetSize;

	private final DataPacket outbound = new DataPacket();

	private final DataPacket inbound = new DataPacket();

	private final byte[] sendBuffer;

	private final byte[] receiveBuffer;

	/** Where a packet's payload is opened (out of place: faster than in place, see PacketAuthenticator). */
	private final byte[] openBuffer;

	/** Next packet counter: starts at the wall clock in nanoseconds, so it never repeats for an id. */
	private long counter;

	private volatile TransportMode mode;

	private volatile DatagramChannel unicast;

	private volatile DatagramChannel groupChannel;

	private InetSocketAddress groupAddress;

	private NetworkInterface networkInterface;

	private int effectiveSendBufferSize;

	private int effectiveReceiveBufferSize;

	/** Probe in flight (auto mode), loop only. */
	private long probeId;

	private Promise<Void> probeReturned;

	private volatile boolean closed;

	public NettyDataChannel(DataChannelConfig config, NettyTransports transports) {
		this.config = Objects.requireNonNull(config, "config");
		this.transports = Objects.requireNonNull(transports, "transports");
		this.loop = transports.loop();
		this.authenticator = config.authenticator();
		this.authMode = this.authenticator.mode().wireId();
		this.replayWindow = new ReplayWindow(config.replayWindowSize(), config.maxSenders());
		this.listener = config.listener();
		this.rejectedInput = config.rejectedInput();
		this.localId = config.localMemberId();
		this.packetSize = config.packetSize();
		this.sendBuffer = new byte[this.packetSize];
		// one more byte than a packet may have, to see oversized datagrams rather than truncate them
		this.receiveBuffer = new byte[this.packetSize + 1];
		this.openBuffer = new byte[this.packetSize];
		this.mode = config.mode();
		this.counter = Math.max(1, System.currentTimeMillis() * 1_000_000L);
	}

	@Override
	public TransportMode mode() {
		return this.mode;
	}

	@Override
	public InetSocketAddress localAddress() {
		DatagramChannel channel = this.unicast;
		if (channel == null) {
			throw new IllegalStateException("the data channel is not started");
		}
		return channel.localAddress();
	}

	/** The multicast group and port (meaningful in multicast mode). */
	public InetSocketAddress groupAddress() {
		return new InetSocketAddress(this.config.group(), this.config.groupPort());
	}

	/** SO_SNDBUF of the unicast socket as the kernel granted it (after {@link #start()}). */
	public int effectiveSendBufferSize() {
		return this.effectiveSendBufferSize;
	}

	/** SO_RCVBUF of the unicast socket as the kernel granted it (after {@link #start()}). */
	public int effectiveReceiveBufferSize() {
		return this.effectiveReceiveBufferSize;
	}

	@Override
	public int maxPayload() {
		return this.config.maxPayload();
	}

	@Override
	public void start() throws InterruptedException {
		if (this.loop.inEventLoop()) {
			throw new IllegalStateException("start blocks and must not be called on the node loop");
		}
		if (this.closed || this.unicast != null) {
			throw new IllegalStateException("the data channel is " + (this.closed ? "closed" : "already started"));
		}
		InetAddress group = this.config.group();
		SocketProtocolFamily family = (group instanceof Inet6Address) ? SocketProtocolFamily.INET6
				: SocketProtocolFamily.INET;
		this.groupAddress = new InetSocketAddress(group, this.config.groupPort());
		this.unicast = bindUnicast(family);
		logSocketBuffers();
		TransportMode configured = this.config.mode();
		if (configured == TransportMode.UNICAST) {
			this.mode = TransportMode.UNICAST;
			LOG.log(System.Logger.Level.INFO, "data channel on {0}: unicast (configured)", localAddress());
			return;
		}
		String failure;
		try {
			this.networkInterface = resolveInterface();
			configureMulticastSending(this.unicast, family);
			this.groupChannel = bindGroup(family);
			failure = null;
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				throw (InterruptedException) ex;
			}
			if (configured == TransportMode.MULTICAST) {
				close();
				throw new IllegalStateException("cannot use multicast group " + this.groupAddress + " on interface "
						+ describe(this.networkInterface) + ": " + ex.getMessage(), ex);
			}
			failure = "multicast to " + this.groupAddress + " is unavailable (" + ex.getMessage() + ")";
		}
		if (configured == TransportMode.MULTICAST) {
			this.mode = TransportMode.MULTICAST;
			LOG.log(System.Logger.Level.INFO, "data channel on {0}: multicast to {1} on {2} (configured, ttl {3})",
					localAddress(), this.groupAddress, describe(this.networkInterface), Integer.toString(this.config.ttl()));
			return;
		}
		if (failure == null) {
			long waited = probe();
			if (waited >= 0) {
				this.mode = TransportMode.MULTICAST;
				LOG.log(System.Logger.Level.INFO,
						"data channel on {0}: multicast to {1} on {2} (auto: the probe came back after {3} ms)",
						localAddress(), this.groupAddress, describe(this.networkInterface), Long.toString(waited));
				return;
			}
			failure = "the multicast probe to " + this.groupAddress + " on " + describe(this.networkInterface)
					+ " did not come back within " + this.config.probeTimeout().toMillis() + " ms";
		}
		DatagramChannel groupSocket = this.groupChannel;
		this.groupChannel = null;
		if (groupSocket != null) {
			groupSocket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
		}
		this.mode = TransportMode.UNICAST;
		LOG.log(System.Logger.Level.INFO, "data channel on {0}: unicast (auto: {1})", localAddress(), failure);
	}

	private DatagramChannel bindUnicast(SocketProtocolFamily family) throws InterruptedException {
		Bootstrap bootstrap = datagramBootstrap(family);
		if (this.config.sendBufferSize() > 0) {
			bootstrap.option(ChannelOption.SO_SNDBUF, this.config.sendBufferSize());
		}
		if (this.config.receiveBufferSize() > 0) {
			bootstrap.option(ChannelOption.SO_RCVBUF, this.config.receiveBufferSize());
		}
		ChannelFuture bound = bootstrap.bind(this.config.bindHost(), this.config.bindPort()).sync();
		return (DatagramChannel) bound.channel();
	}

	private DatagramChannel bindGroup(SocketProtocolFamily family) throws InterruptedException {
		Bootstrap bootstrap = datagramBootstrap(family).option(ChannelOption.SO_REUSEADDR, true);
		if (this.config.receiveBufferSize() > 0) {
			bootstrap.option(ChannelOption.SO_RCVBUF, this.config.receiveBufferSize());
		}
		// the group address filters what the socket receives; Windows only binds the wildcard
		boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
		InetSocketAddress local = windows ? new InetSocketAddress(this.config.groupPort()) : this.groupAddress;
		DatagramChannel channel = (DatagramChannel) bootstrap.bind(local).sync().channel();
		try {
			channel.joinGroup(this.groupAddress, this.networkInterface).sync();
		}
		catch (Exception ex) {
			channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
			throw ex;
		}
		return channel;
	}

	private Bootstrap datagramBootstrap(SocketProtocolFamily family) {
		return new Bootstrap().group(this.loop)
			.channelFactory(this.transports.datagramChannelFactory(family))
			.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(this.packetSize + 1))
			.option(ChannelOption.WRITE_BUFFER_WATER_MARK,
					new WriteBufferWaterMark(32 * this.packetSize, 64 * this.packetSize))
			.handler(new InboundHandler());
	}

	private void configureMulticastSending(DatagramChannel channel, SocketProtocolFamily family) {
		DatagramChannelConfig options = channel.config();
		options.setNetworkInterface(this.networkInterface);
		this.transports.setMulticastTtl(channel, family, this.config.ttl());
		// the auto probe needs loopback; the configured value is restored after it
		options.setLoopbackModeDisabled(!(this.config.loopback() || this.config.mode() == TransportMode.AUTO));
	}

	private NetworkInterface resolveInterface() throws SocketException, UnknownHostException {
		String name = this.config.networkInterface();
		NetworkInterface found;
		if (name != null) {
			found = NetworkInterface.getByName(name);
			if (found == null) {
				throw new SocketException("no network interface named '" + name + "'");
			}
		}
		else {
			InetAddress bind = InetAddress.getByName(this.config.bindHost());
			if (bind.isAnyLocalAddress()) {
				throw new SocketException("networkInterface: name the interface for multicast (for example eth0) "
						+ "or bind the data channel to an address of it");
			}
			found = NetworkInterface.getByInetAddress(bind);
			if (found == null) {
				throw new SocketException("no network interface holds " + bind.getHostAddress());
			}
		}
		if (!found.isUp()) {
			throw new SocketException("network interface " + found.getName() + " is down");
		}
		if (!found.supportsMulticast()) {
			LOG.log(System.Logger.Level.DEBUG, "interface {0} does not advertise MULTICAST; trying anyway",
					found.getName());
		}
		return found;
	}

	private static String describe(NetworkInterface networkInterface) {
		return (networkInterface != null) ? networkInterface.getName() : "(no interface)";
	}

	private void logSocketBuffers() {
		DatagramChannelConfig options = this.unicast.config();
		this.effectiveSendBufferSize = options.getSendBufferSize();
		this.effectiveReceiveBufferSize = options.getReceiveBufferSize();
		LOG.log(System.Logger.Level.INFO,
				"data socket {0}: SO_SNDBUF requested {1}, effective {2}; SO_RCVBUF requested {3}, effective {4}"
						+ " (kernels cap these: on Linux raise net.core.wmem_max / net.core.rmem_max)",
				this.unicast.localAddress(), Integer.toString(this.config.sendBufferSize()),
				Integer.toString(this.effectiveSendBufferSize), Integer.toString(this.config.receiveBufferSize()),
				Integer.toString(this.effectiveReceiveBufferSize));
	}

	/**
	 * Multicasts probes to ourselves until one comes back or the timeout passes.
	 * @return milliseconds waited, or -1 if no probe came back
	 */
	private long probe() throws InterruptedException {
		long start = System.nanoTime();
		long timeoutNanos = this.config.probeTimeout().toNanos();
		long deadline = start + timeoutNanos;
		long interval = Math.max(TimeUnit.MILLISECONDS.toNanos(20), timeoutNanos / 5);
		Promise<Void> returned = this.loop.newPromise();
		long id = RANDOM.nextLong();
		this.loop.submit(() -> {
			this.probeId = id;
			this.probeReturned = returned;
		}).sync();
		try {
			for (int attempt = 0; attempt < 50; attempt++) {
				long now = System.nanoTime();
				if (now >= deadline) {
					break;
				}
				this.loop.execute(this::sendProbe);
				if (returned.await(Math.min(interval, deadline - now), TimeUnit.NANOSECONDS)) {
					return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
				}
			}
			return returned.isSuccess() ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) : -1;
		}
		finally {
			this.loop.submit(() -> {
				this.probeReturned = null;
				if (!this.config.loopback()) {
					this.unicast.config().setLoopbackModeDisabled(true);
				}
			}).awaitUninterruptibly(2, TimeUnit.SECONDS);
		}
	}

	private void sendProbe() {
		DatagramChannel channel = this.unicast;
		if (channel == null || this.probeReturned == null) {
			return;
		}
		int length = build(MessageTypes.PROBE, this.probeId, 0, 0, null, 0, 0);
		write(channel, this.groupAddress, length);
		channel.flush();
	}

	// ---------------------------------------------------------------- sending (node loop)

	@Override
	public boolean sendToAll(Iterable<InetSocketAddress> members, long transferId, int sequence, int count,
			byte[] buffer, int offset, int length, boolean repair) {
		DatagramChannel channel = sendingChannel();
		if (!channel.isWritable()) {
			return false;
		}
		int frameLength = build(repair ? MessageTypes.DATA_REPAIR : MessageTypes.DATA, transferId, sequence, count,
				buffer, offset, length);
		if (this.mode == TransportMode.MULTICAST) {
			write(channel, this.groupAddress, frameLength);
		}
		else {
			ByteBuf packet = channel.alloc().directBuffer(frameLength).writeBytes(this.sendBuffer, 0, frameLength);
			try {
				for (InetSocketAddress member : members) {
					channel.write(new DatagramPacket(packet.retainedDuplicate(), member), channel.voidPromise());
				}
			}
			finally {
				packet.release();
			}
		}
		channel.flush();
		return true;
	}

	@Override
	public boolean sendTo(InetSocketAddress member, long transferId, int sequence, int count, byte[] buffer,
			int offset, int length, boolean repair) {
		Objects.requireNonNull(member, "member");
		DatagramChannel channel = sendingChannel();
		if (!channel.isWritable()) {
			return false;
		}
		int frameLength = build(repair ? MessageTypes.DATA_REPAIR : MessageTypes.DATA, transferId, sequence, count,
				buffer, offset, length);
		write(channel, member, frameLength);
		channel.flush();
		return true;
	}

	@Override
	public void announce(byte[] memberInfo) {
		Objects.requireNonNull(memberInfo, "memberInfo");
		DatagramChannel channel = sendingChannel();
		if (this.mode != TransportMode.MULTICAST) {
			return;
		}
		int frameLength = build(MessageTypes.ANNOUNCE, 0, 0, 0, memberInfo, 0, memberInfo.length);
		write(channel, this.groupAddress, frameLength);
		channel.flush();
	}

	private DatagramChannel sendingChannel() {
		if (!this.loop.inEventLoop()) {
			throw new IllegalStateException("the data channel must be used on the node loop");
		}
		DatagramChannel channel = this.unicast;
		if (channel == null || this.closed) {
			throw new IllegalStateException("the data channel is " + (this.closed ? "closed" : "not started"));
		}
		return channel;
	}

	/** Writes header, payload and tag into the send buffer; returns the packet length. */
	private int build(byte type, long transferId, int sequence, int count, byte[] payload, int offset, int length) {
		if (length < 0 || length > maxPayload()) {
			throw new IllegalArgumentException("payload of " + length + " bytes; at most " + maxPayload() + " fit in a "
					+ this.packetSize + "-byte packet");
		}
		DataPacket packet = this.outbound.wrap(this.sendBuffer, 0);
		packet.writeHeader(type, this.authMode, this.localId, this.counter++, transferId, sequence, count, length);
		if (length > 0) {
			System.arraycopy(payload, offset, this.sendBuffer, DataPacket.HEADER_LENGTH, length);
		}
		this.authenticator.seal(packet);
		return DataPacket.OVERHEAD + length;
	}

	private void write(DatagramChannel channel, InetSocketAddress recipient, int frameLength) {
		ByteBuf packet = channel.alloc().directBuffer(frameLength).writeBytes(this.sendBuffer, 0, frameLength);
		channel.write(new DatagramPacket(packet, recipient), channel.voidPromise());
	}

	// ---------------------------------------------------------------- receiving (node loop)

	private void received(DatagramPacket datagram) {
		ByteBuf content = datagram.content();
		int length = content.readableBytes();
		if (length > this.packetSize) {
			reject(RejectReason.TOO_LONG, datagram, "datagram longer than the packet size " + this.packetSize);
			return;
		}
		content.getBytes(content.readerIndex(), this.receiveBuffer, 0, length);
		DataPacket packet = this.inbound.wrap(this.receiveBuffer, 0);
		RejectReason invalid = packet.validate(length, this.packetSize);
		if (invalid != null) {
			reject(invalid, datagram, "malformed data packet of " + length + " bytes");
			return;
		}
		if (packet.authMode() != this.authMode) {
			reject(RejectReason.WRONG_AUTH_MODE, datagram, "packet sealed with mode " + packet.authMode()
					+ ", this node uses " + this.authenticator.mode() + " (" + this.authMode + ")");
			return;
		}
		long sender = packet.senderId();
		byte type = packet.type();
		if (sender == this.localId) {
			// our own multicast, looped back: only a probe in flight is of interest
			if (type == MessageTypes.PROBE && this.probeReturned != null && packet.transferId() == this.probeId
					&& this.authenticator.open(packet)) {
				this.probeReturned.trySuccess(null);
			}
			return;
		}
		if (type == MessageTypes.PROBE) {
			// another node's auto probe
			return;
		}
		if ((type == MessageTypes.DATA || type == MessageTypes.DATA_REPAIR)
				&& this.listener.holds(sender, packet.transferId(), packet.sequence())) {
			// a repeat of a packet already held: dropped before the MAC, the most expensive step
			// of receiving; a forged one can only be dropped, so nothing needs proving
			this.duplicatesBeforeAuth++;
			return;
		}
		long counter = packet.counter();
		RejectReason replay = this.replayWindow.check(sender, counter);
		if (replay != null) {
			reject(replay, datagram, "counter " + counter + " of sender " + Long.toHexString(sender));
			return;
		}
		if (!this.authenticator.open(packet, this.openBuffer, 0)) {
			reject(RejectReason.BAD_MAC, datagram, "packet of sender " + Long.toHexString(sender)
					+ " fails authentication (tampered, or another cluster secret)");
			return;
		}
		this.replayWindow.accept(sender, counter);
		try {
			if (type == MessageTypes.ANNOUNCE) {
				this.listener.onAnnounce(sender, Arrays.copyOf(this.openBuffer, packet.payloadLength()));
			}
			else {
				this.listener.onData(sender, packet.transferId(), packet.sequence(), packet.count(), this.openBuffer, 0,
						packet.payloadLength(), type == MessageTypes.DATA_REPAIR);
			}
		}
		catch (RuntimeException ex) {
			LOG.log(System.Logger.Level.WARNING, "data listener failed on a packet of " + Long.toHexString(sender), ex);
		}
	}

	private void reject(RejectReason reason, DatagramPacket datagram, String detail) {
		this.rejectedInput.reject(CHANNEL, reason.tag(), detail + " from " + datagram.sender());
	}

	@Override
	public double receiveBufferOccupancy() {
		double unicastQueue = SocketMemory.receiveOccupancy(this.unicast);
		DatagramChannel group = this.groupChannel;
		return (group == null) ? unicastQueue : Math.max(unicastQueue, SocketMemory.receiveOccupancy(group));
	}

	@Override
	public long receiveBufferDrops() {
		long unicastDrops = SocketMemory.drops(this.unicast);
		DatagramChannel group = this.groupChannel;
		if (group == null || unicastDrops < 0) {
			return unicastDrops;
		}
		long groupDrops = SocketMemory.drops(group);
		return (groupDrops < 0) ? -1 : unicastDrops + groupDrops;
	}

	/** The multicast TTL set on the sending socket (tests). */
	int multicastTtl() {
		SocketProtocolFamily family = (this.config.group() instanceof Inet6Address) ? SocketProtocolFamily.INET6
				: SocketProtocolFamily.INET;
		return this.transports.multicastTtl(this.unicast, family);
	}

	/**
	 * Data packets dropped before authentication because the listener already held their
	 * sequence. Read on the node loop.
	 */
	public long duplicatesDroppedBeforeAuth() {
		return this.duplicatesBeforeAuth;
	}

	/** Senders with a replay window (tests). */
	int trackedSenders() {
		return this.replayWindow.trackedSenders();
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		DatagramChannel groupSocket = this.groupChannel;
		DatagramChannel unicastSocket = this.unicast;
		ChannelFuture groupClosed = (groupSocket != null) ? groupSocket.close() : null;
		ChannelFuture unicastClosed = (unicastSocket != null) ? unicastSocket.close() : null;
		if (!this.loop.inEventLoop()) {
			if (groupClosed != null) {
				groupClosed.awaitUninterruptibly(2, TimeUnit.SECONDS);
			}
			if (unicastClosed != null) {
				unicastClosed.awaitUninterruptibly(2, TimeUnit.SECONDS);
			}
		}
	}

	/** One per socket; both feed the same (loop-confined) state. */
	private final class InboundHandler extends SimpleChannelInboundHandler<DatagramPacket> {

		private Class<?> lastLogged;

		InboundHandler() {
			super(DatagramPacket.class);
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
			if (!NettyDataChannel.this.closed) {
				received(datagram);
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			// UDP errors (a send refused, an ICMP error) do not close the socket; log each kind once
			if (cause.getClass() != this.lastLogged) {
				this.lastLogged = cause.getClass();
				LOG.log(System.Logger.Level.WARNING, "data socket " + ctx.channel().localAddress() + ": " + cause);
			}
		}

	}

}
