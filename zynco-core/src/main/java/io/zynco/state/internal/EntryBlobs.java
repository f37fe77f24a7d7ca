package io.zynco.state.internal;

import java.util.Arrays;

/**
 * The in-memory (and on-the-wire) form of one entry: a single {@code byte[]} holding
 * {@code varint(keyLength) | key | value}. One array per entry keeps the per-entry overhead to
 * one array header while letting versions share unchanged entries by reference.
 *
 * <p>Varints are unsigned LEB128, at most 5 bytes. Stateless and thread-safe.
 */
public final class EntryBlobs {

	/** Largest key accepted, in bytes. */
	public static final int MAX_KEY_LENGTH = 1 << 20;

	private EntryBlobs() {
	}

	public static byte[] of(byte[] key, byte[] value) {
		return of(key, 0, key.length, value, 0, value.length);
	}

	public static byte[] of(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset,
			int valueLength) {
		checkKeyLength(keyLength);
		int header = varintSize(keyLength);
		byte[] blob = new byte[header + keyLength + valueLength];
		writeVarint(blob, 0, keyLength);
		System.arraycopy(key, keyOffset, blob, header, keyLength);
		System.arraycopy(value, valueOffset, blob, header + keyLength, valueLength);
		return blob;
	}

	/** A key-only blob ({@code varint(keyLength) | key}), used for removals. */
	public static byte[] keyOnly(byte[] key) {
		return of(key, 0, key.length, key, 0, 0);
	}

	static void checkKeyLength(int keyLength) {
		if (keyLength < 0 || keyLength > MAX_KEY_LENGTH) {
			throw new IllegalArgumentException(
					"key length " + keyLength + " is outside 0.." + MAX_KEY_LENGTH + " bytes");
		}
	}

	public static int keyLength(byte[] blob) {
		return readVarint(blob, 0);
	}

	public static int keyOffset(byte[] blob) {
		return varintSize(readVarint(blob, 0));
	}

	public static int valueOffset(byte[] blob) {
		int kl = readVarint(blob, 0);
		return varintSize(kl) + kl;
	}

	public static int valueLength(byte[] blob) {
		return blob.length - valueOffset(blob);
	}

	public static long keyHash(byte[] blob) {
		int kl = readVarint(blob, 0);
		return Hashes.keyHash(blob, varintSize(kl), kl);
	}

	public static byte[] key(byte[] blob) {
		int kl = readVarint(blob, 0);
		int ko = varintSize(kl);
		return Arrays.copyOfRange(blob, ko, ko + kl);
	}

	public static byte[] value(byte[] blob) {
		return Arrays.copyOfRange(blob, valueOffset(blob), blob.length);
	}

	/** Whether the blob's key equals {@code key[offset, offset+length)}. */
	public static boolean keyEquals(byte[] blob, byte[] key, int offset, int length) {
		int kl = readVarint(blob, 0);
		if (kl != length) {
			return false;
		}
		int ko = varintSize(kl);
		return Arrays.equals(blob, ko, ko + kl, key, offset, offset + length);
	}

	/** Unsigned lexicographic comparison of two blobs' keys. */
	public static int compareKeys(byte[] a, byte[] b) {
		int akl = readVarint(a, 0);
		int bkl = readVarint(b, 0);
		int ako = varintSize(akl);
		int bko = varintSize(bkl);
		return Arrays.compareUnsigned(a, ako, ako + akl, b, bko, bko + bkl);
	}

	/** Order of entries everywhere in the engine: unsigned key hash, then key bytes. */
	public static int compare(long hashA, byte[] a, long hashB, byte[] b) {
		int c = Long.compareUnsigned(hashA, hashB);
		return (c != 0) ? c : compareKeys(a, b);
	}

	public static int varintSize(int value) {
		if ((value & ~0x7F) == 0) {
			return 1;
		}
		if ((value & ~0x3FFF) == 0) {
			return 2;
		}
		if ((value & ~0x1FFFFF) == 0) {
			return 3;
		}
		if ((value & ~0xFFFFFFF) == 0) {
			return 4;
		}
		return 5;
	}

	public static int writeVarint(byte[] buffer, int offset, int value) {
		int v = value;
		int i = offset;
		while ((v & ~0x7F) != 0) {
			buffer[i++] = (byte) ((v & 0x7F) | 0x80);
			v >>>= 7;
		}
		buffer[i++] = (byte) v;
		return i;
	}

	/** Reads a varint written by {@link #writeVarint}; the buffer is trusted (in-memory form). */
	public static int readVarint(byte[] buffer, int offset) {
		int b = buffer[offset];
		if (b >= 0) {
			return b;
		}
		int result = b & 0x7F;
		int shift = 7;
		int i = offset + 1;
		while (true) {
			b = buffer[i++];
			result |= (b & 0x7F) << shift;
			if (b >= 0) {
				return result;
			}
			shift += 7;
		}
	}

}
