package io.zynco.state.internal;

import java.util.IdentityHashMap;
import java.util.Map;

import io.zynco.state.Yield;

/**
 * Keeps the memory of {@linkplain Slabs slabs} in proportion to the entries a snapshot holds.
 *
 * <p>A slab lives while any entry in it is referenced, so as versions replace entries, the
 * newest version can come to hold slabs that are mostly dead bytes: the first snapshot's
 * transfer buffer, say, after most of its entries have been overwritten. Left alone, a
 * service that applies small deltas for days would retain nearly every slab it ever received.
 *
 * <p>The rule, as in log-structured stores: every snapshot carries an upper bound of its
 * <em>waste</em> (bytes of the slabs it references that are not its entries), kept in O(1) per
 * apply (plus a look at the changes' slabs): the base's bound, plus the base's entries, plus
 * the bytes of the slabs the changes refer to, minus the result's entries. When the bound has
 * grown by more than {@link #TRIGGER_FRACTION} of the entries' bytes (and
 * {@link #MIN_WASTE_BYTES}) since the waste was last measured, one walk measures the real
 * waste per slab, and the entries of every slab less than {@link #LIVE_FRACTION} live are
 * copied, in engine order, into fresh slabs; the bound is then exact again. So the walk runs
 * only after a quarter of the data has changed since the last one (its cost is a small
 * constant per changed byte), every slab kept by a compaction is at least half live, and the
 * newest version's waste stays below its entries' bytes plus a quarter of them (plus one
 * slab) in the worst case; with changes spread evenly, much less.
 * Content, fingerprints and shape do not change; the nodes on the paths to moved entries are
 * new objects. Older versions keep their slabs until they leave the chain.
 * Stateless and thread-safe.
 */
public final class Compaction {

	/** The waste bound, as a fraction of the entries' bytes, above which the waste is measured. */
	public static final double TRIGGER_FRACTION = 0.25;

	/** Waste below this is never measured: one full slab. */
	public static final long MIN_WASTE_BYTES = Slabs.SLAB_BYTES;

	/** A slab with less than this fraction of live bytes has its entries moved. */
	public static final double LIVE_FRACTION = 0.5;

	private Compaction() {
	}

	/** Bytes of the distinct slabs that the changes' entries are in. */
	public static long referencedSlabBytes(ChangeArrays changes) {
		Map<byte[], Boolean> seen = new IdentityHashMap<>();
		long bytes = 0;
		byte[] last = null;
		for (int i = 0; i < changes.size; i++) {
			byte[] slab = changes.slabs[i];
			if (slab != last && seen.put(slab, Boolean.TRUE) == null) {
				bytes += slab.length;
			}
			last = slab;
		}
		return bytes;
	}

	/**
	 * Whether a snapshot with this waste bound, this waste at the last measurement and these
	 * entry bytes should be measured.
	 */
	public static boolean due(long wasteBound, long wasteMeasured, long dataBytes) {
		long growth = wasteBound - wasteMeasured;
		return growth > MIN_WASTE_BYTES && growth > TRIGGER_FRACTION * dataBytes;
	}

	/**
	 * The slabs of the segments and their live bytes.
	 * @return the measure; its {@link Usage#wasteBytes()} is exact
	 */
	public static Usage measure(Node[] segments) {
		Map<byte[], long[]> live = new IdentityHashMap<>();
		for (Node segment : segments) {
			measure(segment, live);
		}
		long slabBytes = 0;
		long liveBytes = 0;
		for (Map.Entry<byte[], long[]> e : live.entrySet()) {
			slabBytes += e.getKey().length;
			liveBytes += e.getValue()[0];
		}
		return new Usage(live, slabBytes, liveBytes);
	}

	private static void measure(Node node, Map<byte[], long[]> live) {
		if (node instanceof Branch branch) {
			for (Node child : branch.children) {
				measure(child, live);
			}
			return;
		}
		Yield.point();
		Leaf leaf = (Leaf) node;
		byte[] last = null;
		long[] counter = null;
		for (int i = 0; i < leaf.slabs.length; i++) {
			byte[] slab = leaf.slabs[i];
			if (slab != last) {
				counter = live.computeIfAbsent(slab, (s) -> new long[1]);
				last = slab;
			}
			counter[0] += Slabs.length(leaf.spans[i]);
		}
	}

	/**
	 * Copies the entries of every slab less than {@link #LIVE_FRACTION} live into fresh slabs.
	 * @return the new segments (the same array if no slab qualified) and their waste
	 */
	public static Result compact(Node[] segments, Usage usage) {
		Map<byte[], Boolean> victims = new IdentityHashMap<>();
		long moved = 0;
		long freed = 0;
		for (Map.Entry<byte[], long[]> e : usage.live.entrySet()) {
			long slab = e.getKey().length;
			long liveBytes = e.getValue()[0];
			if (liveBytes < LIVE_FRACTION * slab) {
				victims.put(e.getKey(), Boolean.TRUE);
				moved += liveBytes;
				freed += slab - liveBytes;
			}
		}
		if (victims.isEmpty()) {
			return new Result(segments, usage.wasteBytes(), 0, 0);
		}
		Slabs.Writer writer = new Slabs.Writer(moved);
		Node[] result = segments.clone();
		for (int s = 0; s < result.length; s++) {
			result[s] = rewrite(segments[s], victims, writer);
		}
		return new Result(result, usage.wasteBytes() - freed + writer.unusedBytes(), victims.size(), moved);
	}

	private static Node rewrite(Node node, Map<byte[], Boolean> victims, Slabs.Writer writer) {
		if (node instanceof Branch branch) {
			Node[] children = null;
			for (int c = 0; c < Trie.FANOUT; c++) {
				Node child = branch.children[c];
				Node updated = rewrite(child, victims, writer);
				if (updated != child) {
					if (children == null) {
						children = branch.children.clone();
					}
					children[c] = updated;
				}
			}
			return (children != null) ? Branch.of(children) : branch;
		}
		Yield.point();
		Leaf leaf = (Leaf) node;
		byte[][] slabs = null;
		long[] spans = null;
		for (int i = 0; i < leaf.slabs.length; i++) {
			byte[] slab = leaf.slabs[i];
			if (!victims.containsKey(slab)) {
				continue;
			}
			if (slabs == null) {
				slabs = leaf.slabs.clone();
				spans = leaf.spans.clone();
			}
			long span = leaf.spans[i];
			spans[i] = writer.copy(slab, Slabs.offset(span), Slabs.length(span));
			slabs[i] = writer.slab();
		}
		// the hashes array is immutable: the new leaf shares it
		return (slabs != null) ? Leaf.of(leaf.hashes, slabs, spans, leaf.fingerprint, leaf.dataBytes) : leaf;
	}

	/** The slabs a snapshot references. */
	public static final class Usage {

		final Map<byte[], long[]> live;

		private final long slabBytes;

		private final long liveBytes;

		Usage(Map<byte[], long[]> live, long slabBytes, long liveBytes) {
			this.live = live;
			this.slabBytes = slabBytes;
			this.liveBytes = liveBytes;
		}

		public int slabs() {
			return this.live.size();
		}

		public long slabBytes() {
			return this.slabBytes;
		}

		public long liveBytes() {
			return this.liveBytes;
		}

		public long wasteBytes() {
			return this.slabBytes - this.liveBytes;
		}

		/** Whether one of the entries is in this very array. */
		public boolean references(byte[] slab) {
			return this.live.containsKey(slab);
		}

	}

	/**
	 * What a compaction did.
	 * @param segments the segments after it
	 * @param wasteBytes their exact waste
	 * @param slabsMoved slabs whose entries were moved
	 * @param bytesMoved bytes of entries copied
	 */
	public record Result(Node[] segments, long wasteBytes, int slabsMoved, long bytesMoved) {
	}

}
