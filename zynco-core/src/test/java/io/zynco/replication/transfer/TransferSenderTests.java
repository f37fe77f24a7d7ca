package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.TransferAck;
import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.protocol.ControlMessage.TransferDrop;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class TransferSenderTests {

	private static final long MS = 1_000_000;

	private static final long TRANSFER = 42;

	/** Effectively unpaced, so tests see every packet go out on the first tick. */
	private static final RateController.Config FAST = RateController.Config.defaults()
		.withRates(1L << 40, 1L << 20, 1L << 40);

	private static final TransferSender.Config CONFIG = TransferSender.Config.defaults()
		.withPacketPayload(1000)
		.withDeadline(Duration.ofSeconds(1))
		.withRepairTiming(Duration.ofMillis(10), Duration.ZERO);

	/** Records what the sender does; data sends can be refused to simulate back-pressure. */
	static final class RecordingOutput implements TransferOutput {

		record Packet(long target, int sequence, int count, byte[] bytes, boolean repair) {
		}

		final List<Packet> packets = new ArrayList<>();

		final List<Long> controlTargets = new ArrayList<>();

		final List<ControlMessage> control = new ArrayList<>();

		boolean refuseData;

		long unreachable = Long.MIN_VALUE;

		@Override
		public boolean sendToAll(long transferId, int sequence, int count, byte[] buffer, int offset, int length,
				boolean repair) {
			return record(-1, sequence, count, buffer, offset, length, repair);
		}

		@Override
		public boolean sendTo(long memberId, long transferId, int sequence, int count, byte[] buffer, int offset,
				int length, boolean repair) {
			return record(memberId, sequence, count, buffer, offset, length, repair);
		}

		private boolean record(long target, int sequence, int count, byte[] buffer, int offset, int length,
				boolean repair) {
			if (this.refuseData) {
				return false;
			}
			this.packets.add(new Packet(target, sequence, count, Arrays.copyOfRange(buffer, offset, offset + length),
					repair));
			return true;
		}

		@Override
		public boolean sendControl(long memberId, ControlMessage message) {
			if (memberId == this.unreachable) {
				return false;
			}
			this.controlTargets.add(memberId);
			this.control.add(message);
			return true;
		}

		List<Packet> repairs() {
			return this.packets.stream().filter(Packet::repair).toList();
		}

	}

	private final RecordingOutput output = new RecordingOutput();

	private static byte[] payload(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

	private static TransferSpec transfer(byte[] payload) {
		return new TransferSpec(TRANSFER, TransferBegin.DELTA, "fares", 3, 4, 0xABCDL, payload);
	}

	private TransferSender start(byte[] payload, List<Long> receivers, TransferSender.Config config) {
		return TransferSender.start(transfer(payload), receivers, config, RateController.create(FAST, 0), this.output,
				0);
	}

	private static Nack nack(int... ranges) {
		return new Nack(TRANSFER, ranges, -1);
	}

	@Test
	void announcesThenSendsEveryPacketOnceInOrder() {
		byte[] payload = payload(4_500);
		TransferSender sender = start(payload, List.of(10L, 11L, 10L), CONFIG);

		assertThat(this.output.controlTargets).containsExactly(10L, 11L);
		TransferBegin begin = (TransferBegin) this.output.control.get(0);
		assertThat(begin).isEqualTo(sender.begin());
		assertThat(begin.transferId()).isEqualTo(TRANSFER);
		assertThat(begin.kind()).isEqualTo(TransferBegin.DELTA);
		assertThat(begin.state()).isEqualTo("fares");
		assertThat(begin.baseVersion()).isEqualTo(3);
		assertThat(begin.targetVersion()).isEqualTo(4);
		assertThat(begin.targetRoot()).isEqualTo(0xABCDL);
		assertThat(begin.totalBytes()).isEqualTo(4_500);
		assertThat(begin.packetCount()).isEqualTo(5);
		assertThat(begin.packetPayload()).isEqualTo(1000);
		assertThat(begin.deadlineMillis()).isEqualTo(1000);
		assertThat(this.output.packets).isEmpty();

		sender.tick(MS);
		assertThat(this.output.packets).hasSize(5);
		for (int i = 0; i < 5; i++) {
			RecordingOutput.Packet packet = this.output.packets.get(i);
			assertThat(packet.target()).isEqualTo(-1);
			assertThat(packet.sequence()).isEqualTo(i);
			assertThat(packet.count()).isEqualTo(5);
			assertThat(packet.repair()).isFalse();
			assertThat(packet.bytes()).isEqualTo(Arrays.copyOfRange(payload, i * 1000, Math.min(4_500, i * 1000 + 1000)));
		}
		assertThat(sender.allDataSent()).isTrue();
		sender.tick(2 * MS);
		assertThat(this.output.packets).hasSize(5);
	}

	@Test
	void sendsAPayloadBeingWrittenOnlyAsFarAsItIsWritten() {
		byte[] payload = payload(4_500);
		AtomicInteger written = new AtomicInteger();
		TransferSpec spec = new TransferSpec(TRANSFER, TransferBegin.DELTA, "fares", 3, 4, 0xABCDL, payload,
				written::get);
		TransferSender sender = TransferSender.start(spec, List.of(10L, 11L), CONFIG, RateController.create(FAST, 0),
				this.output, 0);
		assertThat(sender.begin().totalBytes()).isEqualTo(4_500);
		sender.tick(MS);
		assertThat(this.output.packets).isEmpty();
		written.set(2_999); // packets 0 and 1 written, packet 2 short of its last byte
		sender.tick(2 * MS);
		assertThat(this.output.packets).extracting(RecordingOutput.Packet::sequence).containsExactly(0, 1);
		assertThat(sender.allDataSent()).isFalse();
		written.set(3_000);
		sender.tick(3 * MS);
		assertThat(this.output.packets).extracting(RecordingOutput.Packet::sequence).containsExactly(0, 1, 2);
		written.set(4_500);
		sender.tick(4 * MS);
		assertThat(sender.allDataSent()).isTrue();
		assertThat(this.output.packets).hasSize(5);
		for (int i = 0; i < 5; i++) {
			assertThat(this.output.packets.get(i).bytes())
				.isEqualTo(Arrays.copyOfRange(payload, i * 1000, Math.min(4_500, i * 1000 + 1000)));
		}
		// packets 0, 2 and 3 each waited for their bytes, counted once however many ticks
		assertThat(sender.packetsAwaitingBytes()).isEqualTo(3);
		// a NACK for what was sent (past the repair hold-off) is repaired as usual
		sender.onNack(11, nack(1, 2), 15 * MS);
		sender.tick(20 * MS);
		assertThat(this.output.repairs()).extracting(RecordingOutput.Packet::sequence).containsExactly(1);
	}

	@Test
	void aReceiverThatNacksEverythingGetsAShareOfTheRepairsUntilTheDataHasGoneOut() {
		int packets = 600;
		TransferSender sender = start(payload(packets * 1000), List.of(10L, 11L), CONFIG.withMaxPacketsPerTick(4));
		long now = 0;
		int repairsWhileDataPending = 0;
		int ticks = 0;
		while (!sender.allDataSent()) {
			now += MS;
			int before = this.output.repairs().size();
			sender.tick(now);
			repairsWhileDataPending += this.output.repairs().size() - before;
			// receiver 11 claims to have lost everything sent so far, every millisecond
			int sent = (int) this.output.packets.stream().filter((p) -> !p.repair()).count();
			sender.onNack(11, nack(0, sent), now);
			assertThat(++ticks).as("the data goes out in bounded time").isLessThan(1000);
		}
		assertThat(repairsWhileDataPending).as("11's share while the others still wait for data")
			.isLessThanOrEqualTo(TransferSender.REPAIR_SLACK + (int) (TransferSender.REPAIR_SHARE * packets) + 2);
		assertThat(sender.repairsDeferred()).isPositive();
		// without the share, repairs and data take turns: 11 would have had about one repair per data packet
		assertThat(ticks).isLessThan(packets / 2 + 100);

		// once the data is out, 11's repairs flow again
		int afterData = this.output.repairs().size();
		for (int i = 0; i < 50; i++) {
			now += MS;
			sender.tick(now);
		}
		assertThat(this.output.repairs().size()).isGreaterThan(afterData + 100);
	}

	@Test
	void completesWhenEveryReceiverAcks() {
		TransferSender sender = start(payload(3000), List.of(10L, 11L), CONFIG);
		sender.tick(MS);
		assertThat(sender.onAck(10, new TransferAck(TRANSFER, true, null), 2 * MS)).isTrue();
		assertThat(sender.isDone()).isFalse();
		assertThatIllegalStateException().isThrownBy(sender::result);
		assertThat(sender.onAck(11, new TransferAck(TRANSFER, false, "bad-root"), 5 * MS)).isTrue();
		assertThat(sender.isDone()).isTrue();
		TransferResult result = sender.result();
		assertThat(result.acked()).containsExactly(10L);
		assertThat(result.failed()).containsEntry(11L, "bad-root");
		assertThat(result.dropped()).isEmpty();
		assertThat(result.allAcked()).isFalse();
		assertThat(result.dataPackets()).isEqualTo(3);
		assertThat(result.bytesSent()).isEqualTo(3000);
		assertThat(result.duration()).isEqualTo(Duration.ofMillis(5));
		assertThat(sender.onAck(10, new TransferAck(TRANSFER, true, null), 6 * MS)).isFalse();
	}

	@Test
	void packetMissedByOneReceiverIsRepairedByUnicast() {
		TransferSender sender = start(payload(10_000), List.of(10L, 11L, 12L, 13L), CONFIG);
		sender.tick(MS);
		assertThat(sender.onNack(11, nack(3, 4), 20 * MS)).isTrue();
		sender.tick(21 * MS);
		assertThat(this.output.repairs()).singleElement().satisfies((packet) -> {
			assertThat(packet.target()).isEqualTo(11);
			assertThat(packet.sequence()).isEqualTo(3);
			assertThat(packet.bytes()).hasSize(1000);
		});
	}

	@Test
	void packetMissedByEveryReceiverIsRepairedByOneMulticast() {
		TransferSender sender = start(payload(10_000), List.of(10L, 11L, 12L, 13L), CONFIG);
		sender.tick(MS);
		for (long receiver = 10; receiver <= 13; receiver++) {
			sender.onNack(receiver, nack(3, 4, 9, 10), 20 * MS);
		}
		sender.tick(21 * MS);
		assertThat(this.output.repairs()).extracting(RecordingOutput.Packet::target, RecordingOutput.Packet::sequence)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(-1L, 3), org.assertj.core.groups.Tuple.tuple(-1L, 9));
		assertThat(this.output.repairs().get(1).bytes()).hasSize(1000);
	}

	@Test
	void packetMissedByTwoOfManyIsMulticast() {
		List<Long> receivers = List.of(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L);
		TransferSender sender = start(payload(10_000), receivers, CONFIG);
		sender.tick(MS);
		sender.onNack(12, nack(5, 6), 20 * MS);
		sender.onNack(16, nack(5, 6), 20 * MS);
		sender.tick(21 * MS);
		assertThat(this.output.repairs()).singleElement().satisfies((packet) -> {
			assertThat(packet.target()).isEqualTo(-1);
			assertThat(packet.sequence()).isEqualTo(5);
		});
	}

	@Test
	void halfOfTwoReceiversIsMulticastButALoneReceiverGetsUnicast() {
		TransferSender two = start(payload(10_000), List.of(10L, 11L), CONFIG);
		two.tick(MS);
		two.onNack(10, nack(2, 3), 20 * MS);
		two.tick(21 * MS);
		assertThat(this.output.repairs()).singleElement().satisfies((packet) -> assertThat(packet.target()).isEqualTo(-1));

		RecordingOutput other = new RecordingOutput();
		TransferSender one = TransferSender.start(transfer(payload(10_000)), List.of(10L), CONFIG,
				RateController.create(FAST, 0), other, 0);
		one.tick(MS);
		one.onNack(10, nack(2, 3), 20 * MS);
		one.tick(21 * MS);
		assertThat(other.repairs()).singleElement().satisfies((packet) -> assertThat(packet.target()).isEqualTo(10));
	}

	@Test
	void withoutMulticastEveryRepairIsUnicast() {
		TransferSender sender = start(payload(10_000), List.of(10L, 11L, 12L),
				CONFIG.withMulticastRepairs(false, 2, 0.5));
		sender.tick(MS);
		for (long receiver = 10; receiver <= 12; receiver++) {
			sender.onNack(receiver, nack(7, 8), 20 * MS);
		}
		sender.tick(21 * MS);
		assertThat(this.output.repairs()).extracting(RecordingOutput.Packet::target).containsExactly(10L, 11L, 12L);
		assertThat(sender.onAck(10, new TransferAck(TRANSFER, true, null), 22 * MS)).isTrue();
	}

	@Test
	void aSecondReceiverMissingAPacketJustUnicastTurnsItIntoAMulticast() {
		TransferSender sender = start(payload(10_000), List.of(10L, 11L, 12L, 13L), CONFIG);
		sender.tick(MS);
		sender.onNack(10, nack(4, 5), 20 * MS);
		sender.tick(21 * MS);
		sender.onNack(11, nack(4, 5), 23 * MS);
		sender.tick(24 * MS);
		assertThat(this.output.repairs()).extracting(RecordingOutput.Packet::target).containsExactly(10L, -1L);
		// now everyone has it in flight: further requests within the hold-off are ignored
		sender.onNack(12, nack(4, 5), 25 * MS);
		sender.onNack(10, nack(4, 5), 25 * MS);
		sender.tick(26 * MS);
		assertThat(this.output.repairs()).hasSize(2);
	}

	@Test
	void requestsForPacketsInFlightAreIgnoredUntilTheHoldoffPasses() {
		TransferSender sender = start(payload(10_000), List.of(10L, 11L, 12L, 13L), CONFIG);
		sender.tick(MS);
		sender.onNack(10, nack(0, 1), 5 * MS); // first transmission 4 ms ago: still in flight
		sender.tick(6 * MS);
		assertThat(this.output.repairs()).isEmpty();
		sender.onNack(10, nack(0, 1), 11 * MS);
		sender.tick(12 * MS);
		assertThat(this.output.repairs()).hasSize(1);
		for (long t = 13 * MS; t < 22 * MS; t += MS) {
			sender.onNack(10, nack(0, 1), t);
			sender.tick(t);
		}
		assertThat(this.output.repairs()).as("coalesced within the hold-off").hasSize(1);
		sender.onNack(10, nack(0, 1), 22 * MS);
		sender.tick(22 * MS);
		assertThat(this.output.repairs()).hasSize(2);
	}

	@Test
	void aMergeDelayLetsNacksFromSeveralReceiversBecomeOneMulticast() {
		TransferSender sender = start(payload(10_000), List.of(10L, 11L, 12L, 13L),
				CONFIG.withRepairTiming(Duration.ofMillis(10), Duration.ofMillis(3)));
		sender.tick(MS);
		sender.onNack(10, nack(6, 7), 20 * MS);
		sender.tick(21 * MS);
		sender.onNack(11, nack(6, 7), 22 * MS);
		sender.tick(22 * MS);
		assertThat(this.output.repairs()).isEmpty();
		sender.tick(23 * MS);
		assertThat(this.output.repairs()).singleElement().satisfies((packet) -> assertThat(packet.target()).isEqualTo(-1));
	}

	@Test
	void rangesBeyondWhatWasSentAreIgnored() {
		TransferSender sender = start(payload(100_000), List.of(10L, 11L), CONFIG.withMaxPacketsPerTick(10));
		sender.tick(MS);
		assertThat(sender.allDataSent()).isFalse();
		assertThat(sender.onNack(10, nack(50, 100), 20 * MS)).isTrue();
		assertThat(sender.pendingRepairs()).isZero();
	}

	@Test
	void malformedOrForeignFeedbackIsRejected() {
		TransferSender sender = start(payload(10_000), List.of(10L, 11L), CONFIG);
		sender.tick(MS);
		assertThat(sender.onNack(10, new Nack(TRANSFER, new int[] { 1, 2, 3 }, -1), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, new Nack(TRANSFER, null, -1), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, nack(2, 2), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, nack(3, 2), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, nack(-1, 2), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, nack(5, 11), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, nack(5, 8, 6, 9), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, nack(5, 8, 1, 2), 20 * MS)).isFalse();
		assertThat(sender.onNack(10, new Nack(TRANSFER + 1, new int[] { 1, 2 }, -1), 20 * MS)).isFalse();
		assertThat(sender.onAck(10, new TransferAck(TRANSFER + 1, true, null), 20 * MS)).isFalse();
		assertThat(sender.feedbackRejected()).isEqualTo(10);
		assertThat(sender.onNack(99, nack(1, 2), 20 * MS)).isFalse();
		assertThat(sender.onAck(99, new TransferAck(TRANSFER, true, null), 20 * MS)).isFalse();
		assertThat(sender.pendingRepairs()).isZero();
		assertThat(sender.activeReceivers()).containsExactlyInAnyOrder(10L, 11L);
		assertThat(sender.onNack(10, nack(0, 2, 5, 10), 20 * MS)).isTrue();
		assertThat(sender.pendingRepairs()).isEqualTo(7);
	}

	@Test
	void repairQueueIsBounded() {
		TransferSender sender = start(payload(1_000_000), List.of(10L, 11L, 12L),
				CONFIG.withMaxRepairQueue(16).withMaxPacketsPerTick(2000));
		sender.tick(MS);
		assertThat(sender.allDataSent()).isTrue();
		sender.onNack(10, nack(0, 1000), 20 * MS);
		sender.onNack(11, nack(0, 1000), 20 * MS);
		assertThat(sender.pendingRepairs()).isEqualTo(16);
		assertThat(sender.repairRequestsRefused()).isPositive();
		this.output.packets.clear();
		sender.tick(21 * MS);
		assertThat(this.output.repairs()).hasSize(16).allSatisfy((packet) -> assertThat(packet.target()).isEqualTo(-1));
		assertThat(sender.pendingRepairs()).isZero();
		sender.onNack(11, nack(0, 1000), 22 * MS);
		assertThat(sender.pendingRepairs()).as("the first 16 are in flight; the next 16 are queued").isEqualTo(16);
	}

	@Test
	void backPressureRetriesTheSamePacketLater() {
		TransferSender sender = start(payload(5000), List.of(10L), CONFIG);
		this.output.refuseData = true;
		sender.tick(MS);
		assertThat(this.output.packets).isEmpty();
		this.output.refuseData = false;
		sender.tick(2 * MS);
		assertThat(this.output.packets).extracting(RecordingOutput.Packet::sequence).containsExactly(0, 1, 2, 3, 4);
		sender.onNack(10, nack(1, 2), 20 * MS);
		this.output.refuseData = true;
		sender.tick(21 * MS);
		this.output.refuseData = false;
		sender.tick(22 * MS);
		assertThat(this.output.repairs()).singleElement().satisfies((packet) -> assertThat(packet.sequence()).isOne());
	}

	@Test
	void pacingSpreadsPacketsOverTicks() {
		RateController rate = RateController.create(RateController.Config.defaults()
			.withRates(1_000_000, 1_000_000, 1_000_000)
			.withBurst(Duration.ofMillis(1)), 0);
		TransferSender sender = TransferSender.start(transfer(payload(100_000)), List.of(10L), CONFIG, rate,
				this.output, 0);
		sender.tick(0);
		assertThat(this.output.packets).hasSize(1);
		for (long t = MS; t <= 50 * MS; t += MS) {
			sender.tick(t);
		}
		assertThat(this.output.packets).hasSizeBetween(50, 52);
	}

	@Test
	void incompleteReceiversAreDroppedAtTheDeadline() {
		TransferSender sender = start(payload(5000), List.of(10L, 11L, 12L), CONFIG);
		sender.tick(MS);
		sender.onAck(10, new TransferAck(TRANSFER, true, null), 5 * MS);
		sender.onNack(12, nack(0, 5), 20 * MS);
		assertThat(sender.tick(999 * MS)).isFalse();
		this.output.control.clear();
		this.output.controlTargets.clear();
		assertThat(sender.tick(1000 * MS)).isTrue();
		assertThat(this.output.controlTargets).containsExactly(11L, 12L);
		assertThat(this.output.control).allSatisfy((message) -> assertThat(message)
			.isEqualTo(new TransferDrop(TRANSFER, TransferSender.DEADLINE)));
		TransferResult result = sender.result();
		assertThat(result.acked()).containsExactly(10L);
		assertThat(result.dropped()).containsOnlyKeys(11L, 12L).containsValue(TransferSender.DEADLINE);
		assertThat(result.duration()).isEqualTo(Duration.ofSeconds(1));
		assertThat(sender.pendingRepairs()).isZero();
	}

	@Test
	void unreachableReceiverIsDroppedAtOnce() {
		this.output.unreachable = 11;
		TransferSender sender = start(payload(5000), List.of(10L, 11L), CONFIG);
		assertThat(sender.activeReceivers()).containsExactly(10L);
		sender.onAck(10, new TransferAck(TRANSFER, true, null), MS);
		assertThat(sender.result().dropped()).containsEntry(11L, TransferSender.NOT_CONNECTED);
	}

	@Test
	void removedReceiverNoLongerHoldsTheTransfer() {
		TransferSender sender = start(payload(5000), List.of(10L, 11L, 12L), CONFIG);
		sender.tick(MS);
		sender.onNack(11, nack(2, 3), 20 * MS);
		assertThat(sender.pendingRepairs()).isOne();
		assertThat(sender.removeReceiver(11, 20 * MS)).isTrue();
		assertThat(sender.removeReceiver(11, 20 * MS)).isFalse();
		sender.tick(21 * MS);
		assertThat(this.output.repairs()).as("nobody else needs it").isEmpty();
		assertThat(sender.pendingRepairs()).isZero();
		sender.onAck(10, new TransferAck(TRANSFER, true, null), 22 * MS);
		sender.onAck(12, new TransferAck(TRANSFER, true, null), 23 * MS);
		TransferResult result = sender.result();
		assertThat(result.acked()).containsExactlyInAnyOrder(10L, 12L);
		assertThat(result.removed()).containsExactly(11L);
	}

	@Test
	void removalWithoutATimeUsesTheLatestTimeSeen() {
		TransferSender sender = start(payload(5000), List.of(10L, 11L), CONFIG);
		assertThat(sender.receivers()).containsExactly(10L, 11L);
		assertThat(sender.activeReceivers()).containsExactly(10L, 11L);
		assertThat(sender.activeReceivers()).isSameAs(sender.activeReceivers());
		sender.tick(MS);
		sender.onAck(10, new TransferAck(TRANSFER, true, null), 7 * MS);
		assertThat(sender.activeReceivers()).containsExactly(11L);
		assertThat(sender.removeReceiver(11)).isTrue();
		TransferResult result = sender.result();
		assertThat(result.duration()).isEqualTo(Duration.ofMillis(7));
		assertThat(result.removed()).containsExactly(11L);
		assertThat(result.packetsSent()).isEqualTo(5);
		assertThat(result.payloadBytes()).isEqualTo(5000);
		assertThat(sender.receivers()).containsExactly(10L, 11L);
	}

	@Test
	void emptyPayloadNeedsNoPackets() {
		TransferSender sender = start(new byte[0], List.of(10L), CONFIG);
		assertThat(sender.begin().packetCount()).isZero();
		assertThat(sender.begin().totalBytes()).isZero();
		sender.tick(MS);
		assertThat(this.output.packets).isEmpty();
		sender.onAck(10, new TransferAck(TRANSFER, true, null), 2 * MS);
		assertThat(sender.result().allAcked()).isTrue();
	}

	@Test
	void noReceiversIsDoneAtOnce() {
		TransferSender sender = start(payload(100), List.of(), CONFIG);
		assertThat(sender.isDone()).isTrue();
		assertThat(sender.result().acked()).isEmpty();
	}

	@Test
	void cancelDropsEveryIncompleteReceiver() {
		TransferSender sender = start(payload(5000), List.of(10L, 11L), CONFIG);
		sender.onAck(10, new TransferAck(TRANSFER, true, null), MS);
		sender.cancel("superseded", 2 * MS);
		assertThat(sender.result().dropped()).containsExactly(org.assertj.core.api.Assertions.entry(11L, "superseded"));
		assertThat(this.output.control).last().isEqualTo(new TransferDrop(TRANSFER, "superseded"));
		assertThat(sender.tick(3 * MS)).isTrue();
	}

	@Test
	void rejectsInconsistentConfiguration() {
		TransferSender.Config config = TransferSender.Config.defaults();
		assertThatIllegalArgumentException().isThrownBy(() -> config.withPacketPayload(0));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withDeadline(Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withMaxRepairQueue(0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> config.withRepairTiming(Duration.ofMillis(-1), Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withMulticastRepairs(true, 0, 0.5));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withMulticastRepairs(true, 2, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withMaxPacketsPerTick(0));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withPacketOverhead(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> new TransferSpec(1, (byte) 0, "s", 0, 1, 0,
				new byte[0]));
		assertThatIllegalArgumentException().isThrownBy(() -> TransferSender.packetCount(10, 0));
		assertThat(TransferSender.packetCount(0, 1000)).isZero();
		assertThat(TransferSender.packetCount(1000, 1000)).isOne();
		assertThat(TransferSender.packetCount(1001, 1000)).isEqualTo(2);
	}


	@Test
	void holdsNewDataUntilEveryReceiverIsReadyOrTheReadyTimeoutPasses() {
		TransferSender.Config waiting = CONFIG.withReadyTimeout(Duration.ofMillis(100));
		TransferSender sender = start(payload(5_000), List.of(10L, 11L), waiting);
		sender.tick(1 * MS);
		assertThat(this.output.packets).isEmpty();
		sender.onNack(10L, new Nack(TRANSFER, new int[0], -1), 2 * MS);
		sender.tick(3 * MS);
		assertThat(this.output.packets).isEmpty();
		sender.onNack(11L, new Nack(TRANSFER, new int[0], -1), 4 * MS);
		sender.tick(5 * MS);
		assertThat(this.output.packets).hasSize(5);

		this.output.packets.clear();
		TransferSender silent = start(payload(3_000), List.of(12L), waiting);
		silent.tick(50 * MS);
		assertThat(this.output.packets).isEmpty();
		silent.tick(101 * MS);
		assertThat(this.output.packets).hasSize(3);
	}

	@Test
	void theRateClimbsFastOnlyWhileEveryActiveReceiverReportsAmpleBufferLately() {
		long mib = 1 << 20;
		RateController rate = RateController.create(RateController.Config.defaults()
			.withRates(10 * mib, mib, 1000 * mib)
			.withInterval(Duration.ofMillis(10))
			.withIncrease(1.0, mib)
			.withLowBufferBytes(1 << 20)
			.withHeadroom(3 << 20, 2.0), 0);
		TransferSender sender = TransferSender.start(transfer(payload(4 << 20)), List.of(10L, 11L), CONFIG, rate,
				this.output, 0);
		sender.onNack(10L, new Nack(TRANSFER, new int[0], 4 << 20), MS);
		sender.onNack(11L, new Nack(TRANSFER, new int[0], 4 << 20), MS);
		tickEveryMs(sender, 1, 10);
		assertThat(rate.rate()).isEqualTo(2 * 10 * mib + mib);
		// one receiver's queue fills a little (not yet congested): the rate climbs additively
		sender.onNack(11L, new Nack(TRANSFER, new int[0], 2 << 20), 11 * MS);
		tickEveryMs(sender, 11, 19);
		sender.onNack(11L, new Nack(TRANSFER, new int[0], 4 << 20), 20 * MS);
		assertThat(rate.rate()).isEqualTo(22 * mib);
		tickEveryMs(sender, 20, 30);
		assertThat(rate.rate()).isEqualTo(2 * 22 * mib + mib);
		// receiver 10 has not reported for more than three intervals: no news is not headroom
		tickEveryMs(sender, 31, 40);
		assertThat(rate.rate()).isEqualTo(46 * mib);
		assertThat(rate.headroomIncreases()).isEqualTo(2);
		assertThat(rate.decreases()).isZero();
	}

	private static void tickEveryMs(TransferSender sender, int fromMs, int toMs) {
		for (int t = fromMs; t <= toMs; t++) {
			sender.tick(t * MS);
		}
	}

}
