package io.zynco.benchmarks.replication;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.zynco.state.Delta;
import io.zynco.state.Edit;
import io.zynco.state.Snapshot;

/**
 * A design benchmark for roadmap.md's entry storage without an array per entry (issue 3): how
 * long a receiver would take to verify and index the benchmark snapshot if each trie leaf held
 * its entries in one {@code byte[]} ("packed leaves"), or referenced them by offset in 4 MiB
 * slabs ("slabs"), instead of an array per entry, and what a 1% delta would then copy. It builds
 * the same trie shape as the engine ({@code Trie}: 1,024 segments, 8-way branches, leaves of at
 * most 32 entries) from the encoded snapshot, with the engine's hash functions, and times it
 * beside the engine's own {@code Delta.decode} and {@code applyTo} on the same bytes, round
 * after round, with the bytes allocated and the collector's time. A prototype to decide the
 * design with, not the engine: it indexes puts only and checks its root against the engine's.
 *
 * <pre>
 * java -Xms3g -Xmx3g -XX:+AlwaysPreTouch -cp zynco-benchmarks/target/benchmarks.jar io.zynco.benchmarks.replication.PackedLeafPrototype [--mib 512] [--rounds 5]
 * </pre>
 */
public final class PackedLeafPrototype {

	private static final int SEGMENT_BITS = 10;

	private static final int BRANCH_BITS = 3;

	private static final int LEAF_MAX = 32;

	private PackedLeafPrototype() {
	}

	/** A leaf: entry hashes, where each entry ends in {@code data}, and the entries back to back. */
	record Leaf(long[] hashes, int[] ends, byte[] data, long fingerprint) {
	}

	/**
	 * A slab leaf: entry hashes, and where each entry lies: {@code refs[i]} is the slab index
	 * (high 32 bits) and the offset in it (low 32 bits), {@code lengths[i]} its length.
	 */
	record SlabLeaf(long[] hashes, long[] refs, int[] lengths, long fingerprint) {
	}

	/** Large arrays that entries are appended to; humongous in G1 from half a region on. */
	static final class Slabs {

		static final int SLAB_BYTES = 4 << 20;

		final List<byte[]> slabs = new ArrayList<>();

		private byte[] current;

		private int used;

		/** Copies an entry into the current slab (a new one when it is full); returns its ref. */
		long append(byte[] source, int offset, int length) {
			if (this.current == null || this.used + length > this.current.length) {
				this.current = new byte[Math.max(SLAB_BYTES, length)];
				this.slabs.add(this.current);
				this.used = 0;
			}
			System.arraycopy(source, offset, this.current, this.used, length);
			long ref = ((long) (this.slabs.size() - 1) << 32) | this.used;
			this.used += length;
			return ref;
		}

	}

	/** A branch: 8 children, each a {@link Leaf} or a {@link Branch}, and their fingerprint sum. */
	record Branch(Object[] children, long fingerprint) {
	}

	public static void main(String[] argv) throws Exception {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		int entries = StateGen.entries(args.getInt("mib", 512));
		int rounds = args.getInt("rounds", 5);
		Snapshot empty = StateGen.TYPE.emptySnapshot();
		Edit edit = StateGen.snapshotEdit(empty, 42, entries);
		byte[] snapshot = Delta.of(StateGen.TYPE.name(), 0, 1, edit).encode();
		Edit deltaEdit = StateGen.deltaEdit(edit.snapshot(), 42, 1, entries, 1.0);
		byte[] delta = Delta.of(StateGen.TYPE.name(), 1, 2, deltaEdit).encode();
		long expectedRoot = rootOfSegments(edit.snapshot());
		edit = null;
		System.out.printf("snapshot %d bytes, %d entries; 1%% delta %d bytes%n", snapshot.length, entries, delta.length);
		for (int round = 1; round <= rounds; round++) {
			System.gc();
			ThreadCost e0 = ThreadCost.now();
			Snapshot engine = Delta.decode(snapshot).applyTo(empty);
			ThreadCost e1 = ThreadCost.now();
			long engineRoot = rootOfSegments(engine);
			if (engineRoot != expectedRoot) {
				throw new IllegalStateException("the engine's fingerprint sum differs from the published snapshot's");
			}
			engine = null;
			String packed = measure("packed leaves", snapshot, delta, null, engineRoot);
			String slabs = measure("slabs        ", snapshot, delta, new Slabs(), engineRoot);
			System.out.printf("round %d: engine decode+apply %.3f s, %,d MB allocated, GC %d ms%n%s%n%s%n", round,
					e1.secondsSince(e0), e1.allocatedMibSince(e0), e1.gcMillisSince(e0), packed, slabs);
		}
	}

	/**
	 * Builds the snapshot into packed leaves, or slab leaves when {@code slabs} is given, checks
	 * its fingerprint sum, applies the delta, and says what each step cost.
	 */
	private static String measure(String layout, byte[] snapshot, byte[] delta, Slabs slabs, long engineRoot) {
		System.gc();
		ThreadCost b0 = ThreadCost.now();
		Object[] built = build(snapshot, slabs);
		ThreadCost b1 = ThreadCost.now();
		long root = 0;
		for (Object segment : built) {
			root += fingerprint(segment);
		}
		if (root != engineRoot) {
			throw new IllegalStateException("the " + layout.strip() + " fingerprint sum differs from the engine's");
		}
		long[] copied = new long[2];
		ThreadCost d0 = ThreadCost.now();
		Object[] next = applyReplacements(built, delta, copied, slabs);
		ThreadCost d1 = ThreadCost.now();
		if (next.length != built.length) {
			throw new IllegalStateException();
		}
		return String.format("         %s %.3f s, %,d MB allocated, GC %d ms; 1%% delta %.1f ms: %,d leaves, %,d MB copied",
				layout, b1.secondsSince(b0), b1.allocatedMibSince(b0), b1.gcMillisSince(b0),
				d1.secondsSince(d0) * 1e3, copied[0], copied[1] >> 20);
	}

	/** Sum of the engine snapshot's segment fingerprints (its root's input). */
	private static long rootOfSegments(Snapshot snapshot) {
		long sum = 0;
		for (int s = 0; s < snapshot.segmentCount(); s++) {
			sum += snapshot.segmentFingerprint(s);
		}
		return sum;
	}

	private static long fingerprint(Object node) {
		if (node instanceof Leaf leaf) {
			return leaf.fingerprint();
		}
		if (node instanceof SlabLeaf leaf) {
			return leaf.fingerprint();
		}
		return ((Branch) node).fingerprint();
	}

	// ---------------------------------------------------------------- build

	/**
	 * Parses the encoded snapshot's puts and builds the segments (see the class comment) of
	 * packed leaves, or of slab leaves when {@code slabs} is given.
	 */
	static Object[] build(byte[] encoded, Slabs slabs) {
		// a snapshot has puts only, so change indexes are entry indexes
		int n = EncodedChanges.count(encoded);
		long[] hashes = new long[n];
		long[] fingerprints = new long[n];
		int[] starts = new int[n];
		int[] lengths = new int[n];
		EncodedChanges.forEachPut(encoded, (i, start, length, keyHash) -> {
			hashes[i] = keyHash;
			fingerprints[i] = EncodedChanges.FINGERPRINT.hashBytesToLong(encoded, start, length);
			starts[i] = start;
			lengths[i] = length;
		});
		Object[] segments = new Object[1 << SEGMENT_BITS];
		int from = 0;
		for (int s = 0; s < segments.length; s++) {
			int to = from;
			while (to < n && (int) (hashes[to] >>> (64 - SEGMENT_BITS)) == s) {
				to++;
			}
			segments[s] = node(encoded, hashes, fingerprints, starts, lengths, from, to, 0, slabs);
			from = to;
		}
		return segments;
	}

	private static int shift(int level) {
		return 64 - SEGMENT_BITS - BRANCH_BITS * (level + 1);
	}

	private static Object node(byte[] encoded, long[] hashes, long[] fingerprints, int[] starts, int[] lengths,
			int from, int to, int level, Slabs slabs) {
		if (to - from <= LEAF_MAX || shift(level) < 0) {
			return (slabs != null) ? slabLeaf(encoded, hashes, fingerprints, starts, lengths, from, to, slabs)
					: packedLeaf(encoded, hashes, fingerprints, starts, lengths, from, to);
		}
		Object[] children = new Object[1 << BRANCH_BITS];
		long fp = 0;
		int start = from;
		for (int c = 0; c < children.length; c++) {
			int end = start;
			while (end < to && ((int) (hashes[end] >>> shift(level)) & ((1 << BRANCH_BITS) - 1)) == c) {
				end++;
			}
			children[c] = node(encoded, hashes, fingerprints, starts, lengths, start, end, level + 1, slabs);
			fp += fingerprint(children[c]);
			start = end;
		}
		return new Branch(children, fp);
	}

	private static SlabLeaf slabLeaf(byte[] encoded, long[] hashes, long[] fingerprints, int[] starts, int[] lengths,
			int from, int to, Slabs slabs) {
		long[] refs = new long[to - from];
		long fp = 0;
		for (int i = from; i < to; i++) {
			refs[i - from] = slabs.append(encoded, starts[i], lengths[i]);
			fp += fingerprints[i];
		}
		return new SlabLeaf(Arrays.copyOfRange(hashes, from, to), refs, Arrays.copyOfRange(lengths, from, to), fp);
	}

	private static Leaf packedLeaf(byte[] encoded, long[] hashes, long[] fingerprints, int[] starts, int[] lengths,
			int from, int to) {
		int bytes = 0;
		for (int i = from; i < to; i++) {
			bytes += lengths[i];
		}
		byte[] data = new byte[bytes];
		int[] ends = new int[to - from];
		long fp = 0;
		int q = 0;
		for (int i = from; i < to; i++) {
			System.arraycopy(encoded, starts[i], data, q, lengths[i]);
			q += lengths[i];
			ends[i - from] = q;
			fp += fingerprints[i];
		}
		return new Leaf(Arrays.copyOfRange(hashes, from, to), ends, data, fp);
	}

	// ---------------------------------------------------------------- a delta of replacements

	/**
	 * Applies the delta's puts, which all replace existing entries in the benchmark's 1% delta,
	 * with path copying: every leaf that holds a changed entry is rebuilt, a packed leaf copying
	 * all its entries' bytes, a slab leaf its references (the new entry goes to {@code slabs}).
	 * {@code copied} receives the leaves rebuilt and the bytes copied.
	 */
	static Object[] applyReplacements(Object[] segments, byte[] encoded, long[] copied, Slabs slabs) {
		Object[] result = segments.clone();
		EncodedChanges.forEachPut(encoded, (i, start, length, hash) -> {
			int segment = (int) (hash >>> (64 - SEGMENT_BITS));
			result[segment] = replace(result[segment], segments[segment], hash, encoded, start, length, 0, copied,
					slabs);
		});
		return result;
	}

	private static Object replace(Object node, Object original, long hash, byte[] encoded, int start, int length,
			int level, long[] copied, Slabs slabs) {
		if (node instanceof Branch branch) {
			int c = (int) (hash >>> shift(level)) & ((1 << BRANCH_BITS) - 1);
			Object[] children = (node == original) ? branch.children().clone() : branch.children();
			Object before = children[c];
			Object originalChild = ((Branch) original).children()[c];
			children[c] = replace(before, originalChild, hash, encoded, start, length, level + 1, copied, slabs);
			long fp = branch.fingerprint() - fingerprint(before) + fingerprint(children[c]);
			return new Branch(children, fp);
		}
		if (node instanceof SlabLeaf leaf) {
			int i = Arrays.binarySearch(leaf.hashes(), hash);
			if (i < 0) {
				throw new IllegalStateException("the prototype replaces existing entries only");
			}
			long[] refs = leaf.refs().clone();
			int[] lengths = leaf.lengths().clone();
			byte[] slab = slabs.slabs.get((int) (leaf.refs()[i] >>> 32));
			long fp = leaf.fingerprint() - EncodedChanges.FINGERPRINT.hashBytesToLong(slab, (int) leaf.refs()[i], leaf.lengths()[i])
					+ EncodedChanges.FINGERPRINT.hashBytesToLong(encoded, start, length);
			refs[i] = slabs.append(encoded, start, length);
			lengths[i] = length;
			if (node == original) {
				copied[0]++;
			}
			copied[1] += 8L * refs.length + 4L * lengths.length + length;
			return new SlabLeaf(leaf.hashes(), refs, lengths, fp);
		}
		Leaf leaf = (Leaf) node;
		int i = Arrays.binarySearch(leaf.hashes(), hash);
		if (i < 0) {
			throw new IllegalStateException("the prototype replaces existing entries only");
		}
		int oldStart = (i == 0) ? 0 : leaf.ends()[i - 1];
		int oldLength = leaf.ends()[i] - oldStart;
		byte[] data = new byte[leaf.data().length - oldLength + length];
		System.arraycopy(leaf.data(), 0, data, 0, oldStart);
		System.arraycopy(encoded, start, data, oldStart, length);
		System.arraycopy(leaf.data(), oldStart + oldLength, data, oldStart + length, leaf.data().length - oldStart
				- oldLength);
		int[] ends = leaf.ends().clone();
		for (int q = i; q < ends.length; q++) {
			ends[q] += length - oldLength;
		}
		long fp = leaf.fingerprint() - EncodedChanges.FINGERPRINT.hashBytesToLong(leaf.data(), oldStart, oldLength)
				+ EncodedChanges.FINGERPRINT.hashBytesToLong(encoded, start, length);
		if (node == original) {
			copied[0]++;
		}
		copied[1] += data.length;
		return new Leaf(leaf.hashes(), ends, data, fp);
	}

}
