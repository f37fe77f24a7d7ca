package io.zynco.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zynco.protocol.PacketAuthenticator.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketAuthenticatorTests {

	private static final byte[] SECRET = "correct horse battery staple 42!".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] OTHER_SECRET = "correct horse battery staple 43!".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] PAYLOAD = "the quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);

	private final DataPacket packet = new DataPacket();

	/** A sealed packet, at offset 3 of a larger array to catch offset mistakes. */
	private byte[] sealed(PacketAuthenticator authenticator, long sender, long counter, byte[] payload) {
		byte[] buffer = new byte[3 + DataPacket.OVERHEAD + payload.length + 5];
		this.packet.wrap(buffer, 3)
			.writeHeader(MessageTypes.DATA, authenticator.mode().wireId(), sender, counter, 77, 1, 2, payload.length);
		System.arraycopy(payload, 0, buffer, this.packet.payloadOffset(), payload.length);
		authenticator.seal(this.packet);
		return buffer;
	}

	/** As the data channel does: structure first, then authentication. */
	private boolean open(PacketAuthenticator authenticator, byte[] buffer) {
		this.packet.wrap(buffer, 3);
		return this.packet.validate(buffer.length - 3 - 5, DataPacket.MAX_PACKET_SIZE) == null
				&& authenticator.open(this.packet);
	}

	private byte[] payloadOf(byte[] buffer) {
		this.packet.wrap(buffer, 3);
		return Arrays.copyOfRange(buffer, this.packet.payloadOffset(),
				this.packet.payloadOffset() + this.packet.payloadLength());
	}

	@ParameterizedTest
	@EnumSource(value = Mode.class, names = { "HMAC_SHA256", "AES_GCM" })
	void roundTripsAndRejectsAnySingleBitFlip(Mode mode) {
		PacketAuthenticator authenticator = PacketAuthenticator.of(mode, SECRET);
		byte[] buffer = sealed(authenticator, 5, 1, PAYLOAD);
		int length = DataPacket.OVERHEAD + PAYLOAD.length;
		for (int i = 3; i < 3 + length; i++) {
			for (int bit = 0; bit < 8; bit++) {
				byte[] tampered = buffer.clone();
				tampered[i] ^= (byte) (1 << bit);
				assertThat(open(authenticator, tampered)).as("%s, bit %d of byte %d flipped", mode, bit, i - 3).isFalse();
			}
		}
		assertThat(open(authenticator, buffer)).isTrue();
		assertThat(payloadOf(buffer)).isEqualTo(PAYLOAD);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void opensIntoAnotherArrayLeavingThePacketAsItWasAndRejectsAnySingleBitFlip(Mode mode) {
		PacketAuthenticator authenticator = PacketAuthenticator.of(mode, (mode == Mode.NONE) ? null : SECRET);
		byte[] buffer = sealed(authenticator, 5, 1, PAYLOAD);
		byte[] target = new byte[7 + PAYLOAD.length + 2];
		byte[] before = buffer.clone();
		this.packet.wrap(buffer, 3);
		assertThat(this.packet.validate(buffer.length - 3 - 5, DataPacket.MAX_PACKET_SIZE)).isNull();
		assertThat(authenticator.open(this.packet, target, 7)).isTrue();
		assertThat(Arrays.copyOfRange(target, 7, 7 + PAYLOAD.length)).isEqualTo(PAYLOAD);
		assertThat(target[6]).isZero();
		assertThat(target[7 + PAYLOAD.length]).isZero();
		assertThat(buffer).as("the packet is not modified").isEqualTo(before);
		if (mode == Mode.AES_GCM) {
			assertThat(payloadOf(buffer)).as("still encrypted").isNotEqualTo(PAYLOAD);
		}
		else {
			assertThat(payloadOf(buffer)).isEqualTo(PAYLOAD);
		}
		if (mode == Mode.NONE) {
			return;
		}
		int length = DataPacket.OVERHEAD + PAYLOAD.length;
		for (int i = 3; i < 3 + length; i++) {
			byte[] tampered = buffer.clone();
			tampered[i] ^= 0x10;
			this.packet.wrap(tampered, 3);
			boolean opened = this.packet.validate(tampered.length - 3 - 5, DataPacket.MAX_PACKET_SIZE) == null
					&& authenticator.open(this.packet, target, 7);
			assertThat(opened).as("%s, byte %d flipped", mode, i - 3).isFalse();
		}
		this.packet.wrap(buffer, 3);
		assertThatThrownBy(() -> authenticator.open(this.packet, new byte[PAYLOAD.length + 6], 7))
			.isInstanceOf(IndexOutOfBoundsException.class);
	}

	@ParameterizedTest
	@EnumSource(value = Mode.class, names = { "HMAC_SHA256", "AES_GCM" })
	void rejectsPacketsSealedWithAnotherSecret(Mode mode) {
		byte[] buffer = sealed(PacketAuthenticator.of(mode, OTHER_SECRET), 5, 1, PAYLOAD);
		assertThat(open(PacketAuthenticator.of(mode, SECRET), buffer)).isFalse();
	}

	@Test
	void rejectsPacketsOfAnotherMode() {
		byte[] hmac = sealed(PacketAuthenticator.hmacSha256(SECRET), 5, 1, PAYLOAD);
		assertThat(open(PacketAuthenticator.aesGcm(SECRET), hmac)).isFalse();
		assertThat(open(PacketAuthenticator.none(), hmac)).isFalse();
		byte[] none = sealed(PacketAuthenticator.none(), 5, 1, PAYLOAD);
		assertThat(open(PacketAuthenticator.hmacSha256(SECRET), none)).isFalse();
	}

	@Test
	void hmacTagIsTheTruncatedHmacAndThePayloadStaysInTheClear() {
		byte[] buffer = sealed(PacketAuthenticator.hmacSha256(SECRET), 5, 1, PAYLOAD);
		assertThat(payloadOf(buffer)).isEqualTo(PAYLOAD);
		byte[] again = sealed(PacketAuthenticator.hmacSha256(SECRET), 5, 1, PAYLOAD);
		assertThat(again).isEqualTo(buffer);
	}

	@Test
	void aesGcmEncryptsThePayloadWithAFreshNoncePerCounterAndSender() {
		PacketAuthenticator authenticator = PacketAuthenticator.aesGcm(SECRET);
		byte[] first = sealed(authenticator, 5, 1, PAYLOAD);
		byte[] second = sealed(authenticator, 5, 2, PAYLOAD);
		byte[] otherSender = sealed(authenticator, 6, 1, PAYLOAD);
		assertThat(payloadOf(first)).isNotEqualTo(PAYLOAD);
		assertThat(payloadOf(second)).isNotEqualTo(payloadOf(first));
		assertThat(payloadOf(otherSender)).isNotEqualTo(payloadOf(first));
		assertThat(open(authenticator, first)).isTrue();
		assertThat(payloadOf(first)).isEqualTo(PAYLOAD);
		assertThat(open(authenticator, otherSender)).isTrue();
		assertThat(payloadOf(otherSender)).isEqualTo(PAYLOAD);
		// each sender has its own key
		assertThat(authenticator.senderKey(5)).hasSize(32).isNotEqualTo(authenticator.senderKey(6));
		assertThat(PacketAuthenticator.aesGcm(SECRET).senderKey(5)).isEqualTo(authenticator.senderKey(5));
	}

	@Test
	void aesGcmHandlesEmptyAndLargePayloads() {
		PacketAuthenticator authenticator = PacketAuthenticator.aesGcm(SECRET);
		byte[] large = new byte[65_000];
		Arrays.fill(large, (byte) 7);
		long counter = 100;
		for (byte[] payload : List.of(new byte[0], large)) {
			byte[] buffer = sealed(authenticator, -9, counter++, payload);
			assertThat(open(authenticator, buffer)).isTrue();
			assertThat(payloadOf(buffer)).isEqualTo(payload);
		}
	}

	@Test
	void aesGcmRefusesToSealTwiceWithTheSameCounter() {
		PacketAuthenticator authenticator = PacketAuthenticator.aesGcm(SECRET);
		sealed(authenticator, 5, 1, PAYLOAD);
		assertThatIllegalStateException().isThrownBy(() -> sealed(authenticator, 5, 1, PAYLOAD));
	}

	@Test
	void noneAcceptsAnythingInItsOwnMode() {
		byte[] buffer = sealed(PacketAuthenticator.none(), 5, 1, PAYLOAD);
		this.packet.wrap(buffer, 3);
		assertThat(Arrays.copyOfRange(buffer, this.packet.tagOffset(), this.packet.tagOffset() + 16)).containsOnly(0);
		assertThat(open(PacketAuthenticator.none(), buffer)).isTrue();
	}

	@Test
	void requiresASecretOfAtLeast16Bytes() {
		assertThatIllegalArgumentException().isThrownBy(() -> PacketAuthenticator.hmacSha256(new byte[15]));
		assertThatIllegalArgumentException().isThrownBy(() -> PacketAuthenticator.aesGcm(new byte[0]));
		assertThat(PacketAuthenticator.hmacSha256(new byte[16]).mode()).isEqualTo(Mode.HMAC_SHA256);
	}

	@ParameterizedTest
	@EnumSource(value = Mode.class, names = { "HMAC_SHA256", "AES_GCM" })
	void isSafeToShareAcrossThreads(Mode mode) throws Exception {
		PacketAuthenticator authenticator = PacketAuthenticator.of(mode, SECRET);
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<Boolean>> results = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				long sender = t;
				results.add(pool.submit(() -> {
					DataPacket flyweight = new DataPacket();
					for (int i = 1; i <= 500; i++) {
						byte[] buffer = new byte[DataPacket.OVERHEAD + PAYLOAD.length];
						flyweight.wrap(buffer, 0)
							.writeHeader(MessageTypes.DATA, mode.wireId(), sender, i, 1, i, 500, PAYLOAD.length);
						System.arraycopy(PAYLOAD, 0, buffer, DataPacket.HEADER_LENGTH, PAYLOAD.length);
						authenticator.seal(flyweight);
						if (!authenticator.open(flyweight.wrap(buffer, 0))) {
							return false;
						}
					}
					return true;
				}));
			}
			for (Future<Boolean> result : results) {
				assertThat(result.get(20, TimeUnit.SECONDS)).isTrue();
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

}
