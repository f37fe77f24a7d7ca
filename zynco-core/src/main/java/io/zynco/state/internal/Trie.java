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
	public Node[] buildSegments(ChangeArrays entries) {
		return buildSegments(entries.hashes, entries.slabs, entries.spans, entries.size);
	}

	private Node[] buildSegments(long[] hashes, byte[][] slabs, long[] spans, int size) {
		Node[] segments = new Node[segmentCount()];
		int start = 0;
		for (int s = 0; s < segments.length; s++) {
			int end = start;
			while (end < size && segmentOf(hashes[end]) == s) {
				end++;
			}
			segments[s] = (end > start) ? build(hashes, slabs, spans, null, start, end, 0) : Leaf.EMPTY;
			start = end;
		}
		return segments;
	}

	/**
	 * Builds a subtree; {@code fingerprints}, when not null, holds each entry's fingerprint
	 * (computed already by the caller), parallel to the other arrays.
	 */
	private Node build(long[] hashes, byte[][] slabs, long[] spans, long[] fingerprints, int from, int to,
			int level) {
		int n = to - from;
		if (n <= LEAF_MAX || !canBranch(level)) {
			Yield.point();
			long fp = 0;
			long data = 0;
			for (int i = from; i < to; i++) {
				fp += (fingerprints != null) ? fingerprints[i] : Hashes.entryFingerprint(slabs[i], spans[i]);
				data += Slabs.length(spans[i]);
			}
			return Leaf.of(Arrays.copyOfRange(hashes, from, to), Arrays.copyOfRange(slabs, from, to),
					Arrays.copyOfRange(spans, from, to), fp, data);
		}
		Node[] children = new Node[FANOUT];
		int start = from;
		for (int c = 0; c < FANOUT; c++) {
			int end = start;
			while (end < to && childIndex(hashes[end], level) == c) {
				end++;
			}
			children[c] = (end > start) ? build(hashes, slabs, spans, fingerprints, start, end, level + 1)
					: Leaf.EMPTY;
			start = end;
		}
		return Branch.of(children);
	}

	// ---------------------------------------------------------------- lookup

	/** The leaf where the key's entry is, if it is anywhere (see {@link Leaf#indexOf}). */
	public Leaf leafFor(Node[] segments, long hash) {
		Node node = segments[segmentOf(hash)];
		int level = 0;
		while (node instanceof Branch branch) {
			node = branch.children[childIndex(hash, level++)];
		}
		return (Leaf) node;
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
		byte[][] slabs = new byte[count][];
		long[] spans = new long[count];
		int[] position = new int[1];
		long fp = 0;
		long data = 0;
		for (Node child : children) {
			collect(child, hashes, slabs, spans, position);
			fp += child.fingerprint;
			data += child.dataBytes;
		}
		return Leaf.of(hashes, slabs, spans, fp, data);
	}

	private Node applyToLeaf(Leaf leaf, ChangeArrays changes, int from, int to, int level,
			ChangeArrays.Appender effective) {
		Yield.point();
		long[] lh = leaf.hashes;
		byte[][] ls = leaf.slabs;
		long[] lp = leaf.spans;
		long[] ch = changes.hashes;
		byte[][] cs = changes.slabs;
		long[] cp = changes.spans;
		int n = lh.length;
		long[] oh = new long[n + (to - from)];
		byte[][] os = new byte[oh.length][];
		long[] op = new long[oh.length];
		// when the result may split into a branch, keep each entry's fingerprint for the build
		// instead of hashing every entry twice (the old leaf holds at most LEAF_MAX entries)
		long[] ofp = (oh.length > LEAF_MAX && canBranch(level)) ? new long[oh.length] : null;
		// positions of entries kept from the old leaf: their fingerprints are computed only if
		// the result is built
		int[] keptAt = (ofp != null) ? new int[n] : null;
		int kept = 0;
		long fp = leaf.fingerprint;
		long data = leaf.dataBytes;
		boolean changed = false;
		int i = 0;
		int j = from;
		int k = 0;
		while (i < n || j < to) {
			int cmp = (i == n) ? 1
					: (j == to) ? -1
							: EntryBlobs.compare(lh[i], ls[i], Slabs.offset(lp[i]), ch[j], cs[j], Slabs.offset(cp[j]));
			if (cmp < 0) {
				if (keptAt != null) {
					keptAt[kept++] = k;
				}
				oh[k] = lh[i];
				os[k] = ls[i];
				op[k++] = lp[i++];
				continue;
			}
			long hash = ch[j];
			byte[] slab = cs[j];
			long span = cp[j];
			boolean put = changes.kinds[j] == ChangeArrays.PUT;
			j++;
			if (cmp > 0) {
				if (put) {
					long efp = Hashes.entryFingerprint(slab, span);
					if (ofp != null) {
						ofp[k] = efp;
					}
					oh[k] = hash;
					os[k] = slab;
					op[k++] = span;
					fp += efp;
					data += Slabs.length(span);
					changed = true;
					if (effective != null) {
						effective.append(hash, slab, span, ChangeArrays.PUT);
					}
				}
				continue;
			}
			byte[] oldSlab = ls[i];
			long oldSpan = lp[i++];
			if (put && EntryBlobs.sameEntry(oldSlab, oldSpan, slab, span)) {
				// the same bytes: keep the old place, so that versions go on sharing it
				if (keptAt != null) {
					keptAt[kept++] = k;
				}
				oh[k] = hash;
				os[k] = oldSlab;
				op[k++] = oldSpan;
				continue;
			}
			fp -= Hashes.entryFingerprint(oldSlab, oldSpan);
			data -= Slabs.length(oldSpan);
			changed = true;
			if (put) {
				long efp = Hashes.entryFingerprint(slab, span);
				if (ofp != null) {
					ofp[k] = efp;
				}
				oh[k] = hash;
				os[k] = slab;
				op[k++] = span;
				fp += efp;
				data += Slabs.length(span);
			}
			if (effective != null) {
				effective.append(hash, slab, span, changes.kinds[j - 1]);
			}
		}
		if (!changed) {
			return leaf;
		}
		if (k > LEAF_MAX && canBranch(level)) {
			for (int q = 0; q < kept; q++) {
				ofp[keptAt[q]] = Hashes.entryFingerprint(os[keptAt[q]], op[keptAt[q]]);
			}
			return build(oh, os, op, ofp, 0, k, level);
		}
		return Leaf.of(Arrays.copyOf(oh, k), Arrays.copyOf(os, k), Arrays.copyOf(op, k), fp, data);
	}

	// ---------------------------------------------------------------- diff

	/**
	 * Appends to {@code out}, in engine order, the changes that turn {@code from} into
	 * {@code to}. Descends only into subtrees whose fingerprints differ. The changes refer to
	 * the snapshots' own slabs (a remove to the key-only prefix of the old entry): nothing is
	 * copied.
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
		byte[][] as = new byte[a.count][];
		long[] ap = new long[a.count];
		collect(a, ah, as, ap, new int[1]);
		long[] bh = new long[b.count];
		byte[][] bs = new byte[b.count][];
		long[] bp = new long[b.count];
		collect(b, bh, bs, bp, new int[1]);
		int i = 0;
		int j = 0;
		while (i < ah.length || j < bh.length) {
			if (i < ah.length && j < bh.length && as[i] == bs[j] && ap[i] == bp[j]) {
				// the same entry, shared between versions: nothing to read
				i++;
				j++;
				continue;
			}
			int cmp = (i == ah.length) ? 1
					: (j == bh.length) ? -1
							: EntryBlobs.compare(ah[i], as[i], Slabs.offset(ap[i]), bh[j], bs[j], Slabs.offset(bp[j]));
			if (cmp < 0) {
				int offset = Slabs.offset(ap[i]);
				out.append(ah[i], as[i], Slabs.span(offset, EntryBlobs.keyOnlyLength(as[i], offset)),
						ChangeArrays.REMOVE);
				i++;
			}
			else if (cmp > 0) {
				out.append(bh[j], bs[j], bp[j], ChangeArrays.PUT);
				j++;
			}
			else {
				if (!EntryBlobs.sameEntry(as[i], ap[i], bs[j], bp[j])) {
					out.append(bh[j], bs[j], bp[j], ChangeArrays.PUT);
				}
				i++;
				j++;
			}
		}
	}

	// ---------------------------------------------------------------- traversal

	/** Copies a subtree's entries, in order, into the arrays from {@code position[0]} on. */
	static void collect(Node node, long[] hashes, byte[][] slabs, long[] spans, int[] position) {
		if (node instanceof Branch branch) {
			for (Node child : branch.children) {
				collect(child, hashes, slabs, spans, position);
			}
			return;
		}
		Leaf leaf = (Leaf) node;
		int p = position[0];
		int n = leaf.hashes.length;
		System.arraycopy(leaf.hashes, 0, hashes, p, n);
		System.arraycopy(leaf.slabs, 0, slabs, p, n);
		System.arraycopy(leaf.spans, 0, spans, p, n);
		position[0] = p + n;
	}

	/** Receives entries during traversal. */
	@FunctionalInterface
	public interface EntryVisitor {

		/** The entry {@code slab[offset, offset+length)}; do not modify the slab. */
		void visit(byte[] slab, int offset, int length);

	}

	/** Visits every entry of the segments in engine order. */
	public static void forEach(Node[] segments, EntryVisitor visitor) {
		for (Node segment : segments) {
			forEach(segment, visitor);
		}
	}

	private static void forEach(Node node, EntryVisitor visitor) {
		if (node instanceof Branch branch) {
			for (Node child : branch.children) {
				forEach(child, visitor);
			}
			return;
		}
		Leaf leaf = (Leaf) node;
		for (int i = 0; i < leaf.spans.length; i++) {
			// the visitor may be a bean's builder: a yield point per entry
			Yield.point();
			long span = leaf.spans[i];
			visitor.visit(leaf.slabs[i], Slabs.offset(span), Slabs.length(span));
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
		Leaf leaf = (Leaf) node;
		long fp = 0;
		for (int i = 0; i < leaf.spans.length; i++) {
			fp += Hashes.entryFingerprint(leaf.slabs[i], leaf.spans[i]);
		}
		return fp;
	}

	/**
	 * Estimated heap held by {@code node} but not by {@code base}, the node at the same place in
	 * an older version: identical subtrees and identical entries (the same place in the same
	 * slab) count nothing.
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
			for (int i = 0; i < leaf.spans.length; i++) {
				while (j < bl.spans.length && Long.compareUnsigned(bl.hashes[j], leaf.hashes[i]) < 0) {
					j++;
				}
				boolean shared = false;
				for (int q = j; q < bl.spans.length && bl.hashes[q] == leaf.hashes[i]; q++) {
					if (bl.slabs[q] == leaf.slabs[i] && bl.spans[q] == leaf.spans[i]) {
						shared = true;
						break;
					}
				}
				if (!shared) {
					heap += Slabs.length(leaf.spans[i]);
				}
			}
			return heap;
		}
		// shapes differ (a split or a collapse): count the whole subtree, an upper bound
		return node.heapBytes;
	}

}
