package io.zynco.transport.netty;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

import io.netty.handler.ssl.SslContext;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.MemberInfo;
import io.zynco.transport.RejectedInput;

/**
 * Configuration of a {@link NettyControlChannel}. Build it with {@link #builder}; the
 * constructor validates every value. Thread-safe (immutable; the secret is copied in and out).
 *
 * @param bindHost address the server socket binds (an IP literal; "0.0.0.0" for all)
 * @param port TCP port to listen on; 0 picks an ephemeral port
 * @param cluster cluster name; a peer with another name is rejected ({@code wrong-cluster})
 * @param secret cluster secret keying the handshake HMAC, at least 16 bytes
 * @param localMember this node's member info, asked at each handshake (its control port is
 * only known after binding)
 * @param maxFrameLength largest frame {@code length} (type and body) accepted and sent
 * @param handshakeTimeout time a connection has to complete TLS and the handshake
 * @param connectTimeout time a dial has to establish the TCP connection
 * @param serverSsl TLS for accepted connections, or null for none
 * @param clientSsl TLS for dialed connections, or null for none
 * @param rejectedInput where rejected frames and handshakes are counted
 * @param writeBufferLowWaterMark outbound bytes below which a connection is writable again
 * @param writeBufferHighWaterMark outbound bytes above which a connection is not writable
 */
public record ControlChannelConfig(String bindHost, int port, String cluster, byte[] secret,
		Supplier<MemberInfo> localMember, int maxFrameLength, Duration handshakeTimeout, Duration connectTimeout,
		SslContext serverSsl, SslContext clientSsl, RejectedInput rejectedInput, int writeBufferLowWaterMark,
		int writeBufferHighWaterMark) {

	/** Default time to complete the handshake. */
	public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

	/** Default time to establish a TCP connection. */
	public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

	/** Largest configurable frame length (1 GiB). */
	public static final int MAX_MAX_FRAME_LENGTH = 1 << 30;

	public ControlChannelConfig {
		Objects.requireNonNull(bindHost, "bindHost");
		Objects.requireNonNull(cluster, "cluster");
		Objects.requireNonNull(secret, "secret");
		Objects.requireNonNull(localMember, "localMember");
		Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
		Objects.requireNonNull(connectTimeout, "connectTimeout");
		Objects.requireNonNull(rejectedInput, "rejectedInput");
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port must be within 0..65535, not " + port);
		}
		if (secret.length < 16) {
			throw new IllegalArgumentException("secret: the cluster secret must have at least 16 bytes, not "
					+ secret.length);
		}
		if (maxFrameLength < 1024 || maxFrameLength > MAX_MAX_FRAME_LENGTH) {
			throw new IllegalArgumentException("maxFrameLength must be within 1024.." + MAX_MAX_FRAME_LENGTH + ", not "
					+ maxFrameLength);
		}
		if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
			throw new IllegalArgumentException("handshakeTimeout must be positive");
		}
		if (connectTimeout.isNegative() || connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("connectTimeout must be positive and below 24 days");
		}
		if ((serverSsl == null) != (clientSsl == null)) {
			throw new IllegalArgumentException("tls: give both the server and the client SslContext, or neither");
		}
		if (writeBufferLowWaterMark < 0 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
			throw new IllegalArgumentException("write buffer water marks must satisfy 0 <= low <= high, not "
					+ writeBufferLowWaterMark + ", " + writeBufferHighWaterMark);
		}
		secret = secret.clone();
	}

	/** A copy of the cluster secret. */
	@Override
	public byte[] secret() {
		return this.secret.clone();
	}

	/** Whether connections use TLS. */
	public boolean tls() {
		return this.serverSsl != null;
	}

	@Override
	public String toString() {
		return "ControlChannelConfig[bind=" + this.bindHost + ":" + this.port + ", cluster=" + this.cluster
				+ ", maxFrameLength=" + this.maxFrameLength + ", handshakeTimeout=" + this.handshakeTimeout
				+ ", connectTimeout=" + this.connectTimeout + ", tls=" + tls() + "]";
	}

	/** A builder with the required values and defaults for the rest. */
	public static Builder builder(String cluster, byte[] secret, Supplier<MemberInfo> localMember,
			RejectedInput rejectedInput) {
		return new Builder(cluster, secret, localMember, rejectedInput);
	}

	/** Builder of {@link ControlChannelConfig}. Not thread-safe. */
	public static final class Builder {

		private final String cluster;

		private final byte[] secret;

		private final Supplier<MemberInfo> localMember;

		private final RejectedInput rejectedInput;

		private String bindHost = "0.0.0.0";

		private int port;

		private int maxFrameLength = ControlFrameCodec.DEFAULT_MAX_FRAME_LENGTH;

		private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

		private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

		private SslContext serverSsl;

		private SslContext clientSsl;

		private int writeBufferLowWaterMark = 256 * 1024;

		private int writeBufferHighWaterMark = 1024 * 1024;

		private Builder(String cluster, byte[] secret, Supplier<MemberInfo> localMember, RejectedInput rejectedInput) {
			this.cluster = cluster;
			this.secret = secret.clone();
			this.localMember = localMember;
			this.rejectedInput = rejectedInput;
		}

		/** Address and port to listen on (default 0.0.0.0, port 0 = ephemeral). */
		public Builder bind(String host, int port) {
			this.bindHost = host;
			this.port = port;
			return this;
		}

		/** Largest frame length (default 16 MiB). */
		public Builder maxFrameLength(int maxFrameLength) {
			this.maxFrameLength = maxFrameLength;
			return this;
		}

		/** Time to complete TLS and the handshake (default 10 s). */
		public Builder handshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
			return this;
		}

		/** Time to establish a TCP connection (default 5 s). */
		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
			return this;
		}

		/** TLS contexts for accepted and dialed connections (both or neither). */
		public Builder tls(SslContext server, SslContext client) {
			if ((server == null) != (client == null)) {
				throw new IllegalArgumentException("tls: give both the server and the client SslContext, or neither");
			}
			this.serverSsl = server;
			this.clientSsl = client;
			return this;
		}

		/** Outbound buffer water marks for {@code isWritable} (default 256 KiB / 1 MiB). */
		public Builder writeBufferWaterMarks(int low, int high) {
			this.writeBufferLowWaterMark = low;
			this.writeBufferHighWaterMark = high;
			return this;
		}

		public ControlChannelConfig build() {
			return new ControlChannelConfig(this.bindHost, this.port, this.cluster, this.secret, this.localMember,
					this.maxFrameLength, this.handshakeTimeout, this.connectTimeout, this.serverSsl, this.clientSsl,
					this.rejectedInput, this.writeBufferLowWaterMark, this.writeBufferHighWaterMark);
		}

	}

}
