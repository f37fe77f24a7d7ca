package io.zynco.transport.netty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.InvalidFrameException;
import io.zynco.protocol.MemberInfo;
import io.zynco.protocol.RejectReason;
import io.zynco.transport.ControlChannel;
import io.zynco.transport.ControlListener;

/**
 * The control channel over TCP with Netty: a server socket and dialed connections, all on
 * the node loop, each with the pipeline
 *
 * <pre>
 * [SslHandler] → FrameDecoder (a LengthFieldBasedFrameDecoder(max + 4, 0, 4, 0, 4);
 *                 16 KiB until authenticated) → ControlFrameDecoder
 *              ← LengthFieldPrepender(4) ← ControlFrameEncoder
 *              → HandshakeHandler (until authenticated) → session (to the listener) → errors
 * </pre>
 *
 * A connection is reported with {@code onConnected} only after the handshake
 * ({@link HandshakeHandler}) proved that the peer knows the cluster secret and is in the same
 * cluster and protocol version. Any bad input (a malformed or oversized frame, an unknown
 * type, a failed handshake, a TLS failure) is counted through the configured
 * {@code RejectedInput} with its reason tag and closes that connection only.
 *
 * <p>
 * <b>Duplicate connections.</b> When two authenticated connections to one member exist
 * (both dialed at once), the one dialed by the member with the smaller id (unsigned) wins on
 * both sides and the other is closed without {@code onDisconnected}; if the winner
 * authenticates second, {@code onConnected} fires again ("a second connection replaces the
 * first"). A node whose connection is closed by the peer as the loser while its own winner
 * is still in the handshake reports nothing until that handshake ends, so crossing dials do
 * not flap. When the same side dialed both, the newer replaces the older (the older is
 * presumably dead on the dialer's side). Messages already in flight on the closed duplicate
 * are still delivered if they arrive before it closes, but some may be lost: the layers above
 * tolerate connection loss anyway.
 *
 * <p>
 * Thread-safe: {@link #send}, {@link #isWritable}, {@link #connectedMembers},
 * {@link #connect} and {@link #disconnect} may be called from any thread; the registry of
 * connections is changed on the node loop only, and every listener call happens there.
 * {@link #start()} blocks and must not be called on the node loop; {@link #close()} waits
 * for the sockets to close unless called on it. After {@code close()} no listener is called.
 */
public final class NettyControlChannel implements ControlChannel {

	private static final System.Logger LOG = System.getLogger(NettyControlChannel.class.getName());

	static final String CHANNEL = "control";

	/**
	 * Largest frame {@code length} accepted before the handshake completes (a Hello is far
	 * smaller): a peer that has not proven the secret cannot make the node buffer megabytes.
	 * Longer frames are rejected as {@code too-long}.
	 */
	public static final int HANDSHAKE_MAX_FRAME_LENGTH = 16 * 1024;

	/** Most accepted connections that may be in their handshake at once; more are refused. */
	public static final int MAX_UNAUTHENTICATED = 128;

	private final ControlChannelConfig config;

	private final NettyTransports transports;

	private final EventLoop loop;

	private final ControlListener listener;

	private final byte[] secret;

	private final ControlFrameEncoder encoder;

	private final ErrorHandler errorHandler = new ErrorHandler();

	/** Authenticated connections by member id; written on the loop, read anywhere. */
	private final Map<Long, Connection> connections = new ConcurrentHashMap<>();

	/** Dials in progress (before authentication); loop only. */
	private final Map<InetSocketAddress, Channel> dialing = new HashMap<>();

	/** Connections whose peer's Hello passed but that are not authenticated yet; loop only. */
	private final Set<ConnectionState> handshaking = new HashSet<>();

	/**
	 * Members whose connection closed while another one to them was in its handshake: their
	 * {@code onDisconnected} waits for that handshake (it usually replaces the connection
	 * when two dials cross), but at most {@link #MAX_DISCONNECT_DEFERRAL}: a handshake that
	 * merely claims the member in its Hello, unauthenticated yet, must not hide the member's
	 * real disconnect for a whole handshake timeout. Loop only.
	 */
	private final Set<Long> deferredDisconnects = new HashSet<>();

	/**
	 * Longest a disconnect waits for a crossing handshake to the same member: that handshake
	 * takes a round trip or two, so a second is plenty (or the handshake timeout, if shorter).
	 */
	static final Duration MAX_DISCONNECT_DEFERRAL = Duration.ofSeconds(1);

	/** Every open channel, for {@link #close()}. */
	private final Set<Channel> open = ConcurrentHashMap.newKeySet();

	private volatile Channel server;

	/** Handshakes completed so far (tests). */
	private volatile int authenticatedCount;

	private volatile boolean closed;

	public NettyControlChannel(ControlChannelConfig config, NettyTransports transports, ControlListener listener) {
		this.config = Objects.requireNonNull(config, "config");
		this.transports = Objects.requireNonNull(transports, "transports");
		this.loop = transports.loop();
		this.listener = Objects.requireNonNull(listener, "listener");
		this.secret = config.secret();
		this.encoder = new ControlFrameEncoder(config.maxFrameLength());
	}

	ControlChannelConfig config() {
		return this.config;
	}

	byte[] secret() {
		return this.secret;
	}

	MemberInfo localMember() {
		return Objects.requireNonNull(this.config.localMember().get(), "localMember supplied null");
	}

	@Override
	public InetSocketAddress localAddress() {
		Channel channel = this.server;
		if (channel == null) {
			throw new IllegalStateException("the control channel is not started");
		}
		return (InetSocketAddress) channel.localAddress();
	}

	@Override
	public void start() throws InterruptedException {
		requireOffLoop("start");
		if (this.closed) {
			throw new IllegalStateException("the control channel is closed");
		}
		if (this.server != null) {
			throw new IllegalStateException("the control channel is already started");
		}
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.loop, this.loop)
			.channel(this.transports.serverChannelClass())
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childOption(ChannelOption.SO_KEEPALIVE, true)
			.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
			.childHandler(new AcceptedInitializer());
		ChannelFuture bound = bootstrap.bind(this.config.bindHost(), this.config.port()).sync();
		this.server = bound.channel();
		LOG.log(System.Logger.Level.INFO, "control channel listening on {0} ({1}, tls={2})", this.server.localAddress(),
				this.transports.kind(), this.config.tls());
	}

	@Override
	public void connect(InetSocketAddress address) {
		Objects.requireNonNull(address, "address");
		this.loop.execute(() -> dial(address));
	}

	private void dial(InetSocketAddress address) {
		if (this.closed || this.dialing.containsKey(address) || connectedTo(address)) {
			return;
		}
		ConnectionState state = new ConnectionState(true, address);
		Bootstrap bootstrap = new Bootstrap().group(this.loop)
			.channel(this.transports.socketChannelClass())
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.config.connectTimeout().toMillis())
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.SO_KEEPALIVE, true)
			.option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
			.handler(new DialedInitializer(state));
		ChannelFuture connecting = bootstrap.connect(address);
		state.channel = connecting.channel();
		this.dialing.put(address, state.channel);
		connecting.addListener((ChannelFutureListener) (future) -> {
			if (!future.isSuccess() && state.cause == null) {
				state.cause = future.cause();
			}
		});
	}

	private boolean connectedTo(InetSocketAddress address) {
		for (Connection connection : this.connections.values()) {
			if (address.equals(connection.state.dialedAddress) || address.equals(controlAddress(connection.peer))) {
				return true;
			}
		}
		return false;
	}

	private static InetSocketAddress controlAddress(MemberInfo member) {
		return new InetSocketAddress(member.host(), member.controlPort());
	}

	@Override
	public boolean send(long memberId, ControlMessage message) {
		Objects.requireNonNull(message, "message");
		if (message instanceof ControlMessage.Hello || message instanceof ControlMessage.HelloAuth) {
			throw new IllegalArgumentException("the handshake is the channel's own business");
		}
		Connection connection = this.connections.get(memberId);
		if (connection == null) {
			return false;
		}
		connection.state.channel.writeAndFlush(message).addListener(WRITE_FAILURE);
		return true;
	}

	private static final ChannelFutureListener WRITE_FAILURE = (future) -> {
		if (!future.isSuccess() && future.channel().isActive()) {
			LOG.log(System.Logger.Level.WARNING, "control write to " + future.channel().remoteAddress() + " failed",
					future.cause());
		}
	};

	@Override
	public void disconnect(long memberId) {
		Connection connection = this.connections.get(memberId);
		if (connection != null) {
			connection.state.channel.close();
		}
	}

	@Override
	public Set<Long> connectedMembers() {
		return Set.copyOf(this.connections.keySet());
	}

	@Override
	public boolean isWritable(long memberId) {
		Connection connection = this.connections.get(memberId);
		return connection != null && connection.state.channel.isWritable();
	}

	/** Handshakes completed so far, duplicates included (tests). */
	int authenticatedCount() {
		return this.authenticatedCount;
	}

	/** Open connections, authenticated or not (tests). */
	int openConnections() {
		return this.open.size();
	}

	/** The channel of an authenticated connection (tests). */
	Channel channelOf(long memberId) {
		Connection connection = this.connections.get(memberId);
		return (connection != null) ? connection.state.channel : null;
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		List<ChannelFuture> closing = new ArrayList<>();
		Channel serverChannel = this.server;
		if (serverChannel != null) {
			closing.add(serverChannel.close());
		}
		for (Channel channel : this.open) {
			closing.add(channel.close());
		}
		if (!this.loop.inEventLoop()) {
			for (ChannelFuture future : closing) {
				future.awaitUninterruptibly(5, TimeUnit.SECONDS);
			}
		}
		LOG.log(System.Logger.Level.DEBUG, "control channel closed");
	}

	// ---------------------------------------------------------------- connection events (loop)

	/** The peer's Hello on a connection passed its checks (the MAC is still to come). */
	void helloAccepted(ConnectionState state, MemberInfo peer) {
		state.helloMember = peer;
		this.handshaking.add(state);
	}

	/** The handshake of a connection passed; decides duplicates and tells the listener. */
	void authenticated(ConnectionState state, MemberInfo peer) {
		state.member = peer;
		state.frameDecoder.authenticated();
		this.handshaking.remove(state);
		this.deferredDisconnects.remove(peer.id());
		this.authenticatedCount++;
		if (state.dialer) {
			this.dialing.remove(state.dialedAddress, state.channel);
		}
		if (this.closed) {
			state.channel.close();
			return;
		}
		Connection existing = this.connections.get(peer.id());
		if (existing != null && existing.state.channel != state.channel) {
			if (!newConnectionWins(state, existing.state, peer.id())) {
				LOG.log(System.Logger.Level.DEBUG, "closing duplicate connection {0} to {1}", state.channel, peer);
				state.superseded = true;
				state.channel.close();
				return;
			}
			LOG.log(System.Logger.Level.DEBUG, "connection {0} to {1} replaces {2}", state.channel, peer,
					existing.state.channel);
			existing.state.superseded = true;
			// registered first: closing on the loop may run the close listener right away
			this.connections.put(peer.id(), new Connection(peer, state));
			existing.state.channel.close();
		}
		else {
			this.connections.put(peer.id(), new Connection(peer, state));
		}
		LOG.log(System.Logger.Level.DEBUG, "connected to {0} over {1}", peer, state.channel);
		try {
			this.listener.onConnected(peer);
		}
		catch (RuntimeException ex) {
			LOG.log(System.Logger.Level.WARNING, "control listener failed in onConnected(" + peer + ")", ex);
		}
	}

	private boolean newConnectionWins(ConnectionState fresh, ConnectionState existing, long peerId) {
		long self = localMember().id();
		long freshDialer = fresh.dialer ? self : peerId;
		long existingDialer = existing.dialer ? self : peerId;
		if (freshDialer == existingDialer) {
			return true;
		}
		long smaller = (Long.compareUnsigned(self, peerId) < 0) ? self : peerId;
		return freshDialer == smaller;
	}

	void received(ConnectionState state, ControlMessage message) {
		if (this.closed || state.member == null) {
			return;
		}
		try {
			this.listener.onMessage(state.member.id(), message);
		}
		catch (RuntimeException ex) {
			LOG.log(System.Logger.Level.WARNING, "control listener failed on " + message.getClass().getSimpleName()
					+ " from " + state.member, ex);
		}
	}

	void reject(ConnectionState state, RejectReason reason, String detail) {
		state.failed = true;
		if (state.cause == null) {
			state.cause = new InvalidFrameException(reason, detail);
		}
		this.config.rejectedInput().reject(CHANNEL, reason.tag(), detail);
	}

	private void closed(ConnectionState state) {
		this.open.remove(state.channel);
		this.handshaking.remove(state);
		if (state.dialer) {
			this.dialing.remove(state.dialedAddress, state.channel);
		}
		if (state.member != null) {
			long id = state.member.id();
			Connection connection = this.connections.get(id);
			if (connection != null && connection.state == state) {
				this.connections.remove(id);
				LOG.log(System.Logger.Level.DEBUG, "disconnected from {0}", state.member);
				if (handshakeInProgressWith(id)) {
					// crossed dials: the peer closed its losing copy before our winner finished
					this.deferredDisconnects.add(id);
					long bound = Math.min(MAX_DISCONNECT_DEFERRAL.toNanos(), this.config.handshakeTimeout().toNanos());
					this.loop.schedule(() -> endDeferral(id), bound, TimeUnit.NANOSECONDS);
				}
				else {
					notifyDisconnected(id);
				}
			}
			return;
		}
		if (state.helloMember != null) {
			long id = state.helloMember.id();
			if (this.deferredDisconnects.contains(id) && !handshakeInProgressWith(id)) {
				this.deferredDisconnects.remove(id);
				notifyDisconnected(id);
			}
		}
		if (state.dialer && !this.closed) {
			Throwable cause = (state.cause != null) ? state.cause
					: new IOException("connection to " + state.dialedAddress + " closed before the handshake completed");
			try {
				this.listener.onConnectFailed(state.dialedAddress, cause);
			}
			catch (RuntimeException ex) {
				LOG.log(System.Logger.Level.WARNING, "control listener failed in onConnectFailed", ex);
			}
		}
	}

	/**
	 * The deferral of a member's disconnect has lasted its bound: reports the disconnect unless
	 * a handshake since gave the member a connection (which ended the deferral). Loop only.
	 */
	private void endDeferral(long memberId) {
		if (this.deferredDisconnects.remove(memberId) && !this.connections.containsKey(memberId)) {
			notifyDisconnected(memberId);
		}
	}

	private boolean handshakeInProgressWith(long memberId) {
		for (ConnectionState other : this.handshaking) {
			if (other.helloMember.id() == memberId && other.channel.isActive()) {
				return true;
			}
		}
		return false;
	}

	private void notifyDisconnected(long memberId) {
		if (this.closed) {
			return;
		}
		try {
			this.listener.onDisconnected(memberId);
		}
		catch (RuntimeException ex) {
			LOG.log(System.Logger.Level.WARNING, "control listener failed in onDisconnected", ex);
		}
	}

	private WriteBufferWaterMark waterMark() {
		return new WriteBufferWaterMark(this.config.writeBufferLowWaterMark(), this.config.writeBufferHighWaterMark());
	}

	private void requireOffLoop(String what) {
		if (this.loop.inEventLoop()) {
			throw new IllegalStateException(what + " blocks and must not be called on the node loop");
		}
	}

	private void initPipeline(SocketChannel channel, ConnectionState state) {
		state.channel = channel;
		this.open.add(channel);
		channel.closeFuture().addListener((ChannelFutureListener) (future) -> closed(state));
		ChannelPipeline pipeline = channel.pipeline();
		if (this.config.tls()) {
			if (state.dialer) {
				pipeline.addLast("tls", this.config.clientSsl()
					.newHandler(channel.alloc(), state.dialedAddress.getHostString(), state.dialedAddress.getPort()));
			}
			else {
				pipeline.addLast("tls", this.config.serverSsl().newHandler(channel.alloc()));
			}
		}
		state.frameDecoder = new FrameDecoder(this.config.maxFrameLength());
		pipeline.addLast("frameDecoder", state.frameDecoder);
		pipeline.addLast("messageDecoder", ControlFrameDecoder.INSTANCE);
		pipeline.addLast("framePrepender", new LengthFieldPrepender(ControlFrameCodec.LENGTH_FIELD_LENGTH));
		pipeline.addLast("messageEncoder", this.encoder);
		pipeline.addLast("handshake", new HandshakeHandler(this, state));
		pipeline.addLast("session", new SessionHandler(state));
		pipeline.addLast("errors", this.errorHandler);
	}

	/**
	 * {@code LengthFieldBasedFrameDecoder(max + 4, 0, 4, 0, 4)} that also rejects a length
	 * with its top bit set ({@code bad-length}: no encoder writes one) and, until the
	 * handshake completes, any frame above {@link #HANDSHAKE_MAX_FRAME_LENGTH}
	 * ({@code too-long}).
	 */
	static final class FrameDecoder extends LengthFieldBasedFrameDecoder {

		private int limit;

		FrameDecoder(int maxFrameLength) {
			super(maxFrameLength + ControlFrameCodec.LENGTH_FIELD_LENGTH, 0, ControlFrameCodec.LENGTH_FIELD_LENGTH, 0,
					ControlFrameCodec.LENGTH_FIELD_LENGTH);
			this.limit = Math.min(HANDSHAKE_MAX_FRAME_LENGTH, maxFrameLength);
		}

		void authenticated() {
			this.limit = Integer.MAX_VALUE;
		}

		@Override
		protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
			if (in.readableBytes() >= ControlFrameCodec.LENGTH_FIELD_LENGTH) {
				int length = in.getInt(in.readerIndex());
				if (length < 0) {
					throw new InvalidFrameException(RejectReason.BAD_LENGTH,
							"negative frame length " + length + " (top bit set)");
				}
				if (length > this.limit) {
					throw new TooLongFrameException("frame of " + length + " bytes before the handshake completed");
				}
			}
			return super.decode(ctx, in);
		}

	}

	/** Per-connection facts, on the loop. */
	static final class ConnectionState {

		final boolean dialer;

		/** The address dialed, or null for an accepted connection. */
		final InetSocketAddress dialedAddress;

		Channel channel;

		/** The peer as its Hello says, once the Hello passed (before the MAC). */
		MemberInfo helloMember;

		/** The authenticated peer, or null before the handshake completes. */
		MemberInfo member;

		/** Why the connection failed, for {@code onConnectFailed}. */
		Throwable cause;

		FrameDecoder frameDecoder;

		/** A rejection was counted; the connection is closing. */
		boolean failed;

		/** Closed as a duplicate: no event when it closes. */
		boolean superseded;

		ConnectionState(boolean dialer, InetSocketAddress dialedAddress) {
			this.dialer = dialer;
			this.dialedAddress = dialedAddress;
		}

	}

	private record Connection(MemberInfo peer, ConnectionState state) {
	}

	/** Pipeline of accepted connections. */
	private final class AcceptedInitializer extends ChannelInitializer<SocketChannel> {

		@Override
		protected void initChannel(SocketChannel channel) {
			if (NettyControlChannel.this.closed) {
				channel.close();
				return;
			}
			int unauthenticated = NettyControlChannel.this.open.size() - NettyControlChannel.this.connections.size();
			if (unauthenticated >= MAX_UNAUTHENTICATED) {
				// a flood of connections that never authenticate must not hold unbounded memory
				NettyControlChannel.this.config.rejectedInput().reject("control", "too-many-handshakes",
						unauthenticated + " connections are still in their handshake; refusing " + channel.remoteAddress());
				channel.close();
				return;
			}
			initPipeline(channel, new ConnectionState(false, null));
		}

	}

	/** Pipeline of dialed connections. */
	private final class DialedInitializer extends ChannelInitializer<SocketChannel> {

		private final ConnectionState state;

		DialedInitializer(ConnectionState state) {
			this.state = state;
		}

		@Override
		protected void initChannel(SocketChannel channel) {
			initPipeline(channel, this.state);
		}

	}

	/** After the handshake: messages to the listener; a second handshake is a protocol error. */
	private final class SessionHandler extends ChannelInboundHandlerAdapter {

		private final ConnectionState state;

		SessionHandler(ConnectionState state) {
			this.state = state;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof ControlMessage.Hello || msg instanceof ControlMessage.HelloAuth) {
				reject(this.state, RejectReason.UNEXPECTED_FRAME,
						msg.getClass().getSimpleName() + " after the handshake from " + this.state.member);
				ctx.close();
				return;
			}
			if (msg instanceof ControlMessage message) {
				received(this.state, message);
				return;
			}
			ctx.fireChannelRead(msg);
		}

	}

	/** Last handler: turns exceptions into counted rejections and closes the connection. */
	@Sharable
	private final class ErrorHandler extends ChannelInboundHandlerAdapter {

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ConnectionState state = stateOf(ctx.channel());
			RejectReason reason = reasonOf(cause);
			String detail = cause.getMessage() + " (" + ctx.channel().remoteAddress() + ")";
			if (reason != null && state != null && !state.failed) {
				reject(state, reason, detail);
				state.cause = cause;
			}
			else if (reason == null) {
				if (state != null && state.cause == null) {
					state.cause = cause;
				}
				if (cause instanceof IOException) {
					LOG.log(System.Logger.Level.DEBUG, "control connection " + ctx.channel() + " failed", cause);
				}
				else {
					LOG.log(System.Logger.Level.WARNING, "control connection " + ctx.channel() + " failed", cause);
				}
			}
			ctx.close();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			io.netty.util.ReferenceCountUtil.release(msg);
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
			if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
				ConnectionState state = stateOf(ctx.channel());
				if (state != null && !state.failed && !NettyControlChannel.this.closed) {
					reject(state, RejectReason.TLS, "TLS handshake failed: " + completion.cause() + " ("
							+ ctx.channel().remoteAddress() + ")");
					state.cause = completion.cause();
				}
				ctx.close();
			}
			io.netty.util.ReferenceCountUtil.release(event);
		}

		private ConnectionState stateOf(Channel channel) {
			SessionHandler session = channel.pipeline().get(SessionHandler.class);
			return (session != null) ? session.state : null;
		}

	}

	/** The reason tag of a pipeline exception, or null if it is not bad input (I/O errors). */
	static RejectReason reasonOf(Throwable cause) {
		if (cause instanceof InvalidFrameException invalid) {
			return invalid.reason();
		}
		if (cause instanceof TooLongFrameException) {
			return RejectReason.TOO_LONG;
		}
		if (cause instanceof NotSslRecordException || cause instanceof SSLException
				|| (cause instanceof DecoderException && cause.getCause() instanceof SSLException)) {
			return RejectReason.TLS;
		}
		if (cause instanceof CorruptedFrameException) {
			return RejectReason.BAD_LENGTH;
		}
		if (cause instanceof DecoderException) {
			return RejectReason.BAD_FIELD;
		}
		return null;
	}

}
