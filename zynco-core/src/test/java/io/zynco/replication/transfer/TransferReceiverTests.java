package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;

import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.TransferBegin;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class TransferReceiverTests {

	private static final long MS = 1_000_000;

	private static final TransferReceiver.Config CONFIG = TransferReceiver.Config.defaults()
		.withNackTiming(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(2), Duration.ofMillis(30));

	private static TransferBegin begin(long totalBytes, int packetCount, int packetPayload) {
		return new TransferBegin(7, TransferBegin.DELTA, "fares", 3, 4, 0x1234, totalBytes, packetCount, packetPayload,
				1000);
	}

	private static byte[] bytes(int length, long seed) {
		byte[] bytes = new byte[length];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	private static TransferReceiver receiver(byte[] payload, int packetPayload, long nowNanos) {
		int count = TransferSender.packetCount(payload.length, packetPayload);
		return TransferReceiver.accept(1, begin(payload.length, count, packetPayload), CONFIG, nowNanos);
	}

	private static PacketOutcome deliver(TransferReceiver receiver, byte[] payload, int packetPayload, int sequence,
			long nowNanos) {
		int offset = sequence * packetPayload;
		int length = Math.min(packetPayload, payload.length - offset);
		// deliver from a larger buffer at an offset, as a decoder would
		byte[] datagram = new byte[length + 20];
		System.arraycopy(payload, offset, datagram, 13, length);
		return receiver.onData(sequence, receiver.begin().packetCount(), datagram, 13, length, nowNanos);
	}

	@Test
	void reassemblesPacketsInAnyOrderAndCountsDuplicates() {
		byte[] payload = bytes(10_000, 1);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		int[] order = { 9, 3, 0, 1, 2, 8, 7, 4, 6, 5 };
		for (int i = 0; i < order.length; i++) {
			PacketOutcome outcome = deliver(receiver, payload, 1000, order[i], i * MS);
			assertThat(outcome).isEqualTo((i == order.length - 1) ? PacketOutcome.COMPLETED : PacketOutcome.ADDED);
			assertThat(deliver(receiver, payload, 1000, order[i], i * MS)).isEqualTo(PacketOutcome.DUPLICATE);
		}
		assertThat(receiver.isComplete()).isTrue();
		assertThat(receiver.payload()).isEqualTo(payload);
		assertThat(receiver.duplicatePackets()).isEqualTo(10);
		assertThat(receiver.missingPackets()).isZero();
	}

	@Test
	void lastPacketIsShorter() {
		byte[] payload = bytes(2_501, 2);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		assertThat(receiver.begin().packetCount()).isEqualTo(3);
		assertThat(receiver.onData(2, 3, new byte[1000], 0, 1000, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		for (int sequence = 0; sequence < 3; sequence++) {
			deliver(receiver, payload, 1000, sequence, 0);
		}
		assertThat(receiver.payload()).isEqualTo(payload);
	}

	@Test
	void emptyTransferIsCompleteAtOnce() {
		TransferReceiver receiver = TransferReceiver.accept(1, begin(0, 0, 1400), CONFIG, 0);
		assertThat(receiver.isComplete()).isTrue();
		assertThat(receiver.payload()).isEmpty();
		assertThat(receiver.tick(100 * MS)).isEmpty();
	}

	@Test
	void rejectsInconsistentOrOversizedAnnouncements() {
		assertRejected(begin(10_000, 9, 1000), TransferRejectedException.Reason.BAD_PACKET_COUNT);
		assertRejected(begin(10_000, 11, 1000), TransferRejectedException.Reason.BAD_PACKET_COUNT);
		assertRejected(begin(0, 1, 1000), TransferRejectedException.Reason.BAD_PACKET_COUNT);
		assertRejected(begin(10, 0, 1000), TransferRejectedException.Reason.BAD_PACKET_COUNT);
		assertRejected(begin(10, -1, 1000), TransferRejectedException.Reason.BAD_PACKET_COUNT);
		assertRejected(begin(-1, 0, 1000), TransferRejectedException.Reason.BAD_SIZE);
		assertRejected(begin(Long.MAX_VALUE, Integer.MAX_VALUE, 65_000), TransferRejectedException.Reason.BAD_SIZE);
		assertRejected(begin((256L << 20) + 1, (int) (((256L << 20) + 1000) / 1000), 1000),
				TransferRejectedException.Reason.TOO_LARGE);
		assertRejected(begin(10, 1, 0), TransferRejectedException.Reason.BAD_PACKET_PAYLOAD);
		assertRejected(begin(100_000, 1, 100_000), TransferRejectedException.Reason.BAD_PACKET_PAYLOAD);
		assertRejected(new TransferBegin(7, (byte) 9, "fares", 3, 4, 0, 10, 1, 10, 1000),
				TransferRejectedException.Reason.BAD_KIND);
		assertRejected(new TransferBegin(7, TransferBegin.DELTA, "fares", 3, 4, 0, 10, 1, 10, 0),
				TransferRejectedException.Reason.BAD_DEADLINE);
		assertRejected(new TransferBegin(7, TransferBegin.DELTA, null, 3, 4, 0, 10, 1, 10, 1000),
				TransferRejectedException.Reason.BAD_FIELD);
		assertThatExceptionOfType(TransferRejectedException.class)
			.isThrownBy(() -> TransferReceiver.accept(1, begin(5000, 5, 1000), CONFIG.withMaxTotalBytes(4999), 0))
			.satisfies((ex) -> assertThat(ex.reason().tag()).isEqualTo("too-large"));
	}

	private static void assertRejected(TransferBegin begin, TransferRejectedException.Reason reason) {
		assertThatExceptionOfType(TransferRejectedException.class).as("%s", begin)
			.isThrownBy(() -> TransferReceiver.accept(1, begin, CONFIG, 0))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(reason));
	}

	@Test
	void rejectsInvalidPacketsWithoutTouchingThePayload() {
		byte[] payload = bytes(3_500, 3);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		byte[] junk = bytes(2000, 4);
		assertThat(receiver.onData(4, 4, junk, 0, 500, 0)).isEqualTo(PacketOutcome.BAD_SEQUENCE);
		assertThat(receiver.onData(-1, 4, junk, 0, 1000, 0)).isEqualTo(PacketOutcome.BAD_SEQUENCE);
		assertThat(receiver.onData(Integer.MAX_VALUE, 4, junk, 0, 1000, 0)).isEqualTo(PacketOutcome.BAD_SEQUENCE);
		assertThat(receiver.onData(0, 5, junk, 0, 1000, 0)).isEqualTo(PacketOutcome.BAD_COUNT);
		assertThat(receiver.onData(0, 4, junk, 0, 999, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		assertThat(receiver.onData(0, 4, junk, 0, 1001, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		assertThat(receiver.onData(3, 4, junk, 0, 1000, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		assertThat(receiver.onData(0, 4, junk, 1500, 1000, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		assertThat(receiver.onData(0, 4, junk, -1, 1000, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		assertThat(receiver.onData(0, 4, junk, Integer.MAX_VALUE, 1000, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		assertThat(receiver.onData(0, 4, null, 0, 1000, 0)).isEqualTo(PacketOutcome.BAD_LENGTH);
		assertThat(PacketOutcome.BAD_LENGTH.isRejected()).isTrue();
		assertThat(PacketOutcome.BAD_LENGTH.reason()).isEqualTo("bad-length");
		assertThat(receiver.rejectedPackets()).isEqualTo(11);
		assertThat(receiver.receivedPackets()).isZero();

		for (int sequence = 0; sequence < 4; sequence++) {
			deliver(receiver, payload, 1000, sequence, 0);
		}
		assertThat(receiver.payload()).isEqualTo(payload);
	}

	@Test
	void missingRangesCoverGapsUpToTheHighestSeenOrToTheEnd() {
		byte[] payload = bytes(20_000, 5);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		assertThat(receiver.missingRanges(10)).isEmpty();
		assertThat(receiver.missingRanges(10, true)).containsExactly(0, 20);
		for (int sequence : new int[] { 0, 1, 4, 5, 6, 9, 12 }) {
			deliver(receiver, payload, 1000, sequence, 0);
		}
		assertThat(receiver.missingRanges(10)).containsExactly(2, 4, 7, 9, 10, 12);
		assertThat(receiver.missingRanges(2)).containsExactly(2, 4, 7, 9);
		assertThat(receiver.missingRanges(10, true)).containsExactly(2, 4, 7, 9, 10, 12, 13, 20);
		assertThat(receiver.missingPackets()).isEqualTo(13);
	}

	@Test
	void missingRangesAcrossWordBoundaries() {
		byte[] payload = bytes(300, 6);
		TransferReceiver receiver = receiver(payload, 1, 0);
		for (int sequence = 0; sequence < 300; sequence++) {
			if (sequence != 63 && sequence != 64 && !(sequence >= 120 && sequence < 200) && sequence != 299) {
				deliver(receiver, payload, 1, sequence, 0);
			}
		}
		assertThat(receiver.missingRanges(10, true)).containsExactly(63, 65, 120, 200, 299, 300);
		assertThat(receiver.missingRanges(10)).containsExactly(63, 65, 120, 200);
	}

	@Test
	void nacksGapsOnlyAfterTheReorderWindowAndAtMostOncePerInterval() {
		byte[] payload = bytes(100_000, 7);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		deliver(receiver, payload, 1000, 0, 0);
		deliver(receiver, payload, 1000, 2, 0);
		assertThat(receiver.tick(MS)).as("within the reorder window").isEmpty();
		deliver(receiver, payload, 1000, 1, MS); // was only reordered
		deliver(receiver, payload, 1000, 4, MS);
		deliver(receiver, payload, 1000, 5, MS);
		assertThat(receiver.tick(2 * MS)).isEmpty();
		assertThat(receiver.tick(3 * MS)).isEmpty();
		Optional<Nack> nack = receiver.tick(4 * MS);
		assertThat(nack).isPresent();
		assertThat(nack.get().transferId()).isEqualTo(7);
		assertThat(nack.get().ranges()).containsExactly(3, 4);
		assertThat(nack.get().receiveBufferFree()).isEqualTo(-1);
		for (long t = 5 * MS; t < 9 * MS; t += MS) {
			deliver(receiver, payload, 1000, 1 + (int) (t / MS), t);
			assertThat(receiver.tick(t, 4096)).as("at %d ms", t / MS).isEmpty();
		}
		nack = receiver.tick(9 * MS, 4096);
		assertThat(nack).isPresent();
		assertThat(nack.get().ranges()).containsExactly(3, 4);
		assertThat(nack.get().receiveBufferFree()).isEqualTo(4096);
		assertThat(receiver.nacksSent()).isEqualTo(2);
	}

	@Test
	void nacksTheTailAfterAQuietPeriodAndRepeatsWhileQuiet() {
		byte[] payload = bytes(10_000, 8);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		for (int sequence = 0; sequence < 7; sequence++) {
			deliver(receiver, payload, 1000, sequence, sequence * 100_000L);
		}
		long last = 600_000;
		for (long t = MS; t < last + 30 * MS; t += MS) {
			assertThat(receiver.tick(t)).as("at %d ns", t).isEmpty();
		}
		Optional<Nack> nack = receiver.tick(last + 30 * MS);
		assertThat(nack).isPresent();
		assertThat(nack.get().ranges()).containsExactly(7, 10);
		assertThat(receiver.tick(last + 31 * MS)).isEmpty();
		assertThat(receiver.tick(last + 60 * MS)).isPresent();
	}

	@Test
	void nacksEverythingWhenNothingArrives() {
		TransferReceiver receiver = receiver(bytes(5000, 9), 1000, 0);
		assertThat(receiver.tick(29 * MS)).isEmpty();
		assertThat(receiver.tick(30 * MS).map(Nack::ranges)).hasValueSatisfying(
				(ranges) -> assertThat(ranges).containsExactly(0, 5));
	}

	@Test
	void nackListsAtMostTheConfiguredNumberOfRanges() {
		byte[] payload = bytes(1000, 10);
		int count = 1000;
		TransferReceiver receiver = TransferReceiver.accept(1, begin(1000, count, 1), CONFIG.withMaxNackRanges(3), 0);
		for (int sequence = 0; sequence < count; sequence += 2) {
			deliver(receiver, payload, 1, sequence, 0);
		}
		assertThat(receiver.tick(5 * MS)).as("gaps still within the reorder window").isEmpty();
		Optional<Nack> nack = receiver.tick(10 * MS);
		assertThat(nack).isPresent();
		assertThat(nack.get().ranges()).containsExactly(1, 2, 3, 4, 5, 6);
	}

	@Test
	void expiresAfterTheDeadlinePlusGrace() {
		TransferReceiver receiver = TransferReceiver.accept(1, begin(5000, 5, 1000),
				CONFIG.withExpiryGrace(Duration.ofMillis(500)), 10 * MS);
		assertThat(receiver.isExpired(10 * MS + 1499 * MS)).isFalse();
		assertThat(receiver.isExpired(10 * MS + 1500 * MS)).isTrue();
	}

	@Test
	void anAbsoluteOrHugeDeadlineMeansNoExpiryRatherThanAnOverflow() {
		long epochMillis = 1_800_000_000_000L;
		TransferReceiver receiver = TransferReceiver.accept(1,
				new TransferBegin(7, TransferBegin.DELTA, "fares", 3, 4, 0, 5000, 5, 1000, epochMillis), CONFIG, 0);
		assertThat(receiver.isExpired(3_600_000 * MS)).isFalse();
		TransferReceiver forever = TransferReceiver.accept(1,
				new TransferBegin(7, TransferBegin.DELTA, "fares", 3, 4, 0, 5000, 5, 1000, Long.MAX_VALUE), CONFIG,
				Long.MAX_VALUE - MS);
		assertThat(forever.isExpired(Long.MAX_VALUE)).isFalse();
		assertThat(forever.isExpired(Long.MIN_VALUE + 1000 * MS)).as("across the wrap of nanoTime").isFalse();
	}

	@Test
	void anExpiredTransferNoLongerNacks() {
		TransferReceiver receiver = TransferReceiver.accept(1, begin(5000, 5, 1000),
				CONFIG.withExpiryGrace(Duration.ZERO), 0);
		assertThat(receiver.tick(999 * MS)).isPresent();
		assertThat(receiver.tick(1000 * MS)).isEmpty();
	}

	@Test
	void payloadOfAnIncompleteTransferIsRefused() {
		TransferReceiver receiver = receiver(bytes(5000, 11), 1000, 0);
		assertThat(receiver.isComplete()).isFalse();
		assertThatIllegalStateException().isThrownBy(receiver::payload);
	}

	@Test
	void bitmapFindsNextSetAndClearBits() {
		PacketBitmap bitmap = new PacketBitmap(200);
		assertThat(bitmap.nextSet(0, 200)).isEqualTo(200);
		assertThat(bitmap.nextClear(0, 200)).isZero();
		for (int i : new int[] { 0, 63, 64, 65, 127, 128, 199 }) {
			assertThat(bitmap.set(i)).isTrue();
			assertThat(bitmap.set(i)).isFalse();
		}
		assertThat(bitmap.nextSet(1, 200)).isEqualTo(63);
		assertThat(bitmap.nextSet(66, 200)).isEqualTo(127);
		assertThat(bitmap.nextSet(129, 199)).isEqualTo(199);
		assertThat(bitmap.nextSet(129, 200)).isEqualTo(199);
		assertThat(bitmap.nextClear(63, 200)).isEqualTo(66);
		assertThat(bitmap.nextClear(127, 200)).isEqualTo(129);
		assertThat(bitmap.nextClear(199, 200)).isEqualTo(200);
		assertThat(bitmap.nextClear(150, 100)).isEqualTo(100);
		boolean[] reference = new boolean[200];
		Random random = new Random(12);
		PacketBitmap other = new PacketBitmap(200);
		for (int i = 0; i < 120; i++) {
			int bit = random.nextInt(200);
			reference[bit] = true;
			other.set(bit);
		}
		for (int from = 0; from < 200; from++) {
			int expectedSet = from;
			while (expectedSet < 200 && !reference[expectedSet]) {
				expectedSet++;
			}
			int expectedClear = from;
			while (expectedClear < 200 && reference[expectedClear]) {
				expectedClear++;
			}
			assertThat(other.nextSet(from, 200)).isEqualTo(expectedSet);
			assertThat(other.nextClear(from, 200)).isEqualTo(expectedClear);
		}
	}

	@Test
	void holdsOnlyTheSequencesThatArrived() {
		byte[] payload = bytes(5_000, 8);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		deliver(receiver, payload, 1000, 3, 0);
		assertThat(receiver.holds(3)).isTrue();
		assertThat(receiver.holds(2)).isFalse();
		assertThat(receiver.holds(-1)).isFalse();
		assertThat(receiver.holds(5)).isFalse();
	}

	@Test
	void takingThePayloadForgetsIt() {
		byte[] payload = bytes(3_000, 9);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		assertThatIllegalStateException().isThrownBy(receiver::takePayload);
		for (int sequence = 0; sequence < 3; sequence++) {
			deliver(receiver, payload, 1000, sequence, 0);
		}
		assertThat(receiver.takePayload()).isEqualTo(payload);
		assertThatIllegalStateException().isThrownBy(receiver::payload);
		// late copies are duplicates, not writes into a buffer that is gone
		assertThat(deliver(receiver, payload, 1000, 1, 0)).isEqualTo(PacketOutcome.DUPLICATE);
	}

	@Test
	void aLoopStallDoesNotCountAsSilence() {
		byte[] payload = bytes(10_000, 10);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		deliver(receiver, payload, 1000, 0, 0);
		deliver(receiver, payload, 1000, 1, MS);
		// the loop stood still for 50 ms: the tail is not requested, its packets may be queued
		receiver.excuse(50 * MS);
		assertThat(receiver.tick(52 * MS)).isEmpty();
		// once the loop has run for the quiet period without data, the tail is requested
		assertThat(receiver.tick(70 * MS)).isEmpty();
		Optional<Nack> nack = receiver.tick(82 * MS);
		assertThat(nack).isPresent();
		assertThat(nack.get().ranges()).containsExactly(2, 10);
	}

	@Test
	void anArrivalUsesUpTheExcuse() {
		byte[] payload = bytes(10_000, 11);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		deliver(receiver, payload, 1000, 0, 0);
		receiver.excuse(50 * MS);
		deliver(receiver, payload, 1000, 1, 55 * MS);
		assertThat(receiver.tick(80 * MS)).isEmpty();
		assertThat(receiver.tick(85 * MS)).isPresent();
	}

	@Test
	void longSilenceIsRequestedWhateverTheExcuses() {
		byte[] payload = bytes(10_000, 12);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		deliver(receiver, payload, 1000, 0, 0);
		long now = 0;
		Optional<Nack> nack = Optional.empty();
		while (nack.isEmpty() && now < 1_000 * MS) {
			now += 10 * MS;
			receiver.excuse(10 * MS);
			nack = receiver.tick(now);
		}
		assertThat(now).isEqualTo(TransferReceiver.MAX_EXCUSED_QUIET_PERIODS * 30 * MS);
	}

	@Test
	void bufferReportsCarryTheFreeBufferAtMostOncePerInterval() {
		byte[] payload = bytes(10_000, 13);
		TransferReceiver receiver = receiver(payload, 1000, 0);
		deliver(receiver, payload, 1000, 0, 0);
		deliver(receiver, payload, 1000, 1, MS);
		assertThat(receiver.backlogEstimate(0, 1060)).isZero();
		// arrivals 1 ms apart: a 10 ms stall probably left about 10 packets in the socket
		assertThat(receiver.backlogEstimate(10 * MS, 1060)).isBetween(9L * 1060, 10L * 1060);
		assertThat(receiver.bufferReport(2 * MS, -1)).isEmpty();
		Optional<Nack> report = receiver.bufferReport(2 * MS, 4096);
		assertThat(report).isPresent();
		assertThat(report.get().ranges()).isEmpty();
		assertThat(report.get().receiveBufferFree()).isEqualTo(4096);
		assertThat(receiver.bufferReport(3 * MS, 4096)).isEmpty();
		assertThat(receiver.bufferReport(7 * MS, 2048)).isPresent();
		for (int sequence = 2; sequence < 10; sequence++) {
			deliver(receiver, payload, 1000, sequence, 8 * MS);
		}
		assertThat(receiver.bufferReport(20 * MS, 0)).isEmpty();
		assertThat(receiver.nacksSent()).isZero();
	}

}
