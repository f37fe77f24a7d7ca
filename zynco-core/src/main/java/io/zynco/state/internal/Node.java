package io.zynco.state.internal;

/**
 * A node of a segment's hash trie: a {@link Leaf} of sorted entries or a {@link Branch} of
 * {@value Trie#FANOUT} children. Immutable, so versions share unchanged nodes by reference.
 *
 * <p>Every node caches its <em>fingerprint</em>, the sum (mod 2<sup>64</sup>) of its entries'
 * fingerprints. The sum is a multiset hash: it does not depend on the trie's shape, it updates
 * in O(1) per changed entry, and two nodes with equal content always have equal fingerprints.
 * Thread-safe (immutable).
 */
public abstract sealed class Node permits Leaf, Branch {

	final long fingerprint;

	final int count;

	final long dataBytes;

	final long heapBytes;

	Node(long fingerprint, int count, long dataBytes, long heapBytes) {
		this.fingerprint = fingerprint;
		this.count = count;
		this.dataBytes = dataBytes;
		this.heapBytes = heapBytes;
	}

	/** Sum of the entries' fingerprints. */
	public long fingerprint() {
		return this.fingerprint;
	}

	/** Number of entries below this node. */
	public int count() {
		return this.count;
	}

	/** Bytes of encoded entries below this node. */
	public long dataBytes() {
		return this.dataBytes;
	}

	/** Estimated retained heap of this subtree, entries included. */
	public long heapBytes() {
		return this.heapBytes;
	}

	/** Whether the two nodes certainly or (by fingerprint) almost certainly hold the same content. */
	final boolean sameContent(Node other) {
		return this == other || (this.fingerprint == other.fingerprint && this.count == other.count
				&& this.dataBytes == other.dataBytes);
	}

}
