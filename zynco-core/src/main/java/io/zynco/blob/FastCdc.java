package io.zynco.blob;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

import io.zynco.blob.internal.Gear;

/**
 * A content-defined chunker: FastCDC (Xia et al., USENIX ATC 2016; IEEE TPDS 2020) with
 * cut-point skipping, normalized chunking at level 2 and the two-bytes-per-iteration rolling
 * loop. Because a boundary depends on the (up to 63) bytes just before it, and on the chunk's
 * start only through the size limits, an edit changes only the chunks near it, and the chunks
 * further on keep their bytes and fingerprints.
 *
 * <p>For each chunk, starting at its first byte: the first {@link #minSize()} bytes are not
 * hashed (cut-point skipping); from there a 64-bit gear hash {@code h = (h << 1) + GEAR[b]} (starting at 0) rolls over each
 * byte {@code b}, and the chunk ends after the byte at which {@code (h & mask) == 0}. The mask has
 * {@code log2(avgSize) + 2} bits while the chunk is shorter than {@link #avgSize()} and
 * {@code log2(avgSize) - 2} bits from there on, so chunk sizes cluster around the average. A chunk
 * that reaches {@link #maxSize()} bytes ends there. Every chunk except the last of an input is
 * therefore longer than {@code minSize} and at most {@code maxSize} bytes. The gear table and the
 * masks are fixed (see {@link io.zynco.blob.internal.Gear}), so every node cuts alike.
 *
 * <p>Instances are immutable and thread-safe; chunking allocates only the returned array.
 */
public final class FastCdc {

	/** Default minimum chunk size: 16 KiB. */
	public static final int DEFAULT_MIN_SIZE = 16 * 1024;
	/** Default average (target) chunk size: 64 KiB. */
	public static final int DEFAULT_AVG_SIZE = 64 * 1024;
	/** Default maximum chunk size: 256 KiB. */
	public static final int DEFAULT_MAX_SIZE = 256 * 1024;

	/** Smallest accepted average chunk size (64 bytes). */
	public static final int SMALLEST_AVG_SIZE = 64;
	/** Largest accepted maximum chunk size (1 GiB). */
	public static final int LARGEST_MAX_SIZE = 1 << 30;

	/** Normalization level: the small-chunk mask has this many bits more, the large-chunk mask this many fewer. */
	private static final int NORMALIZATION_LEVEL = 2;

	private static final long[] GEAR = Gear.table();
	/** GEAR shifted left by one, for the first byte of each two-byte step. */
	private static final long[] GEAR_LS = shiftedLeft(GEAR);

	private static final FastCdc DEFAULTS = new FastCdc(DEFAULT_MIN_SIZE, DEFAULT_AVG_SIZE, DEFAULT_MAX_SIZE);

	private final int minSize;
	private final int avgSize;
	private final int maxSize;
	private final long maskS;
	private final long maskL;

	private FastCdc(int minSize, int avgSize, int maxSize) {
		this.minSize = minSize;
		this.avgSize = avgSize;
		this.maxSize = maxSize;
		int bits = Integer.numberOfTrailingZeros(avgSize);
		this.maskS = Gear.spreadMask(bits + NORMALIZATION_LEVEL);
		this.maskL = Gear.spreadMask(bits - NORMALIZATION_LEVEL);
	}

	/** Returns the chunker with the default sizes: min 16 KiB, average 64 KiB, max 256 KiB. */
	public static FastCdc defaults() {
		return DEFAULTS;
	}

	/**
	 * Returns a chunker with the given sizes in bytes.
	 *
	 * @param minSize bytes skipped at the start of each chunk; at least 1 and less than {@code avgSize}
	 * @param avgSize target average chunk size; a power of two, at least {@value #SMALLEST_AVG_SIZE}
	 * @param maxSize largest chunk; greater than {@code avgSize} and at most {@value #LARGEST_MAX_SIZE}
	 * @throws IllegalArgumentException naming the offending size and the accepted range
	 */
	public static FastCdc of(int minSize, int avgSize, int maxSize) {
		if (avgSize < SMALLEST_AVG_SIZE || Integer.bitCount(avgSize) != 1) {
			throw new IllegalArgumentException("avgSize must be a power of two of at least "
					+ SMALLEST_AVG_SIZE + " bytes, was " + avgSize);
		}
		if (minSize < 1 || minSize >= avgSize) {
			throw new IllegalArgumentException("minSize must be at least 1 and less than avgSize ("
					+ avgSize + "), was " + minSize);
		}
		if (maxSize <= avgSize || maxSize > LARGEST_MAX_SIZE) {
			throw new IllegalArgumentException("maxSize must be greater than avgSize (" + avgSize
					+ ") and at most " + LARGEST_MAX_SIZE + ", was " + maxSize);
		}
		if (minSize == DEFAULT_MIN_SIZE && avgSize == DEFAULT_AVG_SIZE && maxSize == DEFAULT_MAX_SIZE) {
			return DEFAULTS;
		}
		return new FastCdc(minSize, avgSize, maxSize);
	}

	/** Returns the minimum chunk size in bytes: every chunk but an input's last is longer. */
	public int minSize() {
		return minSize;
	}

	/** Returns the target average chunk size in bytes (a power of two). */
	public int avgSize() {
		return avgSize;
	}

	/** Returns the maximum chunk size in bytes. */
	public int maxSize() {
		return maxSize;
	}

	/**
	 * Returns the exclusive end offset of every chunk of {@code data}, ascending; the last is
	 * {@code data.length}. An empty input has no chunk.
	 */
	public int[] chunkEnds(byte[] data) {
		return chunkEnds(data, 0, data.length);
	}

	/**
	 * Returns the exclusive end offset of every chunk of {@code data[offset, offset + length)},
	 * relative to {@code offset} and ascending; the last is {@code length}.
	 *
	 * @throws IndexOutOfBoundsException if the range is not within {@code data}
	 */
	public int[] chunkEnds(byte[] data, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, data.length);
		int[] ends = new int[initialCapacity(length)];
		int count = 0;
		int done = 0;
		while (done < length) {
			done += cut(data, offset + done, length - done);
			if (count == ends.length) {
				ends = Arrays.copyOf(ends, count + (count >> 1) + 1);
			}
			ends[count++] = done;
		}
		return count == ends.length ? ends : Arrays.copyOf(ends, count);
	}

	/**
	 * Returns the exclusive end offset of every chunk of the bytes from {@code data}'s position to
	 * its limit, relative to the position; the buffer's position, limit and mark are not changed.
	 */
	public int[] chunkEnds(ByteBuffer data) {
		int position = data.position();
		int length = data.remaining();
		if (data.hasArray()) {
			return chunkEnds(data.array(), data.arrayOffset() + position, length);
		}
		int[] ends = new int[initialCapacity(length)];
		int count = 0;
		int done = 0;
		while (done < length) {
			done += cut(data, position + done, length - done);
			if (count == ends.length) {
				ends = Arrays.copyOf(ends, count + (count >> 1) + 1);
			}
			ends[count++] = done;
		}
		return count == ends.length ? ends : Arrays.copyOf(ends, count);
	}

	/**
	 * Returns the length of the chunk that starts at {@code data[offset]} when {@code length}
	 * bytes are left in the input: between 1 and {@code min(length, maxSize)}, and {@code 0}
	 * only when {@code length} is 0.
	 *
	 * @throws IndexOutOfBoundsException if the range is not within {@code data}
	 */
	public int nextChunkLength(byte[] data, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, data.length);
		return length == 0 ? 0 : cut(data, offset, length);
	}

	private int initialCapacity(int length) {
		return length / avgSize + 8;
	}

	/** The hot loop: two bytes per iteration, output identical to the one-byte loop. */
	private int cut(byte[] src, int start, int remaining) {
		if (remaining <= minSize) {
			return remaining;
		}
		int n = Math.min(remaining, maxSize);
		int normalEnd = start + Math.min(n, avgSize);
		int end = start + n;
		long[] gear = GEAR;
		long[] gearLs = GEAR_LS;
		long h = 0;
		int i = start + minSize;

		// h after the first byte of a step is (the one-byte hash) << 1, so the mask is shifted too.
		long mask = maskS;
		long maskLs = mask << 1;
		for (; i + 1 < normalEnd; i += 2) {
			h = (h << 2) + gearLs[src[i] & 0xFF];
			if ((h & maskLs) == 0) {
				return i + 1 - start;
			}
			h += gear[src[i + 1] & 0xFF];
			if ((h & mask) == 0) {
				return i + 2 - start;
			}
		}
		if (i < normalEnd) {
			h = (h << 1) + gear[src[i] & 0xFF];
			if ((h & mask) == 0) {
				return i + 1 - start;
			}
			i++;
		}

		mask = maskL;
		maskLs = mask << 1;
		for (; i + 1 < end; i += 2) {
			h = (h << 2) + gearLs[src[i] & 0xFF];
			if ((h & maskLs) == 0) {
				return i + 1 - start;
			}
			h += gear[src[i + 1] & 0xFF];
			if ((h & mask) == 0) {
				return i + 2 - start;
			}
		}
		if (i < end) {
			h = (h << 1) + gear[src[i] & 0xFF];
			if ((h & mask) == 0) {
				return i + 1 - start;
			}
		}
		return n;
	}

	/** The same cut over a buffer without an accessible array (a direct buffer), one byte at a time. */
	private int cut(ByteBuffer src, int start, int remaining) {
		if (remaining <= minSize) {
			return remaining;
		}
		int n = Math.min(remaining, maxSize);
		int normalEnd = start + Math.min(n, avgSize);
		int end = start + n;
		long[] gear = GEAR;
		long h = 0;
		int i = start + minSize;
		for (; i < normalEnd; i++) {
			h = (h << 1) + gear[src.get(i) & 0xFF];
			if ((h & maskS) == 0) {
				return i + 1 - start;
			}
		}
		for (; i < end; i++) {
			h = (h << 1) + gear[src.get(i) & 0xFF];
			if ((h & maskL) == 0) {
				return i + 1 - start;
			}
		}
		return n;
	}

	private static long[] shiftedLeft(long[] table) {
		long[] shifted = new long[table.length];
		for (int i = 0; i < table.length; i++) {
			shifted[i] = table[i] << 1;
		}
		return shifted;
	}

	/** Equal when the three sizes are equal: such chunkers cut every input alike. */
	@Override
	public boolean equals(Object other) {
		return other instanceof FastCdc that
				&& that.minSize == minSize
				&& that.avgSize == avgSize
				&& that.maxSize == maxSize;
	}

	@Override
	public int hashCode() {
		return Objects.hash(minSize, avgSize, maxSize);
	}

	@Override
	public String toString() {
		return "FastCdc[min=" + minSize + ", avg=" + avgSize + ", max=" + maxSize + "]";
	}
}
