package io.zynco.replication.transfer;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RateControllerTests {

	private static final long MS = 1_000_000;

	private static final long MIB = 1 << 20;

	/** 10 MiB/s between 1 and 100 MiB/s, 10 ms intervals, 2 ms bursts, no increase. */
	private static final RateController.Config FIXED = RateController.Config.defaults()
		.withRates(10 * MIB, MIB, 100 * MIB)
		.withInterval(Duration.ofMillis(10))
		.withBurst(Duration.ofMillis(2))
		.withIncrease(1.0, 0);

	/** Sends greedily for {@code nanos}, in 100 µs ticks; returns bytes sent. */
	private static long sendGreedily(RateController rate, long fromNanos, long nanos, int packet) {
		long bytes = 0;
		for (long t = fromNanos; t <= fromNanos + nanos; t += 100_000) {
			while (rate.tryAcquire(packet, t)) {
				bytes += packet;
			}
		}
		return bytes;
	}

	@Test
	void pacesToTheConfiguredRate() {
		RateController rate = RateController.create(FIXED, 0);
		long bytes = sendGreedily(rate, 0, 1_000 * MS, 1400);
		long burst = 10 * MIB * 2 / 1000;
		assertThat(bytes).isBetween(10 * MIB - 1400, 10 * MIB + burst + 1400);
		assertThat(rate.rate()).isEqualTo(10 * MIB);
	}

	@Test
	void packetsLargerThanTheBucketStillFlowAtTheRate() {
		RateController rate = RateController.create(FIXED.withRates(MIB, MIB, MIB), 0);
		// the bucket holds 2 ms at 1 MiB/s, about 2 KiB: 60,000-byte packets exceed it
		long bytes = sendGreedily(rate, 0, 1_000 * MS, 60_000);
		assertThat(bytes).isBetween(MIB - 60_000, MIB + 60_000);
	}

	@Test
	void idleTimeDoesNotBuildMoreThanOneBurst() {
		RateController rate = RateController.create(FIXED, 0);
		long bytes = 0;
		while (rate.tryAcquire(1000, 5_000 * MS)) {
			bytes += 1000;
		}
		assertThat(bytes).isLessThanOrEqualTo(10 * MIB * 2 / 1000 + 1000);
	}

	@Test
	void heavyLossDecreasesMultiplicativelyAtMostOncePerInterval() {
		RateController rate = RateController.create(FIXED, 0);
		rate.onLoss(1 * MS, 50, 100);
		rate.onLoss(2 * MS, 50, 100);
		rate.onLoss(9 * MS, 50, 100);
		assertThat(rate.rate()).isEqualTo(10 * MIB);
		rate.tick(10 * MS);
		assertThat(rate.rate()).isEqualTo((long) (10 * MIB * 0.7));
		assertThat(rate.decreases()).isOne();
		rate.tick(15 * MS);
		rate.tick(19 * MS);
		assertThat(rate.decreases()).isOne();
		rate.tick(20 * MS);
		rate.onLoss(21 * MS, 50, 100);
		rate.tick(30 * MS);
		assertThat(rate.rate()).isEqualTo((long) (10 * MIB * 0.7 * 0.7));
	}

	@Test
	void lossBelowTheThresholdOrOnTooFewPacketsDoesNotDecrease() {
		RateController rate = RateController.create(FIXED.withLossThreshold(0.05, 32), 0);
		rate.onLoss(MS, 4, 100);
		rate.tick(10 * MS);
		assertThat(rate.decreases()).isZero();
		rate.onLoss(11 * MS, 1, 2); // 50 % of 2 packets, but 1/32 of the minimum sample
		rate.tick(20 * MS);
		assertThat(rate.decreases()).isZero();
		rate.onLoss(21 * MS, 2, 2);
		rate.tick(30 * MS);
		assertThat(rate.decreases()).isOne();
	}

	@Test
	void neverFallsBelowTheMinimum() {
		RateController rate = RateController.create(FIXED, 0);
		for (int i = 1; i <= 100; i++) {
			rate.onLoss(i * 10 * MS - 1, 100, 100);
			rate.tick(i * 10 * MS);
		}
		assertThat(rate.rate()).isEqualTo(MIB);
	}

	@Test
	void increasesOnlyWhileLimitedAndWithoutLoss() {
		RateController.Config config = FIXED.withIncrease(1.0, MIB);
		RateController idle = RateController.create(config, 0);
		for (int i = 1; i <= 10; i++) {
			idle.tick(i * 10 * MS);
		}
		assertThat(idle.rate()).as("an idle sender keeps its rate").isEqualTo(10 * MIB);

		RateController busy = RateController.create(config, 0);
		sendGreedily(busy, 0, 100 * MS, 1400);
		assertThat(busy.rate()).isBetween(18 * MIB, 20 * MIB);
		assertThat(busy.increases()).isBetween(8L, 10L);
		sendGreedily(busy, 100 * MS, 2_000 * MS, 1400);
		assertThat(busy.rate()).as("capped").isEqualTo(100 * MIB);
	}

	@Test
	void multiplicativeIncreaseRecoversQuickly() {
		RateController rate = RateController.create(FIXED.withIncrease(1.25, 0), 0);
		rate.onLoss(MS, 100, 100);
		rate.tick(10 * MS);
		assertThat(rate.rate()).isEqualTo((long) (10 * MIB * 0.7));
		sendGreedily(rate, 10 * MS, 30 * MS, 1400);
		assertThat(rate.rate()).isGreaterThan(10 * MIB);
	}

	@Test
	void lowReceiveBufferDecreasesAndUnknownIsIgnored() {
		RateController rate = RateController.create(FIXED.withLowBufferBytes(64 << 10), 0);
		rate.onReceiveBufferFree(MS, -1);
		rate.onReceiveBufferFree(2 * MS, 1 << 20);
		rate.tick(10 * MS);
		assertThat(rate.decreases()).isZero();
		rate.onReceiveBufferFree(11 * MS, 1000);
		rate.tick(20 * MS);
		assertThat(rate.decreases()).isOne();
		assertThat(rate.rate()).isEqualTo((long) (10 * MIB * 0.7));
	}

	/** {@link #FIXED} with a fast increase of ×2 while receivers have at least 3 MiB free. */
	private static final RateController.Config HEADROOM = FIXED.withLowBufferBytes(1 << 20)
		.withIncrease(1.0, MIB)
		.withHeadroom(3 << 20, 2.0);

	/** One adaptation interval of greedy sending from {@code fromNanos}, with headroom news. */
	private static void intervalWith(RateController rate, long fromNanos, Boolean... headroom) {
		for (Boolean h : headroom) {
			rate.onHeadroom(fromNanos + MS, h);
		}
		sendGreedily(rate, fromNanos + MS, 8 * MS, 1400);
		rate.tick(fromNanos + 10 * MS);
	}

	@Test
	void headroomFromEveryReceiverMakesTheRateClimbFast() {
		RateController rate = RateController.create(HEADROOM, 0);
		intervalWith(rate, 0, true, true);
		assertThat(rate.rate()).isEqualTo(2 * 10 * MIB + MIB);
		assertThat(rate.headroomIncreases()).isOne();
		intervalWith(rate, 10 * MS, true);
		assertThat(rate.rate()).isEqualTo(2 * 21 * MIB + MIB);
		assertThat(rate.increases()).isEqualTo(2);
	}

	@Test
	void withoutHeadroomNewsOrWithAVetoTheRateClimbsAdditively() {
		RateController rate = RateController.create(HEADROOM, 0);
		intervalWith(rate, 0);
		assertThat(rate.rate()).isEqualTo(11 * MIB);
		intervalWith(rate, 10 * MS, true, false, true);
		assertThat(rate.rate()).isEqualTo(12 * MIB);
		assertThat(rate.increases()).isEqualTo(2);
		assertThat(rate.headroomIncreases()).isZero();
		assertThat(rate.headroomSignals()).isEqualTo(2); // the two reports of headroom, vetoed
	}

	@Test
	void congestionWinsOverHeadroom() {
		RateController rate = RateController.create(HEADROOM, 0);
		rate.onReceiveBufferFree(MS, 1000);
		intervalWith(rate, 0, true);
		assertThat(rate.rate()).isEqualTo((long) (10 * MIB * 0.7));
		assertThat(rate.headroomIncreases()).isZero();
	}

	@Test
	void aRateTheSenderDoesNotUseDoesNotClimbFast() {
		RateController rate = RateController.create(HEADROOM, 0);
		// one burst, then the sender's loop starves: held back once, but a fifth of the rate used
		assertThat(rate.tryAcquire(20_000, MS)).isTrue();
		assertThat(rate.tryAcquire(1400, MS)).isFalse();
		rate.onHeadroom(2 * MS, true);
		rate.tick(10 * MS);
		assertThat(rate.rate()).isEqualTo(11 * MIB);
		assertThat(rate.headroomIncreases()).isZero();
		// the headroom was heard all the same
		assertThat(rate.headroomSignals()).isOne();
	}

	@Test
	void headroomIsIgnoredWhenTheFastIncreaseIsOff() {
		RateController rate = RateController.create(HEADROOM.withHeadroom(0, 2.0), 0);
		intervalWith(rate, 0, true);
		assertThat(rate.rate()).isEqualTo(11 * MIB);
	}

	@Test
	void anIdleSenderDoesNotClimbOnHeadroom() {
		RateController rate = RateController.create(HEADROOM, 0);
		rate.onHeadroom(MS, true);
		rate.tick(10 * MS);
		assertThat(rate.rate()).isEqualTo(10 * MIB);
	}

	@Test
	void aLowBufferCutsOncePerEpisodeWhileTheQueueDrains() {
		RateController rate = RateController.create(FIXED.withLowBufferBytes(1 << 20).withIncrease(1.0, MIB), 0);
		long cut = (long) (10 * MIB * 0.7);
		rate.onReceiveBufferFree(MS, 100_000);
		sendGreedily(rate, MS, 8 * MS, 1400);
		rate.tick(10 * MS);
		assertThat(rate.rate()).isEqualTo(cut);
		// the queue drains: more free than at the cut, still low: the rate holds
		rate.onReceiveBufferFree(11 * MS, 300_000);
		sendGreedily(rate, 11 * MS, 8 * MS, 1400);
		rate.tick(20 * MS);
		assertThat(rate.rate()).isEqualTo(cut);
		assertThat(rate.decreases()).isOne();
		// it grows again: cut again
		rate.onReceiveBufferFree(21 * MS, 50_000);
		rate.tick(30 * MS);
		assertThat(rate.rate()).isEqualTo((long) (cut * 0.7));
		// it stays where it was for three intervals: cut again
		rate.onReceiveBufferFree(31 * MS, 60_000);
		rate.tick(40 * MS);
		rate.onReceiveBufferFree(41 * MS, 60_000);
		rate.tick(50 * MS);
		assertThat(rate.decreases()).isEqualTo(2);
		rate.onReceiveBufferFree(51 * MS, 60_000);
		rate.tick(60 * MS);
		assertThat(rate.decreases()).isEqualTo(3);
	}

	@Test
	void releaseGivesTokensBack() {
		RateController rate = RateController.create(FIXED, 0);
		int taken = 0;
		while (rate.tryAcquire(1000, 0)) {
			taken++;
		}
		assertThat(rate.tryAcquire(1000, 0)).isFalse();
		rate.release(1000);
		assertThat(rate.tryAcquire(1000, 0)).isTrue();
		assertThat(taken).isPositive();
	}

	@Test
	void rejectsInconsistentConfiguration() {
		RateController.Config config = RateController.Config.defaults();
		assertThatIllegalArgumentException().isThrownBy(() -> config.withRates(10, 20, 30));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withLowBufferBytes(1000).withHeadroom(1000, 1.1))
			.withMessageContaining("ampleBufferBytes");
		assertThatIllegalArgumentException().isThrownBy(() -> config.withHeadroom(1 << 20, 0.9))
			.withMessageContaining("headroomIncreaseFactor");
		assertThatIllegalArgumentException().isThrownBy(() -> config.withRates(10, 0, 30));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withRates(40, 20, 30));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withDecrease(1.0));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withDecrease(0));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withIncrease(0.9, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withIncrease(1, -1));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withLossThreshold(1.0, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withLossThreshold(0.1, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withInterval(Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withBurst(Duration.ofMillis(-1)));
		assertThatIllegalArgumentException().isThrownBy(() -> config.withLowBufferBytes(-1));
	}

}
