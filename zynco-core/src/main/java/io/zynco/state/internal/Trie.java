package io.zynco.state.internal;

import java.util.Arrays;
import java.util.concurrent.Executor;

import io.zynco.state.Yield;

/**
 * The algorithms over one snapshot's segments: bulk build, lookup, applying sorted changes
 * with path copying, diffing with Merkle pruning, and iteration.
 *
 * <p>A key hash's top {@code segmentBits} bits pick the segment; each trie level below it
 * consumes the next {@value #BRANCH_BITS} bits. The shape is canonical: a node is a leaf
 * exactly when it holds at most {@value #LEAF_MAX} entries (or the hash bits are used up), so
 * equal content always has an equal shape, whatever history produced it. In-order traversal
 * visits entries in unsigned key-hash order. Thread-safe (immutable configuration).
 */
public final class Trie {

	public static final int BRANCH_BITS = 3;

	public static final int FANOUT = 1 << BRANCH_BITS;

	/** Largest leaf; a leaf that would grow beyond it splits into a branch. */
	public static final int LEAF_MAX = 32;

	/** Most segment bits supported: 65,536 segments. */
	public static final int MAX_SEGMENT_BITS = 16;

	private final int segmentBits;

	public Trie(int segmentBits) {
		if (segmentBits < 0 || segmentBits > MAX_SEGMENT_BITS) {
			throw new IllegalArgumentException(
					"segment bits must be within 0.." + MAX_SEGMENT_BITS + " but was " + segmentBits);
		}
		this.segmentBits = segmentBits;
	}

	public int segmentBits() {
		return this.segmentBits;
	}

	public int segmentCount() {
		return 1 << this.segmentBits;
	}

	public int segmentOf(long hash) {
		return (this.segmentBits == 0) ? 0 : (int) (hash >>> (64 - this.segmentBits));
	}

	private int shift(int level) {
		return 64 - this.segmentBits - BRANCH_BITS * (level + 1);
	}

	private boolean canBranch(int level) {
		return shift(level) >= 0;
	}

	private int childIndex(long hash, int level) {
		return (int) (hash >>> shift(level)) & (FANOUT - 1);
	}

	// ---------------------------------------------------------------- build

	/** Builds all segments from entries already in engine order, each key once. */
	public Node[] buildSegments(long[] hashes, byte[][] blobs, int size) {
		Node[] segments = new Node[segmentCount()];
		int start = 0;
		for (int s = 0; s < segments.length; s++) {
			int end = start;
			while (end < size && segmentOf(hashes[end]) == s) {
				end++;
			}
			segments[s] = (end > start) ? build(hashes, blobs, start, end, 0) : Leaf.EMPTY;
			start = end;
		}
		return segments;
	}

	Node build(long[] hashes, byte[][] blobs, int from, int to, int level) {
		return build(hashes, blobs, null, from, to, level);
	}

	/**
	 * Builds a subtree; {@code fingerprints}, when not null, holds each entry's fingerprint
	 * (computed already by the caller), parallel to the other arrays.
	 */
	private Node build(long[] hashes, byte[][] blobs, long[] fingerprints, int from, int to, int level) {
		int n = to - from;
		if (n <= LEAF_MAX || !canBranch(level)) {
			Yield.point();
			long fp = 0;
			long data = 0;
			for (int i = from; i < to; i++) {
				fp += (fingerprints != null) ? fingerprints[i] : Hashes.entryFingerprint(blobs[i]);
				data += blobs[i].length;
			}
			return Leaf.of(Arrays.copyOfRange(hashes, from, to), Arrays.copyOfRange(blobs, from, to), fp, data);
		}
		Node[] children = new Node[FANOUT];
		int start = from;
		for (int c = 0; c < FANOUT; c++) {
			int end = start;
			while (end < to && childIndex(hashes[end], level) == c) {
				end++;
			}
			children[c] = (end > start) ? build(hashes, blobs, fingerprints, start, end, level + 1) : Leaf.EMPTY;
			start = end;
		}
		return Branch.of(children);
	}

	// ---------------------------------------------------------------- lookup

	/** The entry blob for the key, or {@code null}. */
	public byte[] find(Node[] segments, long hash, byte[] key, int offset, int length) {
		Node node = segments[segmentOf(hash)];
		int level = 0;
		while (node instanceof Branch branch) {
			node = branch.children[childIndex(hash, level++)];
		}
		Leaf leaf = (Leaf) node;
		long[] hs = leaf.hashes;
		for (int i = 0; i < hs.length; i++) {
			if (hs[i] == hash && EntryBlobs.keyEquals(leaf.blobs[i], key, offset, length)) {
				return leaf.blobs[i];
			}
		}
		return null;
	}

	// ---------------------------------------------------------------- apply

	/**
	 * Applies sorted changes to the segments with path copying. Unchanged segments and
	 * subtrees are returned as the same objects. Effective changes (a put of a new or different
	 * entry, a remove of a present key) are appended to {@code effective} when it is not null.
	 * @return the new segments, or the same array when nothing changed
	 */
	public Node[] apply(Node[] segments, ChangeArrays changes, ChangeArrays.Appender effective) {
		Node[] result = segments;
		int start = 0;
		int size = changes.size;
		while (start < size) {
			int s = segmentOf(changes.hashes[start]);
			int end = start + 1;
			while (end < size && segmentOf(changes.hashes[end]) == s) {
				end++;
			}
			Node updated = apply(segments[s], changes, start, end, 0, effective);
			if (updated != segments[s]) {
				if (result == segments) {
					result = segments.clone();
				}
				result[s] = updated;
			}
			start = end;
		}
		return result;
	}

	/**
	 * {@link #apply(Node[], ChangeArrays, ChangeArrays.Appender)} without tracking, with the
	 * segments split into chunks run on the caller and on {@code executor} (see
	 * {@link Parallel}). Segments are independent, so the result is the same as the
	 * sequential one, object for object where nothing changed.
	 */
	public Node[] apply(Node[] segments, ChangeArrays changes, Executor executor, int parallelism) {
		int size = changes.size;
		if (executor == null || parallelism < 2 || size < PARALLEL_MIN_CHANGES) {
			return apply(segments, changes, null);
		}
		// chunk boundaries at segment starts, about CHUNKS_PER_THREAD chunks per thread
		int target = Math.max(1, size / (parallelism * CHUNKS_PER_THREAD));
		int[] bounds = new int[parallelism * CHUNKS_PER_THREAD + 2];
		int chunks = 0;
		int start = 0;
		while (start < size) {
			int end = Math.min(size, start + target);
			if (end < size) {
				int s = segmentOf(changes.hashes[end - 1]);
				while (end < size && segmentOf(changes.hashes[end]) == s) {
					end++;
				}
			}
			if (chunks + 1 == bounds.length) {
				bounds = Arrays.copyOf(bounds, bounds.length * 2);
			}
			bounds[chunks++] = start;
			start = end;
		}
		bounds[chunks] = size;
		Node[] result = segments.clone();
		int[] b = bounds;
		Parallel.forEachChunk(chunks, executor, parallelism, (c) -> {
			int from = b[c];
			int to = b[c + 1];
			while (from < to) {
				int s = segmentOf(changes.hashes[from]);
				int end = from + 1;
				while (end < to && segmentOf(changes.hashes[end]) == s) {
					end++;
				}
				result[s] = apply(segments[s], changes, from, end, 0, null);
				from = end;
			}
		});
		for (int s = 0; s < segments.length; s++) {
			if (result[s] != segments[s]) {
				return result;
			}
		}
		return segments;
	}

	/** Fewer changes than this are applied on the caller alone. */
	private static final int PARALLEL_MIN_CHANGES = 8192;

	private static final int CHUNKS_PER_THREAD = 4;

	private Node apply(Node node, ChangeArrays changes, int from, int to, int level,
			ChangeArrays.Appender effective) {
		if (node instanceof Branch branch) {
			return applyToBranch(branch, changes, from, to, level, effective);
		}
		return applyToLeaf((Leaf) node, changes, from, to, level, effective);
	}

	private Node applyToBranch(Branch branch, ChangeArrays changes, int from, int to, int level,
			ChangeArrays.Appender effective) {
		Node[] children = null;
		int start = from;
		while (start < to) {
			int c = childIndex(changes.hashes[start], level);
			int end = start + 1;
			while (end < to && childIndex(changes.hashes[end], level) == c) {
				end++;
			}
			Node child = branch.children[c];
			Node updated = apply(child, changes, start, end, level + 1, effective);
			if (updated != child) {
				if (children == null) {
					children = branch.children.clone();
				}
				children[c] = updated;
			}
			start = end;
		}
		if (children == null) {
			return branch;
		}
		long count = 0;
		for (Node child : children) {
			count += child.count;
		}
		return (count <= LEAF_MAX) ? collapse(children, (int) count) : Branch.of(children);
	}

	private Leaf collapse(Node[] children, int count) {
		long[] hashes = new long[count];
		byte[][] blobs = new byte[count][];
		int[] position = new int[1];
		long fp = 0;
		long data = 0;
		for (Node child : children) {
			collect(child, hashes, blobs, position);
			fp += child.fingerprint;
			data += child.dataBytes;
		}
		return Leaf.of(hashes, blobs, fp, data);
	}

	private Node applyToLeaf(Leaf leaf, ChangeArrays changes, int from, int to, int level,
			ChangeArrays.Appender effective) {
		Yield.point();
		long[] lh = leaf.hashes;
		byte[][] lb = leaf.blobs;
		int n = lh.length;
		long[] oh = new long[n + (to - from)];
		byte[][] ob = new byte[oh.length][];
		// when the result may split into a branch, keep each entry's fingerprint for the build
		// instead of hashing every entry twice (the old leaf holds at most LEAF_MAX entries)
		long[] ofp = (oh.length > LEAF_MAX && canBranch(level)) ? new long[oh.length] : null;
		// positions of entries kept from the old leaf: their fingerprints are computed only if
		// the result is built
		int[] keptAt = (ofp != null) ? new int[n] : null;
		int kept = 0;
		long fp = leaf.fingerprint;
		long data = leaf.dataBytes;
		long blobHeap = leaf.heapBytes - leaf.shallowHeapBytes();
		boolean changed = false;
		int i = 0;
		int j = from;
		int k = 0;
		while (i < n || j < to) {
			int cmp = (i == n) ? 1 : (j == to) ? -1 : EntryBlobs.compare(lh[i], lb[i], changes.hashes[j], changes.blobs[j]);
			if (cmp < 0) {
				if (keptAt != null) {
					keptAt[kept++] = k;
				}
				oh[k] = lh[i];
				ob[k++] = lb[i++];
				continue;
			}
			long hash = changes.hashes[j];
			byte[] blob = changes.blobs[j];
			boolean put = changes.kinds[j] == ChangeArrays.PUT;
			j++;
			if (cmp > 0) {
				if (put) {
					long efp = Hashes.entryFingerprint(blob);
					if (ofp != null) {
						ofp[k] = efp;
					}
					oh[k] = hash;
					ob[k++] = blob;
					fp += efp;
					data += blob.length;
					blobHeap += HeapSizes.byteArray(blob.length);
					changed = true;
					if (effective != null) {
						effective.append(hash, blob, ChangeArrays.PUT);
					}
				}
				continue;
			}
			byte[] old = lb[i++];
			if (put && Arrays.equals(old, blob)) {
				if (keptAt != null) {
					keptAt[kept++] = k;
				}
				oh[k] = hash;
				ob[k++] = old;
				continue;
			}
			fp -= Hashes.entryFingerprint(old);
			data -= old.length;
			blobHeap -= HeapSizes.byteArray(old.length);
			changed = true;
			if (put) {
				long efp = Hashes.entryFingerprint(blob);
				if (ofp != null) {
					ofp[k] = efp;
				}
				oh[k] = hash;
				ob[k++] = blob;
				fp += efp;
				data += blob.length;
				blobHeap += HeapSizes.byteArray(blob.length);
			}
			if (effective != null) {
				effective.append(hash, blob, changes.kinds[j - 1]);
			}
		}
		if (!changed) {
			return leaf;
		}
		if (k > LEAF_MAX && canBranch(level)) {
			for (int q = 0; q < kept; q++) {
				ofp[keptAt[q]] = Hashes.entryFingerprint(ob[keptAt[q]]);
			}
			return build(oh, ob, ofp, 0, k, level);
		}
		return Leaf.of(Arrays.copyOf(oh, k), Arrays.copyOf(ob, k), fp, data, blobHeap);
	}

	// ---------------------------------------------------------------- diff

	/**
	 * Appends to {@code out}, in engine order, the changes that turn {@code from} into
	 * {@code to}. Descends only into subtrees whose fingerprints differ.
	 */
	public void diff(Node[] from, Node[] to, ChangeArrays.Appender out) {
		for (int s = 0; s < from.length; s++) {
			diff(from[s], to[s], out);
		}
	}

	private void diff(Node a, Node b, ChangeArrays.Appender out) {
		if (a.sameContent(b)) {
			return;
		}
		if (a instanceof Branch ba && b instanceof Branch bb) {
			for (int c = 0; c < FANOUT; c++) {
				diff(ba.children[c], bb.children[c], out);
			}
			return;
		}
		Yield.point();
		long[] ah = new long[a.count];
		byte[][] ab = new byte[a.count][];
		collect(a, ah, ab, new int[1]);
		long[] bh = new long[b.count];
		byte[][] bbs = new byte[b.count][];
		collect(b, bh, bbs, new int[1]);
		int i = 0;
		int j = 0;
		while (i < ah.length || j < bh.length) {
			if (i < ah.length && j < bh.length && ab[i] == bbs[j]) {
				// the same entry array, shared between versions: nothing to read
				i++;
				j++;
				continue;
			}
			int cmp = (i == ah.length) ? 1 : (j == bh.length) ? -1 : EntryBlobs.compare(ah[i], ab[i], bh[j], bbs[j]);
			if (cmp < 0) {
				out.append(ah[i], EntryBlobs.keyOnly(EntryBlobs.key(ab[i])), ChangeArrays.REMOVE);
				i++;
			}
			else if (cmp > 0) {
				out.append(bh[j], bbs[j], ChangeArrays.PUT);
				j++;
			}
			else {
				if (ab[i] != bbs[j] && !Arrays.equals(ab[i], bbs[j])) {
					out.append(bh[j], bbs[j], ChangeArrays.PUT);
				}
				i++;
				j++;
			}
		}
	}

	// ---------------------------------------------------------------- traversal

	/** Copies a subtree's entries, in order, into the arrays from {@code position[0]} on. */
	static void collect(Node node, long[] hashes, byte[][] blobs, int[] position) {
		if (node instanceof Branch branch) {
			for (Node child : branch.children) {
				collect(child, hashes, blobs, position);
			}
			return;
		}
		Leaf leaf = (Leaf) node;
		int p = position[0];
		System.arraycopy(leaf.hashes, 0, hashes, p, leaf.hashes.length);
		System.arraycopy(leaf.blobs, 0, blobs, p, leaf.blobs.length);
		position[0] = p + leaf.blobs.length;
	}

	/** Receives entry blobs during traversal. */
	@FunctionalInterface
	public interface BlobVisitor {

		void visit(byte[] blob);

	}

	/** Visits every entry of the segments in engine order. */
	public static void forEach(Node[] segments, BlobVisitor visitor) {
		for (Node segment : segments) {
			forEach(segment, visitor);
		}
	}

	private static void forEach(Node node, BlobVisitor visitor) {
		if (node instanceof Branch branch) {
			for (Node child : branch.children) {
				forEach(child, visitor);
			}
			return;
		}
		for (byte[] blob : ((Leaf) node).blobs) {
			// the visitor may be a bean's builder: a yield point per entry
			Yield.point();
			visitor.visit(blob);
		}
	}

	/** Recomputes every fingerprint below the node from the entry bytes; for verification. */
	public static long recomputeFingerprint(Node node) {
		if (node instanceof Branch branch) {
			long fp = 0;
			for (Node child : branch.children) {
				fp += recomputeFingerprint(child);
			}
			return fp;
		}
		Yield.point();
		long fp = 0;
		for (byte[] blob : ((Leaf) node).blobs) {
			fp += Hashes.entryFingerprint(blob);
		}
		return fp;
	}

	/**
	 * Estimated heap held by {@code node} but not by {@code base}, the node at the same place in
	 * an older version: identical subtrees and identical entry arrays count nothing.
	 */
	public static long heapNotIn(Node node, Node base) {
		if (node == base) {
			return 0;
		}
		if (node instanceof Branch b && base instanceof Branch bb) {
			long heap = Branch.SHALLOW;
			for (int c = 0; c < FANOUT; c++) {
				heap += heapNotIn(b.children[c], bb.children[c]);
			}
			return heap;
		}
		if (node instanceof Leaf leaf && base instanceof Leaf bl) {
			Yield.point();
			long heap = leaf.shallowHeapBytes();
			int j = 0;
			for (int i = 0; i < leaf.blobs.length; i++) {
				while (j < bl.blobs.length && Long.compareUnsigned(bl.hashes[j], leaf.hashes[i]) < 0) {
					j++;
				}
				boolean shared = false;
				for (int q = j; q < bl.blobs.length && bl.hashes[q] == leaf.hashes[i]; q++) {
					if (bl.blobs[q] == leaf.blobs[i]) {
						shared = true;
						break;
					}
				}
				if (!shared) {
					heap += HeapSizes.byteArray(leaf.blobs[i].length);
				}
			}
			return heap;
		}
		// shapes differ (a split or a collapse): count the whole subtree, an upper bound
		return node.heapBytes;
	}

}
