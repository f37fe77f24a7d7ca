package io.zynco.state.internal;

/**
 * An inner trie node with {@value Trie#FANOUT} children, chosen by the next
 * {@value Trie#BRANCH_BITS} bits of the key hash. Empty slots hold {@link Leaf#EMPTY}.
 * Thread-safe (immutable).
 */
public final class Branch extends Node {

	static final long SHALLOW = HeapSizes.object(8 + 8 + 8 + 4 + 4) + HeapSizes.referenceArray(Trie.FANOUT);

	final Node[] children;

	private Branch(Node[] children, long fingerprint, int count, long dataBytes, long heapBytes) {
		super(fingerprint, count, dataBytes, heapBytes);
		this.children = children;
	}

	static Branch of(Node[] children) {
		long fp = 0;
		long count = 0;
		long data = 0;
		long heap = SHALLOW;
		for (Node child : children) {
			fp += child.fingerprint;
			count += child.count;
			data += child.dataBytes;
			heap += child.heapBytes;
		}
		if (count > Integer.MAX_VALUE) {
			throw new IllegalStateException("a segment holds more than " + Integer.MAX_VALUE + " entries");
		}
		return new Branch(children, fp, (int) count, data, heap);
	}

}
