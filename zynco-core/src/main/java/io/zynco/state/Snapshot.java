package io.zynco.state;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

import com.dynatrace.hash4j.hashing.HashStream64;

import io.zynco.state.internal.ChangeArrays;
import io.zynco.state.internal.Compaction;
import io.zynco.state.internal.EntryBlobs;
import io.zynco.state.internal.Hashes;
import io.zynco.state.internal.Leaf;
import io.zynco.state.internal.Node;
import io.zynco.state.internal.Slabs;
import io.zynco.state.internal.Trie;

/**
 * The content of one state at one version: an immutable map from key bytes to value bytes.
 *
 * <p>Entries are partitioned into {@code 2^segmentBits} segments by key hash; each segment is
 * a small hash trie whose nodes carry fingerprints, and the {@linkplain #rootFingerprint() root
 * fingerprint} combines the segments'. Equal content gives an equal root, whatever the order
 * or history of the changes that produced it. A snapshot derived from another by
 * {@link #edit()} or {@link #apply(ChangeSet)} shares every unchanged segment, trie node and
 * entry with it, so a chain of versions costs one copy plus what changed.
 *
 * <p>Reads are cheap: {@link #get(byte[])} is one key hash and a walk of a few trie levels;
 * {@link #size()}, {@link #dataBytes()} and {@link #rootFingerprint()} are precomputed.
 * Thread-safe (immutable).
 */
public final class Snapshot {

	/** Default number of segment bits: 1,024 segments. */
	public static final int DEFAULT_SEGMENT_BITS = 10;

	private final Trie trie;

	private final Node[] segments;

	private final long size;

	private final long dataBytes;

	private final long heapBytes;

	private final long rootFingerprint;

	/** An upper bound of the bytes of the slabs referenced that are not entries (see {@link Compaction}). */
	private final long wasteBound;

	/** The waste when it was last measured (in this snapshot or an ancestor). */
	private final long wasteMeasured;

	private Snapshot(Trie trie, Node[] segments, long wasteBound, long wasteMeasured) {
		this.trie = trie;
		this.segments = segments;
		this.wasteBound = wasteBound;
		this.wasteMeasured = wasteMeasured;
		long count = 0;
		long data = 0;
		long heap = 16L + 4L * segments.length + 48;
		HashStream64 root = Hashes.rootStream().putInt(trie.segmentBits());
		for (Node segment : segments) {
			count += segment.count();
			data += segment.dataBytes();
			heap += segment.heapBytes();
			root.putLong(segment.fingerprint());
		}
		this.size = count;
		this.dataBytes = data;
		this.heapBytes = heap;
		this.rootFingerprint = root.putLong(count).getAsLong();
	}

	/** An empty snapshot with the given number of segment bits (0 to 16). */
	public static Snapshot empty(int segmentBits) {
		Trie trie = new Trie(segmentBits);
		Node[] segments = new Node[trie.segmentCount()];
		Arrays.fill(segments, Leaf.EMPTY);
		return new Snapshot(trie, segments, 0, 0);
	}

	/** A builder for a snapshot loaded from scratch. */
	public static Builder builder(int segmentBits) {
		return new Builder(new Trie(segmentBits));
	}

	/** Number of entries. */
	public long size() {
		return this.size;
	}

	public boolean isEmpty() {
		return this.size == 0;
	}

	/** Bytes of encoded entries (keys, values and a small length prefix each). */
	public long dataBytes() {
		return this.dataBytes;
	}

	/** Estimated retained heap of this snapshot if it shared nothing. */
	public long heapBytes() {
		return this.heapBytes;
	}

	/**
	 * Estimated heap this snapshot holds that {@code base} does not, counting shared segments,
	 * trie nodes and entries once. The version chain uses it for its memory budget.
	 */
	public long heapBytesNotIn(Snapshot base) {
		if (base.trie.segmentBits() != this.trie.segmentBits()) {
			return this.heapBytes;
		}
		long heap = 16L + 4L * this.segments.length + 48;
		for (int s = 0; s < this.segments.length; s++) {
			heap += Trie.heapNotIn(this.segments[s], base.segments[s]);
		}
		return heap;
	}

	/** The root fingerprint: equal content, equal root (with XXH3-64's collision odds). */
	public long rootFingerprint() {
		return this.rootFingerprint;
	}

	public int segmentBits() {
		return this.trie.segmentBits();
	}

	public int segmentCount() {
		return this.segments.length;
	}

	/** The fingerprint of one segment: the sum of its entries' fingerprints. */
	public long segmentFingerprint(int segment) {
		return this.segments[segment].fingerprint();
	}

	/**
	 * Whether this snapshot holds the very same segment object as {@code other}: structural
	 * sharing, not just equal content.
	 */
	public boolean sharesSegmentWith(Snapshot other, int segment) {
		return other.segments.length == this.segments.length && other.segments[segment] == this.segments[segment];
	}

	/** Number of entries in one segment. */
	public int segmentSize(int segment) {
		return this.segments[segment].count();
	}

	/** The value for the key, as a new array, or {@code null} if absent. */
	public byte[] get(byte[] key) {
		return get(key, Codec.bytes());
	}

	/** The value for the key decoded with the codec, or {@code null} if absent. */
	public <V> V get(byte[] key, Codec<V> valueCodec) {
		long hash = Hashes.keyHash(key, 0, key.length);
		Leaf leaf = this.trie.leafFor(this.segments, hash);
		int i = leaf.indexOf(hash, key, 0, key.length);
		if (i < 0) {
			return null;
		}
		byte[] slab = leaf.slab(i);
		long span = leaf.span(i);
		int offset = Slabs.offset(span);
		int valueOffset = offset + EntryBlobs.keyOnlyLength(slab, offset);
		return valueCodec.decode(slab, valueOffset, offset + Slabs.length(span) - valueOffset);
	}

	public boolean containsKey(byte[] key) {
		long hash = Hashes.keyHash(key, 0, key.length);
		return this.trie.leafFor(this.segments, hash).indexOf(hash, key, 0, key.length) >= 0;
	}

	/**
	 * Visits every entry without copying, in key-hash order. The visitor must not modify the
	 * buffer.
	 */
	public void forEach(EntryVisitor visitor) {
		Trie.forEach(this.segments, (slab, offset, length) -> {
			int keyLength = EntryBlobs.keyLength(slab, offset);
			int keyOffset = offset + EntryBlobs.varintSize(keyLength);
			int valueOffset = keyOffset + keyLength;
			visitor.visit(slab, keyOffset, keyLength, valueOffset, offset + length - valueOffset);
		});
	}

	/** Starts an edit of this snapshot; the snapshot itself never changes. */
	public Editor edit() {
		return new Editor(this);
	}

	/**
	 * The effective changes that turn this snapshot into {@code target}, found by comparing
	 * segment and node fingerprints first and descending only where they differ.
	 * @throws IllegalArgumentException if the snapshots have different segment counts
	 */
	public ChangeSet diff(Snapshot target) {
		requireSameShape(target);
		if (target == this || target.rootFingerprint == this.rootFingerprint && target.size == this.size
				&& target.dataBytes == this.dataBytes) {
			return ChangeSet.EMPTY;
		}
		ChangeArrays.Appender out = new ChangeArrays.Appender(64);
		this.trie.diff(this.segments, target.segments, out);
		return new ChangeSet(out.build());
	}

	/**
	 * Applies changes, sharing everything they do not touch. Puts of identical entries and
	 * removes of absent keys have no effect.
	 * @return the new snapshot, or this one if nothing changed
	 */
	public Snapshot apply(ChangeSet changes) {
		Node[] updated = this.trie.apply(this.segments, changes.arrays(), null);
		return (updated == this.segments) ? this : derive(updated, changes.arrays());
	}

	/**
	 * {@link #apply(ChangeSet)} with the segments split among the caller and helper tasks of
	 * {@code executor}; the result is the same. The caller also works, and never waits for a
	 * helper that has not started, so any executor will do (a busy one, or the caller's own).
	 * @param executor runs helpers; {@code null} to apply on the caller alone
	 * @param parallelism threads to use, the caller included
	 */
	public Snapshot apply(ChangeSet changes, Executor executor, int parallelism) {
		Node[] updated = this.trie.apply(this.segments, changes.arrays(), executor, parallelism);
		return (updated == this.segments) ? this : derive(updated, changes.arrays());
	}

	/** Applies changes and reports which of them took effect. */
	Edit applyTracking(ChangeArrays changes) {
		ChangeArrays.Appender effective = new ChangeArrays.Appender(changes.size());
		Node[] updated = this.trie.apply(this.segments, changes, effective);
		Snapshot result = (updated == this.segments) ? this : derive(updated, changes);
		return new Edit(this, result, new ChangeSet(effective.build()));
	}

	/**
	 * The snapshot of segments made from this one's by applying {@code changes}, compacted when
	 * its waste bound says it may hold too many dead slab bytes (see {@link Compaction}).
	 */
	private Snapshot derive(Node[] updated, ChangeArrays changes) {
		long data = dataBytes(updated);
		// everything the result can reference: this snapshot's slabs, and the changes'
		long bound = this.wasteBound + this.dataBytes + Compaction.referencedSlabBytes(changes) - data;
		if (!Compaction.due(bound, this.wasteMeasured, data)) {
			return new Snapshot(this.trie, updated, bound, this.wasteMeasured);
		}
		return compacted(updated);
	}

	private static long dataBytes(Node[] segments) {
		long data = 0;
		for (Node segment : segments) {
			data += segment.dataBytes();
		}
		return data;
	}

	private Snapshot compacted(Node[] segments) {
		Compaction.Result compacted = Compaction.compact(segments, Compaction.measure(segments));
		return new Snapshot(this.trie, compacted.segments(), compacted.wasteBytes(), compacted.wasteBytes());
	}

	/** This snapshot compacted now, whatever its waste bound says; for tests. */
	Snapshot compactNow() {
		return compacted(this.segments);
	}

	/** The slabs this snapshot references, measured by a walk over every entry; for tests and diagnostics. */
	Compaction.Usage slabUsage() {
		return Compaction.measure(this.segments);
	}

	/** The upper bound of this snapshot's slab waste that decides when to compact. */
	long slabWasteBound() {
		return this.wasteBound;
	}

	/**
	 * Recomputes the root fingerprint from every entry's bytes, ignoring cached node
	 * fingerprints. Costs one pass over the data at hash speed.
	 * @return whether it equals {@link #rootFingerprint()}
	 */
	public boolean verify() {
		return recomputeRootFingerprint() == this.rootFingerprint;
	}

	/** The root fingerprint recomputed from the entries' bytes. */
	public long recomputeRootFingerprint() {
		HashStream64 root = Hashes.rootStream().putInt(this.trie.segmentBits());
		for (Node segment : this.segments) {
			root.putLong(Trie.recomputeFingerprint(segment));
		}
		return root.putLong(this.size).getAsLong();
	}

	void requireSameShape(Snapshot other) {
		if (other.trie.segmentBits() != this.trie.segmentBits()) {
			throw new IllegalArgumentException("snapshots have different segment bits (" + this.trie.segmentBits()
					+ " and " + other.trie.segmentBits() + "); a state keeps its segment count for life");
		}
	}

	@Override
	public String toString() {
		return "Snapshot[entries=" + this.size + ", dataBytes=" + this.dataBytes + ", root="
				+ Fingerprints.toHex(this.rootFingerprint) + "]";
	}

	/** Receives entries during {@link #forEach(EntryVisitor)}. */
	@FunctionalInterface
	public interface EntryVisitor {

		/**
		 * One entry: the key is {@code buffer[keyOffset, keyOffset+keyLength)}, the value
		 * {@code buffer[valueOffset, valueOffset+valueLength)}. Do not modify or keep the buffer.
		 */
		void visit(byte[] buffer, int keyOffset, int keyLength, int valueOffset, int valueLength);

	}

	/**
	 * Collects entries for a snapshot built from scratch; a key put twice keeps the last value.
	 * Not thread-safe; use once.
	 */
	public static final class Builder {

		private final Trie trie;

		private final Slabs.Stager stager = new Slabs.Stager();

		private long[] hashes = new long[16];

		private byte[][] slabs = new byte[16][];

		private long[] spans = new long[16];

		private int size;

		private Builder(Trie trie) {
			this.trie = trie;
		}

		public Builder put(byte[] key, byte[] value) {
			Objects.requireNonNull(key, "key");
			Objects.requireNonNull(value, "value");
			Yield.point();
			long span = this.stager.entry(key, 0, key.length, value, 0, value.length);
			if (this.size == this.hashes.length) {
				this.hashes = Arrays.copyOf(this.hashes, this.size * 2);
				this.slabs = Arrays.copyOf(this.slabs, this.size * 2);
				this.spans = Arrays.copyOf(this.spans, this.size * 2);
			}
			this.hashes[this.size] = Hashes.keyHash(key, 0, key.length);
			this.slabs[this.size] = this.stager.slab();
			this.spans[this.size++] = span;
			return this;
		}

		public <K, V> Builder put(Codec<K> keyCodec, K key, Codec<V> valueCodec, V value) {
			return put(keyCodec.encode(key), valueCodec.encode(value));
		}

		public Snapshot build() {
			byte[] kinds = new byte[this.size];
			Arrays.fill(kinds, ChangeArrays.PUT);
			// copied in engine order into fresh slabs, so that entries that are visited together
			// (verify, diff, iteration, encoding) sit together in memory: a full fingerprint then
			// streams through the heap instead of jumping (measured 4-5x faster, docs/benchmarks.md)
			ChangeArrays sorted = ChangeArrays.sortAndMerge(this.hashes, this.slabs, this.spans, kinds, this.size);
			this.hashes = null;
			this.slabs = null;
			this.spans = null;
			Node[] segments = this.trie.buildSegments(sorted);
			long waste = Compaction.referencedSlabBytes(sorted) - dataBytes(segments);
			return new Snapshot(this.trie, segments, waste, waste);
		}

	}

	/**
	 * Collects puts and removes against a base snapshot; {@link #commit()} applies them with
	 * structural sharing and reports the effective changes. Later operations on a key replace
	 * earlier ones. Not thread-safe; use once.
	 */
	public static final class Editor {

		private final Snapshot base;

		private final Map<KeyRef, byte[]> puts = new HashMap<>();

		private Editor(Snapshot base) {
			this.base = base;
		}

		public Editor put(byte[] key, byte[] value) {
			Objects.requireNonNull(value, "value");
			Yield.point();
			KeyRef ref = KeyRef.of(key);
			this.puts.put(ref, EntryBlobs.of(key, value));
			return this;
		}

		public Editor remove(byte[] key) {
			Yield.point();
			KeyRef ref = KeyRef.of(key);
			this.puts.put(ref, null);
			return this;
		}

		/** Number of distinct keys touched so far. */
		public int pendingChanges() {
			return this.puts.size();
		}

		/** Applies the operations. The result's snapshot is the base itself if none took effect. */
		public Edit commit() {
			int n = this.puts.size();
			long[] hashes = new long[n];
			byte[][] blobs = new byte[n][];
			long[] spans = new long[n];
			byte[] kinds = new byte[n];
			int i = 0;
			for (Map.Entry<KeyRef, byte[]> e : this.puts.entrySet()) {
				hashes[i] = e.getKey().hash;
				if (e.getValue() != null) {
					blobs[i] = e.getValue();
					kinds[i] = ChangeArrays.PUT;
				}
				else {
					blobs[i] = EntryBlobs.keyOnly(e.getKey().key);
					kinds[i] = ChangeArrays.REMOVE;
				}
				spans[i] = Slabs.span(0, blobs[i].length);
				i++;
			}
			this.puts.clear();
			// sorting copies the entries into slabs in engine order; the arrays above are dropped
			return this.base.applyTracking(ChangeArrays.sortAndMerge(hashes, blobs, spans, kinds, n));
		}

	}

	private static final class KeyRef {

		final byte[] key;

		final long hash;

		private KeyRef(byte[] key, long hash) {
			this.key = key;
			this.hash = hash;
		}

		static KeyRef of(byte[] key) {
			Objects.requireNonNull(key, "key");
			byte[] copy = key.clone();
			return new KeyRef(copy, Hashes.keyHash(copy, 0, copy.length));
		}

		@Override
		public int hashCode() {
			return (int) (this.hash ^ (this.hash >>> 32));
		}

		@Override
		public boolean equals(Object obj) {
			return obj instanceof KeyRef other && other.hash == this.hash && Arrays.equals(other.key, this.key);
		}

	}

}
