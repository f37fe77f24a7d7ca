package io.zynco.protocol;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ReplayWindowTests {

	private static final long A = 0xA1L;

	private static final long B = -2L;

	@Test
	void acceptsIncreasingCountersAndRejectsDuplicates() {
		ReplayWindow window = new ReplayWindow();
		for (long c = 1; c <= 10_000; c++) {
			assertThat(window.check(A, c)).isNull();
			assertThat(window.accept(A, c)).isNull();
		}
		assertThat(window.check(A, 10_000)).isEqualTo(RejectReason.REPLAYED);
		assertThat(window.accept(A, 10_000)).isEqualTo(RejectReason.REPLAYED);
		assertThat(window.check(A, 9_000)).isEqualTo(RejectReason.REPLAYED);
	}

	@Test
	void rejectsCountersOlderThanTheWindow() {
		ReplayWindow window = new ReplayWindow(4096, 16);
		window.accept(A, 10_000);
		assertThat(window.check(A, 10_000 - 4095)).isNull();
		assertThat(window.check(A, 10_000 - 4096)).isEqualTo(RejectReason.TOO_OLD);
		assertThat(window.accept(A, 1)).isEqualTo(RejectReason.TOO_OLD);
		assertThat(window.check(A, 0)).isEqualTo(RejectReason.TOO_OLD);
		assertThat(window.check(A, -5)).isEqualTo(RejectReason.TOO_OLD);
	}

	@Test
	void acceptsReorderingWithinTheWindowOnce() {
		ReplayWindow window = new ReplayWindow(4096, 16);
		long[] order = { 100, 98, 99, 3000, 1000, 2999, 97 };
		for (long c : order) {
			assertThat(window.accept(A, c)).as("counter %d", c).isNull();
		}
		for (long c : order) {
			assertThat(window.check(A, c)).as("counter %d again", c).isEqualTo(RejectReason.REPLAYED);
		}
		assertThat(window.check(A, 96)).isNull();
		assertThat(window.accept(A, 5000)).isNull();
		assertThat(window.check(A, 5000 - 4096)).isEqualTo(RejectReason.TOO_OLD);
		assertThat(window.check(A, 5000 - 4095)).isNull();
		assertThat(window.check(A, 2999)).isEqualTo(RejectReason.REPLAYED);
	}

	@Test
	void aLargeJumpClearsTheWholeWindow() {
		ReplayWindow window = new ReplayWindow(128, 4);
		for (long c = 1; c <= 200; c++) {
			window.accept(A, c);
		}
		window.accept(A, 1_000_000);
		for (long c = 1_000_000 - 127; c < 1_000_000; c++) {
			assertThat(window.check(A, c)).isNull();
		}
		assertThat(window.check(A, 1_000_000 - 128)).isEqualTo(RejectReason.TOO_OLD);
	}

	@Test
	void checkChangesNothing() {
		ReplayWindow window = new ReplayWindow();
		assertThat(window.check(A, 7)).isNull();
		assertThat(window.check(A, 7)).isNull();
		assertThat(window.trackedSenders()).isZero();
		window.accept(A, 7);
		assertThat(window.check(A, 9)).isNull();
		assertThat(window.check(A, 9)).isNull();
	}

	@Test
	void sendersHaveIndependentWindows() {
		ReplayWindow window = new ReplayWindow();
		window.accept(A, 50);
		assertThat(window.check(B, 50)).isNull();
		assertThat(window.accept(B, 50)).isNull();
		assertThat(window.accept(B, 50)).isEqualTo(RejectReason.REPLAYED);
		assertThat(window.trackedSenders()).isEqualTo(2);
		window.forget(A);
		assertThat(window.trackedSenders()).isEqualTo(1);
		assertThat(window.check(A, 50)).isNull();
		assertThat(window.check(B, 50)).isEqualTo(RejectReason.REPLAYED);
	}

	@Test
	void tracksABoundedNumberOfSendersEvictingTheLeastRecent() {
		ReplayWindow window = new ReplayWindow(64, 8);
		for (long sender = 1; sender <= 8; sender++) {
			window.accept(sender, 10);
		}
		// sender 1 stays busy, so sender 2 is the least recently accepted
		window.accept(1, 11);
		window.accept(100, 10);
		assertThat(window.trackedSenders()).isEqualTo(8);
		assertThat(window.check(2, 10)).as("evicted: fresh window").isNull();
		assertThat(window.check(1, 11)).isEqualTo(RejectReason.REPLAYED);
		for (long sender = 3; sender <= 8; sender++) {
			assertThat(window.check(sender, 10)).isEqualTo(RejectReason.REPLAYED);
		}
		for (long sender = 1000; sender < 3000; sender++) {
			window.accept(sender, 1);
		}
		assertThat(window.trackedSenders()).isEqualTo(8);
		for (long sender = 2992; sender < 3000; sender++) {
			assertThat(window.check(sender, 1)).isEqualTo(RejectReason.REPLAYED);
		}
	}

	@Test
	void rejectsBadSizes() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ReplayWindow(100, 4));
		assertThatIllegalArgumentException().isThrownBy(() -> new ReplayWindow(0, 4));
		assertThatIllegalArgumentException().isThrownBy(() -> new ReplayWindow(64, 0));
	}

	static LongStream seeds() {
		return Seeds.of(100);
	}

	/** Against a model: a set of every accepted counter and the highest one, per sender. */
	@ParameterizedTest
	@MethodSource("seeds")
	void agreesWithASimpleModel(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		int size = 64 * (1 + random.nextInt(8));
		ReplayWindow window = new ReplayWindow(size, 64);
		Map<Long, Set<Long>> seen = new HashMap<>();
		Map<Long, Long> highest = new HashMap<>();
		for (int i = 0; i < 3000; i++) {
			long sender = random.nextInt(5);
			long top = highest.getOrDefault(sender, 1000L);
			long counter = Math.max(1, top + random.nextInt(3 * size / 2) - size - 8);
			if (random.nextInt(20) == 0) {
				counter = top + 1 + random.nextInt(10 * size);
			}
			RejectReason expected;
			Set<Long> accepted = seen.computeIfAbsent(sender, (k) -> new HashSet<>());
			if (!highest.containsKey(sender) || counter > highest.get(sender)) {
				expected = null;
			}
			else if (highest.get(sender) - counter >= size) {
				expected = RejectReason.TOO_OLD;
			}
			else {
				expected = accepted.contains(counter) ? RejectReason.REPLAYED : null;
			}
			assertThat(window.check(sender, counter)).as("check %d of %d", counter, sender).isEqualTo(expected);
			assertThat(window.accept(sender, counter)).isEqualTo(expected);
			if (expected == null) {
				accepted.add(counter);
				highest.merge(sender, counter, Math::max);
			}
		}
	}

}
