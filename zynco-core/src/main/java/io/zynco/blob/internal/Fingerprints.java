package io.zynco.blob.internal;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * Chunk and root fingerprints of blob snapshots.
 *
 * <p>A chunk's fingerprint is XXH3-64 (seed 0) of its bytes. A blob's root fingerprint is XXH3-64
 * (seed 0) of the byte string that holds, for each chunk in order, its fingerprint (8 bytes) and
 * its length (4 bytes), both big-endian; it is computed in fixed-size batches so that no buffer
 * proportional to the chunk count is allocated.
 *
 * <p>Thread-safe: stateless.
 */
public final class Fingerprints {

	private static final Hasher64 XXH3 = Hashing.xxh3_64();

	/** Bytes per chunk in the root's input: fingerprint (8) and length (4). */
	public static final int ROOT_ENTRY_BYTES = 12;

	private static final int BATCH_ENTRIES = 256;

	private Fingerprints() {
	}

	/** Returns the fingerprint of the chunk {@code bytes[offset, offset + length)}. */
	public static long chunk(byte[] bytes, int offset, int length) {
		return XXH3.hashBytesToLong(bytes, offset, length);
	}

	/** Returns the fingerprint of the chunk {@code bytes}. */
	public static long chunk(byte[] bytes) {
		return XXH3.hashBytesToLong(bytes, 0, bytes.length);
	}

	/**
	 * Returns the root fingerprint of the chunks {@code chunks[0, count)} whose fingerprints are
	 * {@code fingerprints[0, count)}.
	 */
	public static long root(long[] fingerprints, byte[][] chunks, int count) {
		HashStream64 stream = XXH3.hashStream();
		byte[] batch = new byte[Math.min(count, BATCH_ENTRIES) * ROOT_ENTRY_BYTES];
		int filled = 0;
		for (int i = 0; i < count; i++) {
			putLong(batch, filled, fingerprints[i]);
			putInt(batch, filled + 8, chunks[i].length);
			filled += ROOT_ENTRY_BYTES;
			if (filled == batch.length) {
				stream.putBytes(batch, 0, filled);
				filled = 0;
			}
		}
		stream.putBytes(batch, 0, filled);
		return stream.getAsLong();
	}

	private static void putLong(byte[] target, int at, long value) {
		putInt(target, at, (int) (value >>> 32));
		putInt(target, at + 4, (int) value);
	}

	private static void putInt(byte[] target, int at, int value) {
		target[at] = (byte) (value >>> 24);
		target[at + 1] = (byte) (value >>> 16);
		target[at + 2] = (byte) (value >>> 8);
		target[at + 3] = (byte) value;
	}
}
