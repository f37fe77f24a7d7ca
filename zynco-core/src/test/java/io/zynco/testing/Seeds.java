package io.zynco.testing;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeds for property tests: each seed drives one random case, the test's display name shows
 * it, so any failure is reproducible by its seed. The base seed is fixed, so CI is
 * deterministic; set {@code -Dzynco.test.seed=N} to explore other cases.
 *
 * <p>We use plain JUnit parameterized tests rather than a property-testing library: jqwik's
 * author asks that AI agents not use it, and the alternatives are unmaintained.
 */
public final class Seeds {

	private static final long BASE = Long.getLong("zynco.test.seed", 0x5A594E43L);

	private Seeds() {
	}

	/** {@code count} seeds derived from the base seed. */
	public static LongStream of(int count) {
		return new SplittableRandom(BASE).longs(count);
	}

	/** Random bytes of the given length. */
	public static byte[] bytes(SplittableRandom random, int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) random.nextInt(256);
		}
		return bytes;
	}

}
