package io.zynco.sample.fares;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.zynco.sample.FareGenerator;
import io.zynco.state.Codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FareCodecsTests {

	private final FareGenerator generator = new FareGenerator(42);

	@Test
	void faresRoundTripAndEncodeDeterministically() {
		Codec<Fare> codec = FareCodecs.fares();
		for (int i = 0; i < 1_000; i++) {
			Fare fare = this.generator.fare(i, i % 3);
			byte[] bytes = codec.encode(fare);
			assertThat(codec.decode(bytes, 0, bytes.length)).isEqualTo(fare);
			assertThat(codec.encode(this.generator.fare(i, i % 3))).isEqualTo(bytes);
			assertThat(bytes.length).isLessThan(48);
		}
	}

	@Test
	void rulesRoundTrip() {
		Codec<Rule> codec = FareCodecs.rules();
		for (int i = 0; i < 1_000; i++) {
			Rule rule = this.generator.rule(i, i % 4);
			byte[] bytes = codec.encode(rule);
			assertThat(codec.decode(bytes, 0, bytes.length)).isEqualTo(rule);
		}
	}

	@Test
	void decodesFromTheMiddleOfABuffer() {
		Fare fare = this.generator.fare(7, 1);
		byte[] bytes = FareCodecs.fares().encode(fare);
		byte[] padded = new byte[bytes.length + 10];
		System.arraycopy(bytes, 0, padded, 5, bytes.length);
		assertThat(FareCodecs.fares().decode(padded, 5, bytes.length)).isEqualTo(fare);
	}

	@Test
	void rejectsEveryTruncationTrailingBytesAndUnknownFormats() {
		byte[] bytes = FareCodecs.fares().encode(this.generator.fare(3, 0));
		for (int length = 0; length < bytes.length; length++) {
			byte[] truncated = Arrays.copyOf(bytes, length);
			assertThatIllegalArgumentException().isThrownBy(() -> FareCodecs.fares().decode(truncated, 0, truncated.length));
		}
		byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
		assertThatIllegalArgumentException().isThrownBy(() -> FareCodecs.fares().decode(longer, 0, longer.length))
			.withMessageContaining("trailing");
		byte[] future = bytes.clone();
		future[0] = 9;
		assertThatIllegalArgumentException().isThrownBy(() -> FareCodecs.fares().decode(future, 0, future.length))
			.withMessageContaining("format");
	}

	@Test
	void keysMatchCarrierAndClassExactly() {
		String key = "LHR-JFK/BA/Y/12";
		assertThat(FareKeys.route(key)).isEqualTo("LHR-JFK");
		assertThat(FareKeys.matches(key, null, null)).isTrue();
		assertThat(FareKeys.matches(key, "BA", "Y")).isTrue();
		assertThat(FareKeys.matches(key, "B", null)).isFalse();
		assertThat(FareKeys.matches(key, "BAA", null)).isFalse();
		assertThat(FareKeys.matches(key, null, "J")).isFalse();
		assertThat(FareKeys.matches("broken", null, null)).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> FareKeys.checkRoute("LHR-LHR"));
		assertThatIllegalArgumentException().isThrownBy(() -> FareKeys.checkRoute("lhr-jfk"));
	}

}
