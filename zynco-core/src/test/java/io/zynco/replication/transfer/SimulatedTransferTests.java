package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.protocol.ControlMessage.TransferDrop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** End-to-end transfers over a {@link SimulatedNetwork} driven by a fake clock. */
class SimulatedTransferTests {

	private static final long US = 1_000;

	private static final long MS = 1_000_000;

	private static final long TICK = 100 * US;

	private static final int MAX_TICKS = 200_000;

	private static final RateController.Config RATE = RateController.Config.defaults()
		.withRates(20L << 20, 1L << 20, 100L << 20);

	private static final TransferSender.Config SENDER = TransferSender.Config.defaults()
		.withPacketPayload(1000)
		.withDeadline(Duration.ofSeconds(10));

	private static byte[] payload(int length, long seed) {
		byte[] bytes = new byte[length];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	private static TransferSpec spec(long id, byte[] payload) {
		return new TransferSpec(id, TransferBegin.SNAPSHOT, "fares", -1, 9, 0x99L, payload);
	}

	private static void assertEveryReceiverHas(SimulatedNetwork network, byte[] payload) {
		for (SimulatedNetwork.Node node : network.nodes()) {
			assertThat(node.isComplete()).as("receiver %d complete", node.id).isTrue();
			assertThat(node.receiver.payload()).as("receiver %d bytes", node.id).isEqualTo(payload);
			assertThat(node.receiver.rejectedPackets()).isZero();
		}
	}

	@ParameterizedTest
	@ValueSource(longs = { 1, 2, 3, 4, 5 })
	void everyReceiverGetsIdenticalBytesDespiteLossReorderingAndDuplication(long seed) {
		SimulatedNetwork network = new SimulatedNetwork(0);
		network.addReceiver(10, new SimulatedNetwork.Link().loss(0.01).jitter(300 * US).duplicate(0.01), seed * 31);
		network.addReceiver(11, new SimulatedNetwork.Link().loss(0.10).jitter(500 * US).duplicate(0.05), seed * 37);
		network.addReceiver(12, new SimulatedNetwork.Link().loss(0.01).delay(2 * MS), seed * 41);
		network.addReceiver(13, new SimulatedNetwork.Link().loss(0.10).jitter(2 * MS), seed * 43);
		byte[] payload = payload(500_000, seed);
		RateController rate = RateController.create(RATE, 0);
		network.start(spec(seed, payload), SENDER, rate);

		TransferResult result = network.run(TICK, MAX_TICKS);

		assertThat(result.acked()).containsExactlyInAnyOrder(10L, 11L, 12L, 13L);
		assertThat(result.allAcked()).isTrue();
		assertEveryReceiverHas(network, payload);
		assertThat(result.dataPackets()).isEqualTo(500);
		assertThat(result.multicastRepairs() + result.unicastRepairs()).isPositive();
		assertThat(result.payloadBytes()).isEqualTo(500_000);
		assertThat(result.bytesSent()).isEqualTo(1000 * result.packetsSent());
		// repairs stay in proportion to the loss: about 10 % of 500 packets for each of two lossy receivers
		assertThat(result.multicastRepairs() + result.unicastRepairs()).isLessThan(300);
	}

	@Test
	void aPerfectNetworkNeedsNoRepairsAndNoNacks() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		for (long id = 10; id < 14; id++) {
			network.addReceiver(id, new SimulatedNetwork.Link(), id);
		}
		byte[] payload = payload(200_000, 7);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(network, payload);
		assertThat(result.packetsSent()).isEqualTo(200);
		assertThat(result.nacksReceived()).isZero();
		for (SimulatedNetwork.Node node : network.nodes()) {
			assertThat(node.receiver.nacksSent()).isZero();
			assertThat(node.packetsBeforeBegin).isZero();
		}
	}

	@Test
	void aPacketLostByOneReceiverIsRepairedByUnicast() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		SimulatedNetwork.LossModel lose = (id, sequence, repair, now) -> id == 12 && sequence == 37 && !repair;
		for (long id = 10; id < 14; id++) {
			network.addReceiver(id, new SimulatedNetwork.Link().lossModel(lose), id);
		}
		byte[] payload = payload(100_000, 8);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(network, payload);
		assertThat(result.unicastRepairs()).isOne();
		assertThat(result.multicastRepairs()).isZero();
		assertThat(network.sent()).filteredOn(SimulatedNetwork.Sent::repair)
			.singleElement()
			.satisfies((sent) -> {
				assertThat(sent.target()).isEqualTo(12);
				assertThat(sent.sequence()).isEqualTo(37);
			});
	}

	@Test
	void aPacketLostByEveryReceiverIsRepairedByOneMulticast() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		SimulatedNetwork.LossModel lose = (id, sequence, repair, now) -> sequence == 37 && !repair;
		for (long id = 10; id < 14; id++) {
			// different delays: the NACKs reach the sender at different times
			network.addReceiver(id, new SimulatedNetwork.Link().delay((id - 9) * 300 * US).lossModel(lose), id);
		}
		byte[] payload = payload(100_000, 9);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(network, payload);
		assertThat(result.multicastRepairs()).isOne();
		assertThat(result.unicastRepairs()).isZero();
		assertThat(network.sent()).filteredOn(SimulatedNetwork.Sent::repair)
			.singleElement()
			.satisfies((sent) -> {
				assertThat(sent.target()).isEqualTo(-1);
				assertThat(sent.sequence()).isEqualTo(37);
			});
	}

	@Test
	void lostTailPacketsAreRequestedAfterAQuietPeriod() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		SimulatedNetwork.LossModel lose = (id, sequence, repair, now) -> id == 11 && sequence >= 95 && !repair;
		network.addReceiver(10, new SimulatedNetwork.Link(), 1);
		network.addReceiver(11, new SimulatedNetwork.Link().lossModel(lose), 2);
		byte[] payload = payload(99_500, 10);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(network, payload);
		assertThat(network.sent()).filteredOn(SimulatedNetwork.Sent::repair)
			.extracting(SimulatedNetwork.Sent::sequence)
			.containsExactlyInAnyOrder(95, 96, 97, 98, 99);
		assertThat(network.node(11).receiver.nacksSent()).isOne();
		assertThat(result.duration()).isGreaterThan(Duration.ofMillis(30));
	}

	@Test
	void theRateDecreasesUnderHeavyLossAndRecoversWhenTheLossStops() {
		RateController rate = RateController.create(RATE, 0);
		SimulatedNetwork lossy = new SimulatedNetwork(0);
		lossy.addReceiver(10, new SimulatedNetwork.Link().loss(0.3), 1);
		lossy.addReceiver(11, new SimulatedNetwork.Link().loss(0.3), 2);
		byte[] first = payload(1_000_000, 11);
		lossy.start(spec(1, first), SENDER, rate);
		lossy.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(lossy, first);
		assertThat(rate.decreases()).isPositive();
		long lowered = rate.rate();
		assertThat(lowered).isLessThan(RATE.initialRate() / 2);

		SimulatedNetwork clean = new SimulatedNetwork(lossy.now());
		clean.addReceiver(10, new SimulatedNetwork.Link(), 3);
		clean.addReceiver(11, new SimulatedNetwork.Link(), 4);
		byte[] second = payload(4_000_000, 12);
		long decreases = rate.decreases();
		clean.start(spec(2, second), SENDER, rate);
		clean.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(clean, second);
		assertThat(rate.decreases()).isEqualTo(decreases);
		assertThat(rate.rate()).isGreaterThan(lowered).isGreaterThanOrEqualTo(RATE.initialRate());
	}

	@Test
	void aSlowReceiverIsDroppedAtTheDeadlineWhileTheOthersComplete() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		network.addReceiver(10, new SimulatedNetwork.Link().loss(0.01), 1);
		network.addReceiver(11, new SimulatedNetwork.Link().loss(0.05), 2);
		network.addReceiver(12, new SimulatedNetwork.Link().loss(0.97), 3);
		byte[] payload = payload(300_000, 13);
		TransferSender sender = network.start(spec(1, payload), SENDER.withDeadline(Duration.ofMillis(500)),
				RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);

		assertThat(result.acked()).containsExactlyInAnyOrder(10L, 11L);
		assertThat(result.dropped()).containsOnlyKeys(12L).containsValue(TransferSender.DEADLINE);
		assertThat(result.duration()).isEqualTo(Duration.ofMillis(500));
		assertThat(network.node(10).receiver.payload()).isEqualTo(payload);
		assertThat(network.node(11).receiver.payload()).isEqualTo(payload);
		assertThat(network.node(12).isComplete()).isFalse();
		assertThat(network.node(12).drop).isEqualTo(new TransferDrop(1, TransferSender.DEADLINE));
		assertThat(sender.isDone()).isTrue();
	}

	@Test
	void aReceiverRemovedMidTransferDoesNotHoldTheOthers() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		network.addReceiver(10, new SimulatedNetwork.Link().loss(0.05), 1);
		network.addReceiver(11, new SimulatedNetwork.Link().loss(0.05), 2);
		network.addReceiver(12, new SimulatedNetwork.Link().loss(0.05), 3);
		byte[] payload = payload(300_000, 14);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		for (int i = 0; i < 50; i++) {
			network.step(TICK);
		}
		network.kill(11);
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertThat(result.acked()).containsExactlyInAnyOrder(10L, 12L);
		assertThat(result.removed()).containsExactly(11L);
		assertEveryReceiverHas(network, payload);
	}

	@Test
	void backPressureDelaysButLosesNothing() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		network.addReceiver(10, new SimulatedNetwork.Link().loss(0.05), 1);
		network.addReceiver(11, new SimulatedNetwork.Link().loss(0.05), 2);
		network.sendCapacityPerTick(3);
		byte[] payload = payload(200_000, 15);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(network, payload);
		assertThat(network.refusedSends()).isPositive();
		assertThat(result.dataPackets()).isEqualTo(200);
	}

	@Test
	void aTinyRepairQueueStillConverges() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		network.addReceiver(10, new SimulatedNetwork.Link().loss(0.2), 1);
		network.addReceiver(11, new SimulatedNetwork.Link().loss(0.2), 2);
		network.addReceiver(12, new SimulatedNetwork.Link().loss(0.2), 3);
		byte[] payload = payload(300_000, 16);
		TransferSender sender = network.start(spec(1, payload), SENDER.withMaxRepairQueue(4),
				RateController.create(RATE, 0));
		int maxPending = 0;
		while (!sender.isDone()) {
			network.step(TICK);
			maxPending = Math.max(maxPending, sender.pendingRepairs());
			assertThat(network.now()).as("converges").isLessThan(10_000 * MS);
		}
		assertThat(maxPending).isEqualTo(4);
		assertThat(sender.repairRequestsRefused()).isPositive();
		assertThat(sender.result().allAcked()).isTrue();
		assertEveryReceiverHas(network, payload);
	}

	@Test
	void aReceiverThatRejectsTheAnnouncementAnswersAFailedAck() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		network.addReceiver(10, new SimulatedNetwork.Link(), 1);
		network.addReceiver(11, new SimulatedNetwork.Link(), 2,
				TransferReceiver.Config.defaults().withMaxTotalBytes(50_000));
		byte[] payload = payload(100_000, 17);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertThat(result.acked()).containsExactly(10L);
		assertThat(result.failed()).containsEntry(11L, "too-large");
		assertThat(network.node(11).rejection.reason()).isEqualTo(TransferRejectedException.Reason.TOO_LARGE);
		assertThat(network.node(10).receiver.payload()).isEqualTo(payload);
	}

	@Test
	void packetsArrivingBeforeTheAnnouncementAreRecoveredByNacks() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		SimulatedNetwork.Link slowControl = new SimulatedNetwork.Link();
		slowControl.controlDelayNanos = 3 * MS;
		network.addReceiver(10, slowControl, 1);
		network.addReceiver(11, new SimulatedNetwork.Link(), 2);
		byte[] payload = payload(200_000, 18);
		network.start(spec(1, payload), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertEveryReceiverHas(network, payload);
		assertThat(network.node(10).packetsBeforeBegin).isPositive();
		assertThat(result.allAcked()).isTrue();
	}

	@Test
	void anEmptyPayloadCompletesWithoutData() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		network.addReceiver(10, new SimulatedNetwork.Link(), 1);
		network.addReceiver(11, new SimulatedNetwork.Link(), 2);
		network.start(spec(1, new byte[0]), SENDER, RateController.create(RATE, 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertThat(result.allAcked()).isTrue();
		assertThat(network.sent()).isEmpty();
		assertEveryReceiverHas(network, new byte[0]);
	}

	@Test
	void transfersStartedWithTheDefaultsConverge() {
		SimulatedNetwork network = new SimulatedNetwork(0);
		for (long id = 10; id < 20; id++) {
			network.addReceiver(id, new SimulatedNetwork.Link().loss((id % 3) * 0.02).jitter(id * 50 * US), id);
		}
		byte[] payload = payload(2_000_000, 19);
		network.start(spec(1, payload), TransferSender.Config.defaults(),
				RateController.create(RateController.Config.defaults(), 0));
		TransferResult result = network.run(TICK, MAX_TICKS);
		assertThat(result.allAcked()).isTrue();
		assertEveryReceiverHas(network, payload);
		assertThat(List.copyOf(result.acked())).hasSize(10);
	}

}
