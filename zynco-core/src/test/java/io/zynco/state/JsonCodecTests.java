package io.zynco.state;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonCodecTests {

	record Fare(String route, long cents, Map<String, String> tags) {
	}

	@Test
	void roundTripsRecords() {
		JsonCodec<Fare> codec = JsonCodec.of(Fare.class);
		Fare fare = new Fare("LHR-JFK", 45_000, Map.of("class", "Y"));
		byte[] bytes = codec.encode(fare);
		byte[] padded = new byte[bytes.length + 4];
		System.arraycopy(bytes, 0, padded, 2, bytes.length);
		assertThat(codec.decode(padded, 2, bytes.length)).isEqualTo(fare);
	}

	@Test
	void encodesEqualValuesToEqualBytesWhateverTheMapOrder() {
		JsonCodec<Fare> codec = JsonCodec.of(Fare.class);
		Map<String, String> ab = new LinkedHashMap<>();
		ab.put("a", "1");
		ab.put("b", "2");
		Map<String, String> ba = new LinkedHashMap<>();
		ba.put("b", "2");
		ba.put("a", "1");
		assertThat(codec.encode(new Fare("X", 1, ab))).isEqualTo(codec.encode(new Fare("X", 1, ba)));
	}

}
