package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the sizes and the loss, every receiver ends with exactly the bytes sent. */
class TransferPropertyTests {

	static LongStream seeds() {
		return Seeds.of(120);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void everyTransferCompletesWithIdenticalBytes(long caseSeed) {
		SplittableRandom parameters = new SplittableRandom(caseSeed);
		int size = parameters.nextInt(60_001);
		int packetPayload = 1 + parameters.nextInt(3_000);
		int receivers = 1 + parameters.nextInt(4);
		double loss = parameters.nextDouble() * 0.3;
		double duplicate = parameters.nextDouble() * 0.1;
		long jitterNanos = parameters.nextLong(2_000_001);
		long seed = parameters.nextLong();
		Random random = new Random(seed);
		byte[] payload = new byte[size];
		random.nextBytes(payload);
		SimulatedNetwork network = new SimulatedNetwork(random.nextLong() / 4); // any start time, with room to run
		for (int i = 0; i < receivers; i++) {
			double receiverLoss = (i == 0) ? loss : loss * random.nextDouble();
			network.addReceiver(100 + i,
					new SimulatedNetwork.Link().loss(receiverLoss).duplicate(duplicate).jitter(jitterNanos),
					random.nextLong());
		}
		TransferSender.Config config = TransferSender.Config.defaults()
			.withPacketPayload(packetPayload)
			.withDeadline(Duration.ofMinutes(10))
			.withMaxRepairQueue(1 + random.nextInt(512));
		RateController rate = RateController.create(RateController.Config.defaults()
			.withRates(8L << 20, 1L << 20, 64L << 20), network.now());
		network.start(new TransferSpec(seed, TransferBegin.DELTA, "s", 1, 2, 3, payload), config, rate);

		TransferResult result = network.run(100_000, 400_000);

		assertThat(result.allAcked()).isTrue();
		for (SimulatedNetwork.Node node : network.nodes()) {
			assertThat(node.receiver.payload()).isEqualTo(payload);
		}
		assertThat(result.dataPackets()).isEqualTo(TransferSender.packetCount(size, packetPayload));
	}

}
