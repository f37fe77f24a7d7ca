package io.zynco.replication;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class DataFaultsTests {

	@Test
	void dropsTheSameSeededShareEveryTime() {
		List<Integer> first = delivered(DataFaults.of(7, 0.3, 0, 0), 1_000);
		List<Integer> second = delivered(DataFaults.of(7, 0.3, 0, 0), 1_000);
		assertThat(first).isEqualTo(second);
		assertThat(first.size()).isBetween(600, 800);
		assertThat(delivered(DataFaults.of(8, 0.3, 0, 0), 1_000)).isNotEqualTo(first);
	}

	@Test
	void turnedOffItIsInactiveAndTurnedOnItInjectsAgain() {
		DataFaults faults = DataFaults.of(1, 1.0, 0, 0);
		assertThat(faults.active()).isTrue();
		assertThat(delivered(faults, 10)).isEmpty();
		faults.enable(false);
		assertThat(faults.active()).isFalse(); // the node then delivers packets directly
		faults.enable(true);
		assertThat(faults.active()).isTrue();
		assertThat(delivered(faults, 10)).isEmpty();
		assertThat(faults.dropped()).isEqualTo(20);
	}

	@Test
	void noneIsNeverActiveAndCannotBeTurnedOn() {
		assertThat(DataFaults.none().active()).isFalse();
		assertThat(DataFaults.of(1, 0, 0, 0).active()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> DataFaults.none().enable(true));
		assertThatIllegalArgumentException().isThrownBy(() -> DataFaults.of(1, 1.5, 0, 0));
	}

	/** Sequences of {@code packets} packets that {@code faults} delivers, in order. */
	private static List<Integer> delivered(DataFaults faults, int packets) {
		List<Integer> out = new ArrayList<>();
		byte[] payload = new byte[1];
		for (int i = 0; i < packets; i++) {
			faults.apply(1, 2, i, packets, payload, 0, 1, false,
					(sender, transfer, sequence, count, bytes, offset, length, repair) -> out.add(sequence));
		}
		return out;
	}

}
