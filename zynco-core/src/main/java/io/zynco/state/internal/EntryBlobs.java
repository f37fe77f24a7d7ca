package io.zynco.state.internal;

import java.util.Arrays;

/**
 * The in-memory (and on-the-wire) form of one entry: {@code varint(keyLength) | key | value},
 * a range of a {@linkplain Slabs slab}. A remove carries the key-only form
 * {@code varint(keyLength) | key}, which is a prefix of the entry.
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

	/** The key length of the entry at {@code slab[offset]}. */
	public static int keyLength(byte[] slab, int offset) {
		return readVarint(slab, offset);
	}

	/** Offset in its slab of the key of the entry at {@code slab[offset]}. */
	public static int keyOffset(byte[] slab, int offset) {
		return offset + varintSize(readVarint(slab, offset));
	}

	/** Length of the key-only form ({@code varint(keyLength) | key}) of the entry at {@code slab[offset]}: a prefix of the entry. */
	public static int keyOnlyLength(byte[] slab, int offset) {
		int kl = readVarint(slab, offset);
		return varintSize(kl) + kl;
	}

	public static long keyHash(byte[] slab, int offset) {
		int kl = readVarint(slab, offset);
		return Hashes.keyHash(slab, offset + varintSize(kl), kl);
	}

	/** Whether the key of the entry at {@code slab[offset]} equals {@code key[keyOffset, keyOffset+length)}. */
	public static boolean keyEquals(byte[] slab, int offset, byte[] key, int keyOffset, int length) {
		int kl = readVarint(slab, offset);
		if (kl != length) {
			return false;
		}
		int ko = offset + varintSize(kl);
		return Arrays.equals(slab, ko, ko + kl, key, keyOffset, keyOffset + length);
	}

	/** Unsigned lexicographic comparison of two entries' keys. */
	public static int compareKeys(byte[] a, int aOffset, byte[] b, int bOffset) {
		int akl = readVarint(a, aOffset);
		int bkl = readVarint(b, bOffset);
		int ako = aOffset + varintSize(akl);
		int bko = bOffset + varintSize(bkl);
		return Arrays.compareUnsigned(a, ako, ako + akl, b, bko, bko + bkl);
	}

	/** Order of entries everywhere in the engine: unsigned key hash, then key bytes. */
	public static int compare(long hashA, byte[] a, int aOffset, long hashB, byte[] b, int bOffset) {
		int c = Long.compareUnsigned(hashA, hashB);
		return (c != 0) ? c : compareKeys(a, aOffset, b, bOffset);
	}

	/** Whether two entries are the same bytes (the same place, or equal content). */
	public static boolean sameEntry(byte[] a, long aSpan, byte[] b, long bSpan) {
		if (a == b && aSpan == bSpan) {
			return true;
		}
		int al = Slabs.length(aSpan);
		if (al != Slabs.length(bSpan)) {
			return false;
		}
		int ao = Slabs.offset(aSpan);
		int bo = Slabs.offset(bSpan);
		return Arrays.equals(a, ao, ao + al, b, bo, bo + al);
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
