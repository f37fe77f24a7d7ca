package io.zynco.sample;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FareDemoTests {

	@Test
	void publisherAndReplicaEndOnTheSameRoot() {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		long[] roots = new FareDemo(new PrintStream(buffer, true, StandardCharsets.UTF_8), 20_000).run();
		String output = buffer.toString(StandardCharsets.UTF_8);
		assertThat(roots[0]).isEqualTo(roots[1]);
		assertThat(output).contains("v1 verified by re-hashing every entry: ok")
			.contains("replica root")
			.doesNotContain("matches: false")
			.contains("makes a new version: false")
			.contains("roots agree: true");
	}

	@Test
	void generatorIsDeterministic() {
		FareGenerator a = new FareGenerator(1);
		FareGenerator b = new FareGenerator(1);
		assertThat(a.key(123)).isEqualTo(b.key(123));
		assertThat(a.value(123, 4)).isEqualTo(b.value(123, 4));
		assertThat(a.value(123, 4)).isNotEqualTo(a.value(123, 5));
		assertThat(a.value(5, 0).length()).isBetween(150, 260);
	}

}
