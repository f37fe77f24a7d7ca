package io.zynco.state.internal;

/**
 * A trie leaf: entries sorted by unsigned key hash, then key bytes, in three parallel arrays:
 * key hash, the {@linkplain Slabs slab} holding the entry, and the entry's span in it.
 * Thread-safe (immutable; the arrays are never written after construction).
 */
public final class Leaf extends Node {

	/** The one empty leaf, shared by every empty segment and child slot. */
	public static final Leaf EMPTY = new Leaf(new long[0], new byte[0][], new long[0], 0, 0, 0);

	private static final long SHALLOW = HeapSizes.object(8 + 8 + 8 + 4 + 4 + 4 + 4);

	final long[] hashes;

	final byte[][] slabs;

	final long[] spans;

	private Leaf(long[] hashes, byte[][] slabs, long[] spans, long fingerprint, long dataBytes, long heapBytes) {
		super(fingerprint, hashes.length, dataBytes, heapBytes);
		this.hashes = hashes;
		this.slabs = slabs;
		this.spans = spans;
	}

	/**
	 * A leaf over exactly these arrays (owned by the leaf from now on). Its heap estimate counts
	 * the entries' bytes in their slabs, not the slabs: see {@link Compaction} for the rest.
	 */
	static Leaf of(long[] hashes, byte[][] slabs, long[] spans, long fingerprint, long dataBytes) {
		if (hashes.length == 0) {
			return EMPTY;
		}
		return new Leaf(hashes, slabs, spans, fingerprint, dataBytes, shallowHeapBytes(hashes.length) + dataBytes);
	}

	private static long shallowHeapBytes(int entries) {
		return SHALLOW + 2 * HeapSizes.longArray(entries) + HeapSizes.referenceArray(entries);
	}

	/** Heap of this leaf without the entries it points to. */
	long shallowHeapBytes() {
		return (this == EMPTY) ? 0 : shallowHeapBytes(this.hashes.length);
	}

	/** The slab of entry {@code i}. */
	public byte[] slab(int i) {
		return this.slabs[i];
	}

	/** The span of entry {@code i} in its slab (see {@link Slabs}). */
	public long span(int i) {
		return this.spans[i];
	}

	/** The index of the entry with this key, or -1. */
	public int indexOf(long hash, byte[] key, int offset, int length) {
		long[] hs = this.hashes;
		for (int i = 0; i < hs.length; i++) {
			if (hs[i] == hash && EntryBlobs.keyEquals(this.slabs[i], Slabs.offset(this.spans[i]), key, offset, length)) {
				return i;
			}
		}
		return -1;
	}

}
