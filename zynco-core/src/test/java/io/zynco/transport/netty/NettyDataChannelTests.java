package io.zynco.transport.netty;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zynco.protocol.DataPacket;
import io.zynco.protocol.MessageTypes;
import io.zynco.protocol.PacketAuthenticator;
import io.zynco.testing.Await;
import io.zynco.transport.DataListener;
import io.zynco.transport.TransportMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Real UDP data channels. Everything is sent to 127.0.0.1 or, for multicast, to a random
 * 239.255.x.y group on the loopback interface with TTL 0: nothing leaves the host.
 */
class NettyDataChannelTests {

	private static final byte[] SECRET = "data secret of at least 16 bytes".getBytes(StandardCharsets.US_ASCII);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void closeAll() throws Exception {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
	}

	private Node node(NettyTransports.Kind kind, TransportMode mode, PacketAuthenticator authenticator,
			Consumer<DataChannelConfig.Builder> customizer) throws InterruptedException {
		Node node = new Node(kind, mode, authenticator, customizer);
		this.closeables.add(node);
		node.channel.start();
		return node;
	}

	private Node unicastNode(NettyTransports.Kind kind) throws InterruptedException {
		return node(kind, TransportMode.UNICAST, PacketAuthenticator.hmacSha256(SECRET), (builder) -> {
		});
	}

	private static void assumeKind(NettyTransports.Kind kind) {
		if (kind == NettyTransports.Kind.EPOLL) {
			assumeThat(NettyTransports.epollAvailable()).as("native epoll on this machine").isTrue();
		}
	}

	private static byte[] payload(int sequence, int length) {
		byte[] payload = new byte[length];
		for (int i = 0; i < length; i++) {
			payload[i] = (byte) (sequence * 31 + i);
		}
		return payload;
	}

	@ParameterizedTest
	@EnumSource(NettyTransports.Kind.class)
	void unicastChannelsExchangeAuthenticatedPackets(NettyTransports.Kind kind) throws Exception {
		assumeKind(kind);
		Node a = unicastNode(kind);
		Node b = unicastNode(kind);
		Node c = unicastNode(kind);
		assertThat(a.channel.mode()).isEqualTo(TransportMode.UNICAST);
		assertThat(a.channel.effectiveReceiveBufferSize()).isPositive();
		assertThat(a.channel.effectiveSendBufferSize()).isPositive();
		int maxPayload = a.channel.maxPayload();
		assertThat(maxPayload).isEqualTo(1472 - DataPacket.OVERHEAD);
		List<InetSocketAddress> members = List.of(b.address(), c.address());
		int total = 0;
		for (int batch = 0; batch < 4; batch++) {
			for (int i = 0; i < 25; i++) {
				int sequence = total++;
				byte[] data = payload(sequence, (sequence * 97) % (maxPayload + 1));
				byte[] padded = new byte[data.length + 10];
				System.arraycopy(data, 0, padded, 7, data.length);
				assertThat(a.onLoop(() -> a.channel.sendToAll(members, 5, sequence, 100, padded, 7, data.length, false)))
					.isTrue();
			}
			int expected = total;
			Await.until("b and c receive " + expected + " packets",
					() -> b.listener.packets.size() == expected && c.listener.packets.size() == expected);
		}
		for (Node receiver : List.of(b, c)) {
			for (int sequence = 0; sequence < total; sequence++) {
				Packet packet = receiver.listener.packets.poll();
				assertThat(packet.sender).isEqualTo(a.id);
				assertThat(packet.transferId).isEqualTo(5);
				assertThat(packet.sequence).isEqualTo(sequence);
				assertThat(packet.count).isEqualTo(100);
				assertThat(packet.repair).isFalse();
				assertThat(packet.payload).isEqualTo(payload(sequence, (sequence * 97) % (maxPayload + 1)));
			}
		}
		byte[] repair = payload(7, 300);
		assertThat(a.onLoop(() -> a.channel.sendTo(b.address(), 5, 7, 100, repair, 0, repair.length, true))).isTrue();
		Await.until("b receives the repair", () -> !b.listener.packets.isEmpty());
		Packet packet = b.listener.packets.poll();
		assertThat(packet.repair).isTrue();
		assertThat(packet.payload).isEqualTo(repair);
		// announcements are multicast only
		a.onLoop(() -> {
			a.channel.announce(new byte[] { 1, 2, 3 });
			return null;
		});
		Await.never("an announcement arrives in unicast mode", Duration.ofMillis(100),
				() -> !b.listener.announces.isEmpty());
		assertThat(a.rejected.total() + b.rejected.total() + c.rejected.total()).isZero();
		assertThat(a.listener.offLoopCalls + b.listener.offLoopCalls).isZero();
	}

	@ParameterizedTest
	@EnumSource(NettyTransports.Kind.class)
	void measuresItsReceiveQueueAndKernelDropsWhereTheKernelTells(NettyTransports.Kind kind) throws Exception {
		assumeKind(kind);
		Node receiver = node(kind, TransportMode.UNICAST, PacketAuthenticator.hmacSha256(SECRET),
				(builder) -> builder.socketBuffers(1 << 20, 256 << 10));
		if (kind == NettyTransports.Kind.NIO) {
			// Java NIO has no SO_MEMINFO: unknown, and the node estimates instead
			assertThat(receiver.channel.receiveBufferOccupancy()).isNegative();
			assertThat(receiver.channel.receiveBufferDrops()).isNegative();
			return;
		}
		assertThat(receiver.channel.receiveBufferOccupancy()).isZero();
		assertThat(receiver.channel.receiveBufferDrops()).isZero();
		// hold the loop, so that nothing reads the socket while datagrams arrive
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		receiver.transports.loop().execute(() -> {
			held.countDown();
			try {
				release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		try (DatagramSocket sender = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
			assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
			byte[] junk = new byte[1000];
			for (int i = 0; i < 10; i++) {
				sender.send(new DatagramPacket(junk, junk.length, receiver.address()));
			}
			Await.until("ten datagrams queue up", () -> receiver.channel.receiveBufferOccupancy() > 0);
			assertThat(receiver.channel.receiveBufferOccupancy()).isLessThan(0.5);
			assertThat(receiver.channel.receiveBufferDrops()).isZero();
			// far more than the 512 KiB the kernel grants for 256 KiB: it fills, then drops
			for (int i = 0; i < 2_000; i++) {
				sender.send(new DatagramPacket(junk, junk.length, receiver.address()));
			}
			Await.until("the kernel drops what does not fit", () -> receiver.channel.receiveBufferDrops() > 0);
			assertThat(receiver.channel.receiveBufferOccupancy()).isGreaterThan(0.9);
		}
		finally {
			release.countDown();
		}
		Await.until("the loop drains the queue", () -> receiver.channel.receiveBufferOccupancy() == 0);
		Await.until("the junk is rejected", () -> receiver.rejected.total() > 0);
	}

	@Test
	void rejectsMalformedTamperedForeignAndReplayedPackets() throws Exception {
		Node b = unicastNode(NettyTransports.Kind.NIO);
		PacketAuthenticator hmac = PacketAuthenticator.hmacSha256(SECRET);
		long sender = 0x5EED;
		try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
			byte[] valid = packet(hmac, sender, 100, payload(1, 50));
			send(socket, valid, b.address());
			Await.until("the valid packet arrives", () -> b.listener.packets.size() == 1);
			send(socket, valid, b.address());
			Await.until("replayed", () -> b.rejected.count("data", "replayed") == 1);
			byte[] tampered = packet(hmac, sender, 101, payload(1, 50));
			tampered[DataPacket.HEADER_LENGTH + 3] ^= 1;
			send(socket, tampered, b.address());
			Await.until("bad-mac", () -> b.rejected.count("data", "bad-mac") == 1);
			byte[] foreign = packet(PacketAuthenticator.hmacSha256("another secret, 16+ bytes".getBytes(
					StandardCharsets.US_ASCII)), sender, 102, payload(1, 50));
			send(socket, foreign, b.address());
			Await.until("bad-mac again", () -> b.rejected.count("data", "bad-mac") == 2);
			send(socket, packet(PacketAuthenticator.none(), sender, 103, payload(1, 50)), b.address());
			Await.until("wrong-auth-mode", () -> b.rejected.count("data", "wrong-auth-mode") == 1);
			byte[] garbage = new byte[100];
			Arrays.fill(garbage, (byte) 0x42);
			send(socket, garbage, b.address());
			Await.until("bad-magic", () -> b.rejected.count("data", "bad-magic") == 1);
			send(socket, Arrays.copyOf(valid, 20), b.address());
			Await.until("truncated", () -> b.rejected.count("data", "truncated") == 1);
			send(socket, packet(hmac, sender, 104, new byte[1472]), b.address());
			Await.until("too-long", () -> b.rejected.count("data", "too-long") == 1);
			byte[] badLength = packet(hmac, sender, 105, payload(1, 50));
			send(socket, Arrays.copyOf(badLength, badLength.length - 1), b.address());
			Await.until("bad-length", () -> b.rejected.count("data", "bad-length") == 1);
			// the window moves on; a counter far below it is too old
			send(socket, packet(hmac, sender, 100_000, payload(2, 10)), b.address());
			Await.until("the newer packet arrives", () -> b.listener.packets.size() == 2);
			send(socket, packet(hmac, sender, 101, payload(1, 50)), b.address());
			Await.until("too-old", () -> b.rejected.count("data", "too-old") == 1);
			// reordered within the window: accepted once
			send(socket, packet(hmac, sender, 99_000, payload(3, 10)), b.address());
			Await.until("the reordered packet arrives", () -> b.listener.packets.size() == 3);
			// a packet carrying our own sender id is ignored, not counted
			send(socket, packet(hmac, b.id, 1, payload(1, 10)), b.address());
			Await.never("our own id is delivered", Duration.ofMillis(100), () -> b.listener.packets.size() > 3);
		}
		assertThat(b.listener.packets.poll().payload).isEqualTo(payload(1, 50));
		assertThat(b.rejected.total()).isEqualTo(9);
		assertThat(b.channel.trackedSenders()).isEqualTo(1);
	}

	@Test
	void dropsPacketsTheListenerHoldsBeforeAuthenticatingThem() throws Exception {
		Node b = unicastNode(NettyTransports.Kind.NIO);
		PacketAuthenticator hmac = PacketAuthenticator.hmacSha256(SECRET);
		long sender = 0x5EED;
		try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
			byte[] first = packet(hmac, sender, 100, 0, payload(1, 50));
			send(socket, first, b.address());
			Await.until("the first packet arrives", () -> b.listener.packets.size() == 1);
			b.listener.held.add(0);
			// a forged or tampered repeat of a held sequence is dropped, never delivered, and
			// costs no MAC: it is not even counted as bad-mac
			byte[] tampered = packet(hmac, sender, 101, 0, payload(9, 50));
			tampered[DataPacket.HEADER_LENGTH + 3] ^= 1;
			send(socket, tampered, b.address());
			Await.until("dropped as held", () -> droppedBeforeAuth(b) == 1);
			// a repeat of the very same datagram: dropped as held, before the replay check
			send(socket, first, b.address());
			Await.until("dropped as held again", () -> droppedBeforeAuth(b) == 2);
			assertThat(b.rejected.total()).isZero();
			// a sequence not held is authenticated as always
			byte[] tamperedNew = packet(hmac, sender, 102, 1, payload(9, 50));
			tamperedNew[DataPacket.HEADER_LENGTH + 3] ^= 1;
			send(socket, tamperedNew, b.address());
			Await.until("bad-mac", () -> b.rejected.count("data", "bad-mac") == 1);
			send(socket, packet(hmac, sender, 103, 1, payload(2, 50)), b.address());
			Await.until("the second packet arrives", () -> b.listener.packets.size() == 2);
		}
		assertThat(b.listener.packets).extracting(Packet::sequence).containsExactly(0, 1);
		assertThat(b.listener.packets.poll().payload).isEqualTo(payload(1, 50));
		assertThat(droppedBeforeAuth(b)).isEqualTo(2);
	}

	private static long droppedBeforeAuth(Node node) {
		try {
			return node.onLoop(node.channel::duplicatesDroppedBeforeAuth);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void aesGcmHidesThePayloadOnTheWire() throws Exception {
		PacketAuthenticator aes = PacketAuthenticator.aesGcm(SECRET);
		Node a = node(NettyTransports.Kind.NIO, TransportMode.UNICAST, aes, (builder) -> {
		});
		Node b = node(NettyTransports.Kind.NIO, TransportMode.UNICAST, PacketAuthenticator.aesGcm(SECRET),
				(builder) -> {
				});
		byte[] secretText = "attack at dawn, attack at dawn, attack at dawn".getBytes(StandardCharsets.US_ASCII);
		try (DatagramSocket tap = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
			tap.setSoTimeout(3000);
			InetSocketAddress tapAddress = (InetSocketAddress) tap.getLocalSocketAddress();
			a.onLoop(() -> a.channel.sendTo(tapAddress, 9, 0, 1, secretText, 0, secretText.length, false));
			DatagramPacket captured = new DatagramPacket(new byte[2048], 2048);
			tap.receive(captured);
			byte[] wire = Arrays.copyOf(captured.getData(), captured.getLength());
			assertThat(wire).hasSize(DataPacket.OVERHEAD + secretText.length);
			assertThat(new String(wire, StandardCharsets.ISO_8859_1)).doesNotContain("attack");
			// relayed as is, it opens at a member holding the secret
			send(tap, wire, b.address());
			Await.until("b decrypts it", () -> b.listener.packets.size() == 1);
			assertThat(b.listener.packets.poll().payload).isEqualTo(secretText);
			send(tap, wire, b.address());
			Await.until("a replay is rejected", () -> b.rejected.count("data", "replayed") == 1);
		}
	}

	@ParameterizedTest
	@EnumSource(NettyTransports.Kind.class)
	void multicastOnTheLoopbackInterfaceReachesEveryOtherMember(NettyTransports.Kind kind) throws Exception {
		assumeKind(kind);
		InetAddress group = randomGroup();
		int port = freeUdpPort();
		if (!loopbackMulticastWorks(group, port)) {
			// this host cannot multicast even on lo: auto must notice and fall back
			Node auto = node(kind, TransportMode.AUTO, PacketAuthenticator.hmacSha256(SECRET),
					(builder) -> multicastOnLoopback(builder, group, port));
			assertThat(auto.channel.mode()).isEqualTo(TransportMode.UNICAST);
			return;
		}
		Consumer<DataChannelConfig.Builder> multicast = (builder) -> multicastOnLoopback(builder, group, port);
		PacketAuthenticator hmac = PacketAuthenticator.hmacSha256(SECRET);
		Node a = node(kind, TransportMode.MULTICAST, hmac, multicast);
		Node b = node(kind, TransportMode.MULTICAST, hmac, multicast);
		Node c = node(kind, TransportMode.MULTICAST, hmac, multicast);
		assertThat(a.channel.mode()).isEqualTo(TransportMode.MULTICAST);
		assertThat(a.onLoop(a.channel::multicastTtl)).isZero();
		for (int sequence = 0; sequence < 20; sequence++) {
			byte[] data = payload(sequence, 1000);
			int s = sequence;
			// the member list is ignored in multicast mode: one send reaches everyone
			assertThat(a.onLoop(() -> a.channel.sendToAll(List.of(), 11, s, 20, data, 0, data.length, false))).isTrue();
		}
		Await.until("b and c receive all 20 packets",
				() -> b.listener.packets.size() == 20 && c.listener.packets.size() == 20);
		for (int sequence = 0; sequence < 20; sequence++) {
			Packet packet = b.listener.packets.poll();
			assertThat(packet.sender).isEqualTo(a.id);
			assertThat(packet.sequence).isEqualTo(sequence);
			assertThat(packet.payload).isEqualTo(payload(sequence, 1000));
		}
		byte[] member = "member-info".getBytes(StandardCharsets.US_ASCII);
		a.onLoop(() -> {
			a.channel.announce(member);
			return null;
		});
		Await.until("b and c hear the announcement", () -> !b.listener.announces.isEmpty() && !c.listener.announces.isEmpty());
		assertThat(b.listener.announces.poll()).isEqualTo(member);
		// a unicast repair reaches only its member
		byte[] repair = payload(3, 200);
		a.onLoop(() -> a.channel.sendTo(c.address(), 11, 3, 20, repair, 0, repair.length, true));
		Await.until("c receives the repair", () -> c.listener.packets.size() == 21);
		Await.never("b receives c's repair", Duration.ofMillis(100), () -> !b.listener.packets.isEmpty());
		// the sender's own multicast came back to it through loopback and was dropped silently
		assertThat(a.listener.packets).isEmpty();
		assertThat(a.listener.announces).isEmpty();
		if (kind == NettyTransports.Kind.EPOLL) {
			// dropped as it was read, not by the kernel: a kernel drop (a socket filter's, say)
			// would count in the socket's drops, so in zynco.data.kernel.drops, and in the host's
			// UDP InErrors, as if every packet a node multicasts were lost
			assertThat(a.onLoop(a.channel::receiveBufferDrops)).as("the sender's kernel drops").isZero();
		}
		assertThat(a.rejected.total() + b.rejected.total() + c.rejected.total()).isZero();
	}

	@ParameterizedTest
	@EnumSource(NettyTransports.Kind.class)
	void autoModeChoosesWhatTheLoopbackInterfaceSupports(NettyTransports.Kind kind) throws Exception {
		assumeKind(kind);
		InetAddress group = randomGroup();
		int port = freeUdpPort();
		boolean multicastWorks = loopbackMulticastWorks(group, port);
		Node a = node(kind, TransportMode.AUTO, PacketAuthenticator.hmacSha256(SECRET), (builder) -> {
			multicastOnLoopback(builder, group, port);
			// loopback off: auto still probes with it, then turns it off
			builder.loopback(false);
		});
		assertThat(a.channel.mode()).isEqualTo(multicastWorks ? TransportMode.MULTICAST : TransportMode.UNICAST);
		assertThat(a.rejected.total()).isZero();
	}

	@Test
	void autoFallsBackToUnicastWhenMulticastIsUnavailable() throws Exception {
		Node a = node(NettyTransports.Kind.NIO, TransportMode.AUTO, PacketAuthenticator.hmacSha256(SECRET),
				(builder) -> builder.networkInterface("zynco-no-such-if0").ttl(0));
		Node b = unicastNode(NettyTransports.Kind.NIO);
		assertThat(a.channel.mode()).isEqualTo(TransportMode.UNICAST);
		byte[] data = payload(1, 100);
		assertThat(a.onLoop(() -> a.channel.sendToAll(List.of(b.address()), 1, 0, 1, data, 0, data.length, false)))
			.isTrue();
		Await.until("b receives", () -> b.listener.packets.size() == 1);
	}

	@Test
	void multicastModeFailsToStartWithoutAUsableInterface() {
		Node broken = new Node(NettyTransports.Kind.NIO, TransportMode.MULTICAST, PacketAuthenticator.none(),
				(builder) -> builder.networkInterface("zynco-no-such-if0").ttl(0));
		this.closeables.add(broken);
		assertThatIllegalStateException().isThrownBy(broken.channel::start).withMessageContaining("zynco-no-such-if0");
	}

	@Test
	void guardsItsUse() throws Exception {
		Node a = unicastNode(NettyTransports.Kind.NIO);
		byte[] tooLarge = new byte[a.channel.maxPayload() + 1];
		assertThatIllegalStateException()
			.isThrownBy(() -> a.channel.sendTo(a.address(), 1, 0, 1, new byte[1], 0, 1, false))
			.withMessageContaining("node loop");
		assertThat(a.onLoop(() -> {
			try {
				a.channel.sendTo(a.address(), 1, 0, 1, tooLarge, 0, tooLarge.length, false);
				return "sent";
			}
			catch (IllegalArgumentException ex) {
				return "refused";
			}
		})).isEqualTo("refused");
		assertThatIllegalStateException().isThrownBy(a.channel::start);
		assertThatIllegalArgumentException().isThrownBy(() -> DataChannelConfig
			.builder(1, PacketAuthenticator.none(), a.listener, a.rejected)
			.packetSize(100)
			.build());
		assertThatIllegalArgumentException().isThrownBy(() -> DataChannelConfig
			.builder(1, PacketAuthenticator.none(), a.listener, a.rejected)
			.group(InetAddress.getByName("127.0.0.1"), 5000)
			.build());
	}

	// ---------------------------------------------------------------- helpers

	private static void multicastOnLoopback(DataChannelConfig.Builder builder, InetAddress group, int port) {
		builder.group(group, port).networkInterface("lo").ttl(0).loopback(true).probeTimeout(Duration.ofMillis(500));
	}

	private static InetAddress randomGroup() throws Exception {
		return InetAddress.getByAddress(new byte[] { (byte) 239, (byte) 255, (byte) (1 + RANDOM.nextInt(254)),
				(byte) (1 + RANDOM.nextInt(254)) });
	}

	private static int freeUdpPort() throws Exception {
		try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Whether multicast on lo works here, found with plain JDK sockets: join the group on lo,
	 * send with TTL 0 and loopback, wait (bounded) for the packet. Linux delivers it even when
	 * lo does not advertise the MULTICAST flag.
	 */
	private static boolean loopbackMulticastWorks(InetAddress group, int port) throws Exception {
		NetworkInterface lo = NetworkInterface.getByName("lo");
		if (lo == null || !lo.isUp()) {
			return false;
		}
		try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)) {
			channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
			channel.bind(new InetSocketAddress(group, port));
			channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
			channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 0);
			channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
			channel.join(group, lo);
			channel.configureBlocking(false);
			channel.send(ByteBuffer.wrap(new byte[] { 1 }), new InetSocketAddress(group, port));
			ByteBuffer buffer = ByteBuffer.allocate(16);
			for (int i = 0; i < 100; i++) {
				if (channel.receive(buffer) != null) {
					return true;
				}
				Thread.sleep(5);
			}
			return false;
		}
		catch (java.io.IOException ex) {
			return false;
		}
	}

	private static byte[] packet(PacketAuthenticator authenticator, long sender, long counter, byte[] payload) {
		return packet(authenticator, sender, counter, 0, payload);
	}

	private static byte[] packet(PacketAuthenticator authenticator, long sender, long counter, int sequence,
			byte[] payload) {
		byte[] bytes = new byte[DataPacket.OVERHEAD + payload.length];
		DataPacket packet = new DataPacket().wrap(bytes, 0)
			.writeHeader(MessageTypes.DATA, authenticator.mode().wireId(), sender, counter, 77, sequence, 4,
					payload.length);
		System.arraycopy(payload, 0, bytes, DataPacket.HEADER_LENGTH, payload.length);
		authenticator.seal(packet);
		return bytes;
	}

	private static void send(DatagramSocket socket, byte[] bytes, InetSocketAddress to) throws Exception {
		socket.send(new DatagramPacket(bytes, bytes.length, to));
	}

	record Packet(long sender, long transferId, int sequence, int count, byte[] payload, boolean repair) {
	}

	static final class RecordingListener implements DataListener {

		final Queue<Packet> packets = new ConcurrentLinkedQueue<>();

		final Queue<byte[]> announces = new ConcurrentLinkedQueue<>();

		volatile NettyTransports transports;

		volatile int offLoopCalls;

		/** Sequences of transfer 77 the listener claims to hold. */
		final Set<Integer> held = ConcurrentHashMap.newKeySet();

		@Override
		public boolean holds(long senderId, long transferId, int sequence) {
			return transferId == 77 && this.held.contains(sequence);
		}

		@Override
		public void onData(long senderId, long transferId, int sequence, int count, byte[] payload, int offset,
				int length, boolean repair) {
			if (!this.transports.loop().inEventLoop()) {
				this.offLoopCalls++;
			}
			this.packets.add(new Packet(senderId, transferId, sequence, count,
					Arrays.copyOfRange(payload, offset, offset + length), repair));
		}

		@Override
		public void onAnnounce(long senderId, byte[] memberInfo) {
			this.announces.add(memberInfo);
		}

	}

	static final class Node implements AutoCloseable {

		final long id = RANDOM.nextLong();

		final NettyTransports transports;

		final RecordingListener listener = new RecordingListener();

		final RecordingRejectedInput rejected = new RecordingRejectedInput();

		final NettyDataChannel channel;

		Node(NettyTransports.Kind kind, TransportMode mode, PacketAuthenticator authenticator,
				Consumer<DataChannelConfig.Builder> customizer) {
			this.transports = NettyTransports.newNodeLoop("zynco-data-test", kind);
			this.listener.transports = this.transports;
			DataChannelConfig.Builder builder = DataChannelConfig
				.builder(this.id, authenticator, this.listener, this.rejected)
				.mode(mode)
				.bind("127.0.0.1", 0)
				.ttl(0)
				.socketBuffers(1 << 20, 1 << 20);
			customizer.accept(builder);
			this.channel = new NettyDataChannel(builder.build(), this.transports);
		}

		InetSocketAddress address() {
			return this.channel.localAddress();
		}

		<T> T onLoop(Callable<T> task) throws Exception {
			return this.transports.loop().submit(task).get(5, TimeUnit.SECONDS);
		}

		@Override
		public void close() {
			this.channel.close();
			this.transports.close();
		}

	}

}
