package io.zynco.blob.internal;

/**
 * The fixed gear table and judgement masks of the FastCDC chunker.
 *
 * <p>The 256 gear values are the first 256 outputs of SplitMix64 started from {@link #SEED}, so
 * every node (and every future version of Zynco) cuts the same content at the same places.
 * Changing either the seed or {@link #spreadMask(int)} changes every chunk boundary and therefore
 * every blob root fingerprint: treat both as part of the wire format.
 *
 * <p>Thread-safe: stateless; every call returns a new array or a value.
 */
public final class Gear {

	/** SplitMix64 seed of the gear table: the ASCII bytes {@code "ZyncoCDC"}, big-endian. */
	public static final long SEED = 0x5A796E636F434443L;

	/** Lowest bit position a mask may use: bit {@code k} of the gear hash depends on the last {@code k + 1} bytes. */
	public static final int LOWEST_MASK_BIT = 15;

	/**
	 * Highest bit position a mask may use. Bit 63 stays clear so that a mask shifted left by one
	 * (for the two-bytes-per-iteration loop) loses no bit.
	 */
	public static final int HIGHEST_MASK_BIT = 62;

	private static final int MASK_SPAN = HIGHEST_MASK_BIT - LOWEST_MASK_BIT + 1;

	private Gear() {
	}

	/** Returns a new copy of the 256-entry gear table. */
	public static long[] table() {
		long[] table = new long[256];
		long state = SEED;
		for (int i = 0; i < table.length; i++) {
			state += 0x9E3779B97F4A7C15L;
			long z = state;
			z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
			z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
			table[i] = z ^ (z >>> 31);
		}
		return table;
	}

	/**
	 * Returns a mask with {@code bits} one-bits spread evenly over bit positions 62 down to 15
	 * (the first at 62, the {@code j}-th at {@code 62 - floor(j * 48 / bits)}). Spreading the
	 * bits over the upper part of the word makes the cut decision depend on a window of up to 63
	 * bytes instead of only the last {@code bits} bytes (FastCDC's "enlarged sliding window").
	 *
	 * @throws IllegalArgumentException if {@code bits} is not in [1, 48]
	 */
	public static long spreadMask(int bits) {
		if (bits < 1 || bits > MASK_SPAN) {
			throw new IllegalArgumentException(
					"mask bit count must be in [1, " + MASK_SPAN + "], was " + bits);
		}
		long mask = 0;
		for (int j = 0; j < bits; j++) {
			mask |= 1L << (HIGHEST_MASK_BIT - (j * MASK_SPAN) / bits);
		}
		return mask;
	}
}
