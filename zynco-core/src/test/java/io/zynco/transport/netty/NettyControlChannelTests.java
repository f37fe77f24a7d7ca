package io.zynco.transport.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Heartbeat;
import io.zynco.protocol.ControlMessage.HeartbeatAck;
import io.zynco.protocol.ControlMessage.PublishRequest;
import io.zynco.protocol.MemberInfo;
import io.zynco.protocol.MessageTypes;
import io.zynco.testing.Await;
import io.zynco.transport.ControlListener;

import static org.assertj.core.api.Assertions.assertThat;

/** Real control channels on 127.0.0.1, each on its own node loop. */
class NettyControlChannelTests {

	private static final byte[] SECRET = "a cluster secret of 32 bytes....".getBytes(StandardCharsets.US_ASCII);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void closeAll() throws Exception {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
	}

	private Node node(String name) throws InterruptedException {
		return node(name, "test-cluster", SECRET, (builder) -> {
		});
	}

	private Node node(String name, String cluster, byte[] secret, Consumer<ControlChannelConfig.Builder> customizer)
			throws InterruptedException {
		Node node = new Node(name, cluster, secret, customizer);
		this.closeables.add(node);
		node.start();
		return node;
	}

	@Test
	void connectsAuthenticatesAndExchangesMessagesOnTheNodeLoop() throws Exception {
		Node a = node("a");
		Node b = node("b");
		a.channel.connect(b.address());
		Await.until("both sides are connected", () -> a.listener.connected.size() == 1 && b.listener.connected.size() == 1);
		assertThat(a.listener.connected.peek()).isEqualTo(b.member);
		assertThat(b.listener.connected.peek()).isEqualTo(a.member);
		assertThat(a.channel.connectedMembers()).containsExactly(b.member.id());
		assertThat(b.channel.connectedMembers()).containsExactly(a.member.id());
		assertThat(a.channel.isWritable(b.member.id())).isTrue();
		Heartbeat heartbeat = new Heartbeat(1, System.nanoTime(), 42, true, 0,
				List.of(new ControlMessage.StateStatus("fares", 3, 0xABC, 4)));
		assertThat(a.channel.send(b.member.id(), heartbeat)).isTrue();
		Await.until("b hears the heartbeat", () -> !b.listener.messages.isEmpty());
		Received received = b.listener.messages.poll();
		assertThat(received.from).isEqualTo(a.member.id());
		assertThat(received.message).usingRecursiveComparison().isEqualTo(heartbeat);
		assertThat(b.channel.send(a.member.id(), new HeartbeatAck(1, heartbeat.sentNanos()))).isTrue();
		Await.until("a hears the ack", () -> !a.listener.messages.isEmpty());
		assertThat(a.listener.messages.poll().message).isEqualTo(new HeartbeatAck(1, heartbeat.sentNanos()));
		for (int i = 0; i < 100; i++) {
			a.channel.send(b.member.id(), new ControlMessage.Commit(i));
		}
		Await.until("b hears all commits in order", () -> b.listener.messages.size() == 100);
		for (int i = 0; i < 100; i++) {
			assertThat(b.listener.messages.poll().message).isEqualTo(new ControlMessage.Commit(i));
		}
		assertThat(a.listener.offLoopCalls + b.listener.offLoopCalls).isZero();
		assertThat(a.rejected.total() + b.rejected.total()).isZero();
		assertThat(a.channel.send(12345, new ControlMessage.Commit(1))).isFalse();
	}

	@Test
	void rejectsAPeerWithAnotherSecret() throws Exception {
		Node a = node("a");
		byte[] otherSecret = SECRET.clone();
		otherSecret[0] ^= 1;
		Node b = node("b", "test-cluster", otherSecret, (builder) -> {
		});
		a.channel.connect(b.address());
		Await.until("the dial fails", () -> !a.listener.connectFailed.isEmpty());
		Await.until("both count bad-auth",
				() -> a.rejected.count("control", "bad-auth") == 1 && b.rejected.count("control", "bad-auth") == 1);
		assertThat(a.listener.connected).isEmpty();
		assertThat(b.listener.connected).isEmpty();
		assertThat(a.channel.connectedMembers()).isEmpty();
		assertThat(a.listener.connectFailed.peek()).isEqualTo(b.address());
	}

	@Test
	void rejectsAPeerOfAnotherCluster() throws Exception {
		Node a = node("a");
		Node b = node("b", "other-cluster", SECRET, (builder) -> {
		});
		a.channel.connect(b.address());
		Await.until("the dial fails", () -> !a.listener.connectFailed.isEmpty());
		Await.until("both count wrong-cluster", () -> a.rejected.count("control", "wrong-cluster") == 1
				&& b.rejected.count("control", "wrong-cluster") == 1);
		assertThat(a.listener.connected).isEmpty();
		assertThat(b.listener.connected).isEmpty();
	}

	@Test
	void closesConnectionsThatDoNotCompleteTheHandshakeInTime() throws Exception {
		Node b = node("b", "test-cluster", SECRET, (builder) -> builder.handshakeTimeout(Duration.ofMillis(200)));
		try (Socket silent = new Socket()) {
			silent.connect(b.address(), 2000);
			silent.setSoTimeout(3000);
			InputStream in = silent.getInputStream();
			// the node's Hello arrives, then the connection closes
			assertThat(readFrame(in)[0]).isEqualTo(MessageTypes.HELLO);
			assertThat(in.read()).isEqualTo(-1);
		}
		Await.until("the timeout is counted", () -> b.rejected.count("control", "handshake-timeout") == 1);
		assertThat(b.listener.connected).isEmpty();
	}

	@Test
	void rejectsMalformedAndUnexpectedFramesAndKeepsServing() throws Exception {
		Node b = node("b", "test-cluster", SECRET, (builder) -> builder.maxFrameLength(4096));
		// an unknown frame type
		sendRaw(b, new byte[] { 0, 0, 0, 2, 99, 0 });
		Await.until("unknown-type is counted", () -> b.rejected.count("control", "unknown-type") == 1);
		// a length beyond the maximum
		sendRaw(b, new byte[] { 0, 0, 0x10, 1, MessageTypes.PUBLISH_REQUEST });
		Await.until("too-long is counted", () -> b.rejected.count("control", "too-long") == 1);
		// a length with the top bit set
		sendRaw(b, new byte[] { (byte) 0x80, 0, 0, 1, MessageTypes.COMMIT });
		Await.until("bad-length is counted", () -> b.rejected.count("control", "bad-length") == 1);
		// an empty frame: no type byte
		sendRaw(b, new byte[] { 0, 0, 0, 0 });
		Await.until("the empty frame is counted", () -> b.rejected.count("control", "truncated") == 1);
		// a well-formed frame, but not a Hello
		byte[] commit = ControlFrameCodec.encodeToArray(new ControlMessage.Commit(1));
		byte[] framed = new byte[4 + commit.length];
		framed[3] = (byte) commit.length;
		System.arraycopy(commit, 0, framed, 4, commit.length);
		sendRaw(b, framed);
		Await.until("unexpected-frame is counted", () -> b.rejected.count("control", "unexpected-frame") == 1);
		// a truncated body
		sendRaw(b, new byte[] { 0, 0, 0, 3, MessageTypes.COMMIT, 1, 2 });
		Await.until("truncated is counted", () -> b.rejected.count("control", "truncated") == 2);
		// before the handshake, even a frame within the maximum is refused above 16 KiB
		Node big = node("big");
		sendRaw(big, new byte[] { 0, 0, 0x40, 1, MessageTypes.HELLO });
		Await.until("too-long is counted before the handshake", () -> big.rejected.count("control", "too-long") == 1);
		// and a real member still gets in
		Node a = node("a");
		a.channel.connect(b.address());
		Await.until("a connects", () -> b.listener.connected.size() == 1);
		assertThat(b.listener.connected).containsExactly(a.member);
	}

	@Test
	void closesAConnectionThatSendsAnOversizedFrameAfterTheHandshake() throws Exception {
		Node a = node("a");
		Node b = node("b", "test-cluster", SECRET, (builder) -> builder.maxFrameLength(2048));
		a.channel.connect(b.address());
		Await.until("connected", () -> a.channel.connectedMembers().size() == 1);
		a.channel.send(b.member.id(), new PublishRequest(1, new byte[3000]));
		Await.until("b counts too-long", () -> b.rejected.count("control", "too-long") == 1);
		Await.until("both see the disconnect",
				() -> a.listener.disconnected.size() == 1 && b.listener.disconnected.size() == 1);
		assertThat(a.listener.disconnected).containsExactly(b.member.id());
		assertThat(b.listener.messages).isEmpty();
	}

	@Test
	void connectIsIdempotent() throws Exception {
		Node a = node("a");
		Node b = node("b");
		for (int i = 0; i < 5; i++) {
			a.channel.connect(b.address());
		}
		Await.until("connected", () -> a.listener.connected.size() == 1 && b.listener.connected.size() == 1);
		a.channel.connect(b.address());
		a.channel.connect(new InetSocketAddress("127.0.0.1", b.address().getPort()));
		Await.never("a second connection appears", Duration.ofMillis(200),
				() -> a.listener.connected.size() > 1 || b.listener.connected.size() > 1);
		assertThat(a.listener.connectFailed).isEmpty();
	}

	@Test
	void resolvesSimultaneousDialsToTheConnectionDialedByTheSmallerId() throws Exception {
		int duplicates = 0;
		for (int round = 0; round < 6; round++) {
			Node a = node("a" + round);
			Node b = node("b" + round);
			a.channel.connect(b.address());
			b.channel.connect(a.address());
			Await.until("one connection left, the same on both sides",
					() -> a.channel.openConnections() == 1 && b.channel.openConnections() == 1 && sameConnection(a, b));
			Await.never("the connection changes", Duration.ofMillis(100), () -> !sameConnection(a, b));
			Channel aToB = a.channel.channelOf(b.member.id());
			boolean aDialed = ((InetSocketAddress) aToB.remoteAddress()).getPort() == b.address().getPort();
			boolean aIsSmaller = Long.compareUnsigned(a.member.id(), b.member.id()) < 0;
			if (a.channel.authenticatedCount() + b.channel.authenticatedCount() > 2) {
				// both dials got through: the survivor is the one dialed by the smaller id
				duplicates++;
				assertThat(aDialed).isEqualTo(aIsSmaller);
			}
			assertThat(a.listener.disconnected).isEmpty();
			assertThat(b.listener.disconnected).isEmpty();
			assertThat(a.listener.connectFailed).isEmpty();
			assertThat(b.listener.connectFailed).isEmpty();
			a.channel.send(b.member.id(), new ControlMessage.Commit(round));
			Await.until("b hears a", () -> !b.listener.messages.isEmpty());
			assertThat(a.rejected.total() + b.rejected.total()).isZero();
		}
		assertThat(duplicates).as("rounds where both dials completed a handshake").isPositive();
	}

	private static boolean sameConnection(Node a, Node b) {
		Channel aToB = a.channel.channelOf(b.member.id());
		Channel bToA = b.channel.channelOf(a.member.id());
		return aToB != null && bToA != null && aToB.isActive() && bToA.isActive()
				&& aToB.localAddress().equals(bToA.remoteAddress()) && aToB.remoteAddress().equals(bToA.localAddress());
	}

	@Test
	void aHandshakeThatOnlyClaimsAMemberDelaysItsDisconnectByAtMostTheDeferralBound() throws Exception {
		Node a = node("a", "test-cluster", SECRET, (builder) -> builder.handshakeTimeout(Duration.ofSeconds(20)));
		Node b = node("b");
		a.channel.connect(b.address());
		Await.until("connected", () -> a.channel.connectedMembers().contains(b.member.id())
				&& b.channel.connectedMembers().contains(a.member.id()));
		try (Socket forger = new Socket()) {
			forger.connect(a.address(), 2000);
			forger.setSoTimeout(3000);
			// a Hello that names b, and never the HelloAuth that would prove it
			byte[] nonce = new byte[16];
			RANDOM.nextBytes(nonce);
			byte[] hello = ControlFrameCodec.encodeToArray(
					new ControlMessage.Hello(MessageTypes.PROTOCOL_VERSION, "test-cluster", b.member, nonce));
			OutputStream out = forger.getOutputStream();
			out.write(java.nio.ByteBuffer.allocate(4).putInt(hello.length).array());
			out.write(hello);
			out.flush();
			InputStream in = forger.getInputStream();
			assertThat(readFrame(in)[0]).isEqualTo(MessageTypes.HELLO);
			// a answers a Hello with its HelloAuth: it now holds a handshake claiming b
			assertThat(readFrame(in)[0]).isEqualTo(MessageTypes.HELLO_AUTH);

			b.channel.disconnect(a.member.id());
			// the forged handshake would hold the report for its 20 s timeout; the bound is 1 s
			Await.until("a reports b's disconnect within the deferral bound and some slack",
					NettyControlChannel.MAX_DISCONNECT_DEFERRAL.plusSeconds(4),
					() -> a.listener.disconnected.contains(b.member.id()));
			assertThat(a.channel.connectedMembers()).doesNotContain(b.member.id());
		}
		Await.never("a second report of the same disconnect", Duration.ofMillis(300),
				() -> a.listener.disconnected.size() > 1);
	}

	@Test
	void disconnectClosesAndNotifiesBothSides() throws Exception {
		Node a = node("a");
		Node b = node("b");
		a.channel.connect(b.address());
		Await.until("connected", () -> a.channel.connectedMembers().size() == 1 && b.channel.connectedMembers().size() == 1);
		a.channel.disconnect(b.member.id());
		Await.until("both see the disconnect",
				() -> a.listener.disconnected.size() == 1 && b.listener.disconnected.size() == 1);
		assertThat(a.listener.disconnected).containsExactly(b.member.id());
		assertThat(b.listener.disconnected).containsExactly(a.member.id());
		assertThat(a.channel.connectedMembers()).isEmpty();
		assertThat(a.channel.send(b.member.id(), new ControlMessage.Commit(1))).isFalse();
		assertThat(a.channel.isWritable(b.member.id())).isFalse();
		// and reconnecting works
		a.channel.connect(b.address());
		Await.until("reconnected", () -> a.listener.connected.size() == 2 && b.listener.connected.size() == 2);
	}

	@Test
	void reportsADialThatCannotConnect() throws Exception {
		Node a = node("a");
		int closedPort;
		try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			closedPort = probe.getLocalPort();
		}
		InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", closedPort);
		a.channel.connect(nobody);
		Await.until("the dial fails", () -> !a.listener.connectFailed.isEmpty());
		assertThat(a.listener.connectFailed.peek()).isEqualTo(nobody);
		assertThat(a.listener.failureCauses.peek()).isInstanceOf(IOException.class);
		assertThat(a.rejected.total()).isZero();
	}

	@Test
	void refusesAConnectionToItself() throws Exception {
		Node a = node("a");
		a.channel.connect(a.address());
		Await.until("the dial fails", () -> !a.listener.connectFailed.isEmpty());
		assertThat(a.listener.connected).isEmpty();
		assertThat(a.rejected.count("control", "self-connection")).isGreaterThanOrEqualTo(1);
	}

	@Test
	void runsTheHandshakeInsideTls(@TempDir Path dir) throws Exception {
		Tls tls = Tls.selfSigned(dir);
		Node a = node("a", "test-cluster", SECRET, (builder) -> builder.tls(tls.server(), tls.client()));
		Node b = node("b", "test-cluster", SECRET, (builder) -> builder.tls(tls.server(), tls.client()));
		a.channel.connect(b.address());
		Await.until("connected", () -> a.listener.connected.size() == 1 && b.listener.connected.size() == 1);
		assertThat(a.channel.channelOf(b.member.id()).pipeline().get("tls")).isNotNull();
		a.channel.send(b.member.id(), new PublishRequest(3, new byte[100_000]));
		Await.until("b hears a", () -> !b.listener.messages.isEmpty());
		assertThat(((PublishRequest) b.listener.messages.poll().message).delta()).hasSize(100_000);
		// a client without TLS is rejected
		Node plain = node("plain");
		plain.channel.connect(b.address());
		Await.until("the plain dial fails", () -> !plain.listener.connectFailed.isEmpty());
		Await.until("b counts a TLS rejection", () -> b.rejected.count("control", "tls") >= 1);
		assertThat(b.listener.connected).hasSize(1);
	}

	@Test
	void refusesConnectionsBeyondTheHandshakeLimitAndStillAcceptsMembers() throws Exception {
		Node a = node("a");
		Node b = node("b");
		List<Socket> idle = new ArrayList<>();
		try {
			// connections that never send a Hello: the first MAX_UNAUTHENTICATED are held
			for (int i = 0; i < NettyControlChannel.MAX_UNAUTHENTICATED + 10; i++) {
				Socket socket = new Socket();
				socket.connect(b.address(), 2000);
				idle.add(socket);
			}
			Await.until("b refuses the surplus", () -> b.rejected.count("control", "too-many-handshakes") >= 10);
		}
		finally {
			for (Socket socket : idle) {
				socket.close();
			}
		}
		// once the idle connections are gone, a member still gets in
		Await.until("the idle connections are closed", () -> b.channel.openConnections() == 0);
		a.channel.connect(b.address());
		Await.until("connected", () -> a.listener.connected.size() == 1 && b.listener.connected.size() == 1);
	}

	private static void sendRaw(Node node, byte[] bytes) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(node.address(), 2000);
			socket.setSoTimeout(3000);
			OutputStream out = socket.getOutputStream();
			out.write(bytes);
			out.flush();
			InputStream in = socket.getInputStream();
			// the node's Hello, then the close
			assertThat(readFrame(in)[0]).isEqualTo(MessageTypes.HELLO);
			assertThat(in.read()).isEqualTo(-1);
		}
	}

	private static byte[] readFrame(InputStream in) throws IOException {
		byte[] length = in.readNBytes(4);
		int n = ((length[0] & 0xFF) << 24) | ((length[1] & 0xFF) << 16) | ((length[2] & 0xFF) << 8) | (length[3] & 0xFF);
		return in.readNBytes(n);
	}

	record Received(long from, ControlMessage message) {
	}

	static final class RecordingListener implements ControlListener {

		final Queue<MemberInfo> connected = new ConcurrentLinkedQueue<>();

		final Queue<Received> messages = new ConcurrentLinkedQueue<>();

		final Queue<Long> disconnected = new ConcurrentLinkedQueue<>();

		final Queue<InetSocketAddress> connectFailed = new ConcurrentLinkedQueue<>();

		final Queue<Throwable> failureCauses = new ConcurrentLinkedQueue<>();

		volatile NettyTransports transports;

		volatile int offLoopCalls;

		private void checkThread() {
			if (!this.transports.loop().inEventLoop()) {
				this.offLoopCalls++;
			}
		}

		@Override
		public void onConnected(MemberInfo peer) {
			checkThread();
			this.connected.add(peer);
		}

		@Override
		public void onMessage(long from, ControlMessage message) {
			checkThread();
			this.messages.add(new Received(from, message));
		}

		@Override
		public void onDisconnected(long memberId) {
			checkThread();
			this.disconnected.add(memberId);
		}

		@Override
		public void onConnectFailed(InetSocketAddress address, Throwable cause) {
			checkThread();
			this.failureCauses.add(cause);
			this.connectFailed.add(address);
		}

	}

	static final class Node implements AutoCloseable {

		final NettyTransports transports;

		final RecordingListener listener = new RecordingListener();

		final RecordingRejectedInput rejected = new RecordingRejectedInput();

		final NettyControlChannel channel;

		volatile MemberInfo member;

		Node(String name, String cluster, byte[] secret, Consumer<ControlChannelConfig.Builder> customizer) {
			this.transports = NettyTransports.newNodeLoop("zynco-test-" + name);
			this.listener.transports = this.transports;
			this.member = new MemberInfo(RANDOM.nextLong(), name, System.currentTimeMillis(), "127.0.0.1", 0, 0);
			ControlChannelConfig.Builder builder = ControlChannelConfig
				.builder(cluster, secret, () -> this.member, this.rejected)
				.bind("127.0.0.1", 0)
				.connectTimeout(Duration.ofSeconds(2));
			customizer.accept(builder);
			this.channel = new NettyControlChannel(builder.build(), this.transports, this.listener);
		}

		void start() throws InterruptedException {
			this.channel.start();
			MemberInfo m = this.member;
			this.member = new MemberInfo(m.id(), m.name(), m.startedAtMillis(), m.host(),
					this.channel.localAddress().getPort(), 0);
		}

		InetSocketAddress address() {
			return this.channel.localAddress();
		}

		@Override
		public void close() {
			this.channel.close();
			this.transports.close();
		}

	}

	/** A self-signed certificate for 127.0.0.1 made with the JDK's keytool. */
	record Tls(SslContext server, SslContext client) {

		static Tls selfSigned(Path dir) throws Exception {
			Path store = dir.resolve("node.p12");
			String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
			Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "node", "-keyalg", "EC",
					"-groupname", "secp256r1", "-dname", "CN=zynco-test", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
					"-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass",
					"changeit")
				.redirectErrorStream(true)
				.start();
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
			KeyStore keyStore = KeyStore.getInstance("PKCS12");
			try (InputStream in = Files.newInputStream(store)) {
				keyStore.load(in, "changeit".toCharArray());
			}
			PrivateKey key = (PrivateKey) keyStore.getKey("node", "changeit".toCharArray());
			X509Certificate certificate = (X509Certificate) keyStore.getCertificate("node");
			SslContext server = SslContextBuilder.forServer(key, certificate).build();
			SslContext client = SslContextBuilder.forClient().trustManager(certificate).build();
			return new Tls(server, client);
		}

	}

}
