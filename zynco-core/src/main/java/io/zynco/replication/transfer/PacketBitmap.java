package io.zynco.replication.transfer;

/**
 * One bit per packet of a transfer: set when the packet is held. Not thread-safe.
 */
final class PacketBitmap {

	private final long[] words;

	private final int size;

	PacketBitmap(int size) {
		if (size < 0) {
			throw new IllegalArgumentException("size must be >= 0, not " + size);
		}
		this.size = size;
		this.words = new long[(size + 63) >>> 6];
	}

	int size() {
		return this.size;
	}

	boolean get(int index) {
		return (this.words[index >>> 6] & (1L << index)) != 0;
	}

	/** Sets the bit; returns whether it was clear before. */
	boolean set(int index) {
		int w = index >>> 6;
		long bit = 1L << index;
		long word = this.words[w];
		if ((word & bit) != 0) {
			return false;
		}
		this.words[w] = word | bit;
		return true;
	}

	/** The first clear bit in {@code [from, limit)}, or {@code limit} if there is none. */
	int nextClear(int from, int limit) {
		return next(from, limit, -1L);
	}

	/** The first set bit in {@code [from, limit)}, or {@code limit} if there is none. */
	int nextSet(int from, int limit) {
		return next(from, limit, 0L);
	}

	private int next(int from, int limit, long flip) {
		limit = Math.min(limit, this.size);
		if (from < 0) {
			from = 0;
		}
		if (from >= limit) {
			return limit;
		}
		int w = from >>> 6;
		long word = (this.words[w] ^ flip) & (-1L << from);
		while (true) {
			if (word != 0) {
				return Math.min((w << 6) + Long.numberOfTrailingZeros(word), limit);
			}
			w++;
			if ((w << 6) >= limit) {
				return limit;
			}
			word = this.words[w] ^ flip;
		}
	}

}
