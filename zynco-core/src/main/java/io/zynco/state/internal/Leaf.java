package io.zynco.state.internal;

/**
 * A trie leaf: entries sorted by unsigned key hash, then key bytes, in two parallel arrays.
 * Thread-safe (immutable; the arrays are never written after construction).
 */
public final class Leaf extends Node {

	/** The one empty leaf, shared by every empty segment and child slot. */
	public static final Leaf EMPTY = new Leaf(new long[0], new byte[0][], 0, 0, 0);

	private static final long SHALLOW = HeapSizes.object(8 + 8 + 8 + 4 + 4 + 4);

	final long[] hashes;

	final byte[][] blobs;

	private Leaf(long[] hashes, byte[][] blobs, long fingerprint, long dataBytes, long heapBytes) {
		super(fingerprint, blobs.length, dataBytes, heapBytes);
		this.hashes = hashes;
		this.blobs = blobs;
	}

	/** A leaf over exactly these arrays (owned by the leaf from now on). */
	static Leaf of(long[] hashes, byte[][] blobs, long fingerprint, long dataBytes) {
		long blobHeap = 0;
		for (byte[] blob : blobs) {
			blobHeap += HeapSizes.byteArray(blob.length);
		}
		return of(hashes, blobs, fingerprint, dataBytes, blobHeap);
	}

	/**
	 * A leaf over exactly these arrays, whose entry arrays are known to occupy
	 * {@code blobHeap} bytes (saves reading every entry of a copied leaf).
	 */
	static Leaf of(long[] hashes, byte[][] blobs, long fingerprint, long dataBytes, long blobHeap) {
		if (blobs.length == 0) {
			return EMPTY;
		}
		long heap = SHALLOW + HeapSizes.longArray(hashes.length) + HeapSizes.referenceArray(blobs.length) + blobHeap;
		return new Leaf(hashes, blobs, fingerprint, dataBytes, heap);
	}

	/** Heap of this leaf without the entries it points to. */
	long shallowHeapBytes() {
		return (this == EMPTY) ? 0 : SHALLOW + HeapSizes.longArray(this.hashes.length)
				+ HeapSizes.referenceArray(this.blobs.length);
	}

}
