package io.zynco.protocol;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Codec laws over random messages (one case per seed): decode(encode(m)) equals m, the
 * encoding is canonical, any proper prefix is rejected as truncated, and arbitrary bytes
 * never make the decoder throw anything but {@link InvalidFrameException}.
 */
class ControlFramePropertyTests {

	static LongStream seeds() {
		return Seeds.of(200);
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void randomMessagesRoundTrip(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		for (int i = 0; i < 5; i++) {
			ControlMessage message = ControlMessageSamples.random(random);
			byte[] encoded = ControlFrameCodec.encodeToArray(message);
			ControlMessage decoded = ControlFrameCodec.decode(encoded);
			assertThat(decoded).usingRecursiveComparison().withStrictTypeChecking().isEqualTo(message);
			assertThat(ControlFrameCodec.encodeToArray(decoded)).isEqualTo(encoded);
		}
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void randomTruncationsAreRejected(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		byte[] encoded = ControlFrameCodec.encodeToArray(ControlMessageSamples.random(random));
		for (int i = 0; i < 5; i++) {
			byte[] truncated = Arrays.copyOf(encoded, random.nextInt(encoded.length));
			assertThatExceptionOfType(InvalidFrameException.class).isThrownBy(() -> ControlFrameCodec.decode(truncated))
				.extracting(InvalidFrameException::reason)
				.isEqualTo(RejectReason.TRUNCATED);
		}
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void randomBytesAreRejectedOrDecodedButNeverCrashTheDecoder(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		for (int i = 0; i < 20; i++) {
			byte[] garbage = Seeds.bytes(random, random.nextInt(64));
			if (garbage.length > 0 && random.nextBoolean()) {
				// a known type makes the decoder go deeper
				byte[] types = { MessageTypes.HELLO, MessageTypes.HEARTBEAT, MessageTypes.VIEW, MessageTypes.NACK,
						MessageTypes.PREPARE, MessageTypes.CATCH_UP_CHUNK, MessageTypes.PUBLISH_REQUEST };
				garbage[0] = types[random.nextInt(types.length)];
			}
			try {
				ControlMessage decoded = ControlFrameCodec.decode(garbage);
				assertThat(ControlFrameCodec.encodeToArray(decoded)).isEqualTo(garbage);
			}
			catch (InvalidFrameException ex) {
				assertThat(ex.reason()).isNotNull();
			}
		}
	}

}
