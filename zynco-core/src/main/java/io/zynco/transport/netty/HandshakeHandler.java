package io.zynco.transport.netty;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Hello;
import io.zynco.protocol.ControlMessage.HelloAuth;
import io.zynco.protocol.MemberInfo;
import io.zynco.protocol.MessageTypes;
import io.zynco.protocol.RejectReason;

/**
 * The authenticated handshake of one control connection (see docs/replication.md): both
 * sides send {@code Hello} on connect and, after the peer's {@code Hello}, a
 * {@code HelloAuth} with
 *
 * <pre>
 * mac = HMAC-SHA256(secret, "zynco-hello-v1" | dialerHello | acceptorHello | role)
 * </pre>
 *
 * where each hello is its whole wire frame (length prefix, type, body) and {@code role} is
 * the ASCII {@code "dialer"} or {@code "acceptor"} of the side sending the MAC. A fresh
 * random nonce per side and connection makes a recorded handshake useless; the role keeps a
 * MAC from being reflected back. Nothing but {@code Hello} then {@code HelloAuth} is
 * accepted until both checks pass; then the handler removes itself and reports the peer.
 * Stateful: one instance per connection.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {

	private static final byte[] LABEL = "zynco-hello-v1".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] DIALER = "dialer".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] ACCEPTOR = "acceptor".getBytes(StandardCharsets.US_ASCII);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final NettyControlChannel owner;

	private final NettyControlChannel.ConnectionState state;

	private byte[] ownHelloFrame;

	private byte[] peerHelloFrame;

	private Hello peerHello;

	private ScheduledFuture<?> timeout;

	HandshakeHandler(NettyControlChannel owner, NettyControlChannel.ConnectionState state) {
		this.owner = owner;
		this.state = state;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		long timeoutNanos = this.owner.config().handshakeTimeout().toNanos();
		this.timeout = ctx.executor()
			.schedule(() -> fail(ctx, RejectReason.HANDSHAKE_TIMEOUT,
					"handshake not completed within " + this.owner.config().handshakeTimeout()), timeoutNanos,
					TimeUnit.NANOSECONDS);
		byte[] nonce = new byte[ControlFrameCodec.NONCE_LENGTH];
		RANDOM.nextBytes(nonce);
		MemberInfo self = this.owner.localMember();
		Hello hello = new Hello(MessageTypes.PROTOCOL_VERSION, this.owner.config().cluster(), self, nonce);
		this.ownHelloFrame = wireFrame(hello);
		ctx.writeAndFlush(hello);
		ctx.fireChannelActive();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		cancelTimeout();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		cancelTimeout();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (!(msg instanceof ControlMessage)) {
			// only decoded messages reach this handler
			ctx.fireChannelRead(msg);
			return;
		}
		if (!ctx.channel().isActive() || this.state.failed) {
			return;
		}
		if (this.peerHello == null) {
			if (!(msg instanceof Hello hello)) {
				fail(ctx, RejectReason.UNEXPECTED_FRAME, msg.getClass().getSimpleName() + " before Hello");
				return;
			}
			if (!this.owner.config().cluster().equals(hello.cluster())) {
				fail(ctx, RejectReason.WRONG_CLUSTER, "peer " + hello.member() + " is in cluster '" + hello.cluster()
						+ "', this node in '" + this.owner.config().cluster() + "'");
				return;
			}
			if (hello.member().id() == this.owner.localMember().id()) {
				fail(ctx, RejectReason.SELF_CONNECTION, "connected to itself at " + ctx.channel().remoteAddress());
				return;
			}
			this.peerHello = hello;
			this.peerHelloFrame = wireFrame(hello);
			this.owner.helloAccepted(this.state, hello.member());
			ctx.writeAndFlush(new HelloAuth(mac(this.state.dialer)));
			return;
		}
		if (!(msg instanceof HelloAuth auth)) {
			fail(ctx, RejectReason.UNEXPECTED_FRAME, msg.getClass().getSimpleName() + " before HelloAuth");
			return;
		}
		if (!MessageDigest.isEqual(mac(!this.state.dialer), auth.mac())) {
			fail(ctx, RejectReason.BAD_AUTH, "peer " + this.peerHello.member()
					+ " does not prove the cluster secret (wrong secret?)");
			return;
		}
		cancelTimeout();
		ctx.pipeline().remove(this);
		this.owner.authenticated(this.state, this.peerHello.member());
	}

	private void fail(ChannelHandlerContext ctx, RejectReason reason, String detail) {
		if (this.state.failed) {
			return;
		}
		cancelTimeout();
		this.owner.reject(this.state, reason, detail + " (" + ctx.channel().remoteAddress() + ")");
		ctx.close();
	}

	private void cancelTimeout() {
		if (this.timeout != null) {
			this.timeout.cancel(false);
			this.timeout = null;
		}
	}

	/** The MAC the side in the given role sends. */
	private byte[] mac(boolean dialerRole) {
		byte[] dialerHello = this.state.dialer ? this.ownHelloFrame : this.peerHelloFrame;
		byte[] acceptorHello = this.state.dialer ? this.peerHelloFrame : this.ownHelloFrame;
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(this.owner.secret(), "HmacSHA256"));
			mac.update(LABEL);
			mac.update(dialerHello);
			mac.update(acceptorHello);
			mac.update(dialerRole ? DIALER : ACCEPTOR);
			return mac.doFinal();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("this JVM lacks HmacSHA256", ex);
		}
	}

	/** The whole wire frame of a hello: length prefix, type and body (canonical encoding). */
	static byte[] wireFrame(Hello hello) {
		byte[] body = ControlFrameCodec.encodeToArray(hello);
		byte[] frame = new byte[ControlFrameCodec.LENGTH_FIELD_LENGTH + body.length];
		frame[0] = (byte) (body.length >>> 24);
		frame[1] = (byte) (body.length >>> 16);
		frame[2] = (byte) (body.length >>> 8);
		frame[3] = (byte) body.length;
		System.arraycopy(body, 0, frame, ControlFrameCodec.LENGTH_FIELD_LENGTH, body.length);
		return frame;
	}

}
