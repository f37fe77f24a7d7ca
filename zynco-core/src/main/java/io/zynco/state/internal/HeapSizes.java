package io.zynco.state.internal;

/**
 * Estimates of retained heap for the engine's objects, for the version chain's memory budget.
 *
 * <p>Assumes the HotSpot layout with compressed class pointers and compressed oops (the
 * default below 32 GiB of heap): 12-byte object headers, 16-byte array headers, 4-byte
 * references, 8-byte alignment. The chain benchmark checks these estimates against measured
 * heap (docs/benchmarks.md). Stateless and thread-safe.
 */
public final class HeapSizes {

	static final int REFERENCE = 4;

	private HeapSizes() {
	}

	public static long align(long bytes) {
		return (bytes + 7) & ~7L;
	}

	public static long longArray(int length) {
		return align(16L + 8L * length);
	}

	public static long referenceArray(int length) {
		return align(16L + (long) REFERENCE * length);
	}

	/** An object with a header and the given bytes of fields. */
	public static long object(int fieldBytes) {
		return align(12L + fieldBytes);
	}

}
