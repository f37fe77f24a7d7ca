package io.zynco.state.internal;

import java.util.Arrays;

/**
 * Changes in engine order (unsigned key hash, then key bytes), each at most once: parallel
 * arrays of key hash, {@linkplain Slabs slab}, span and kind. A put refers to a full entry; a
 * remove to a key-only entry ({@code varint(keyLength) | key}, see {@link EntryBlobs}).
 * Immutable once built; thread-safe then.
 */
public final class ChangeArrays {

	public static final byte PUT = 1;

	public static final byte REMOVE = 2;

	public static final ChangeArrays EMPTY = new ChangeArrays(new long[0], new byte[0][], new long[0], new byte[0], 0);

	final long[] hashes;

	final byte[][] slabs;

	final long[] spans;

	final byte[] kinds;

	final int size;

	ChangeArrays(long[] hashes, byte[][] slabs, long[] spans, byte[] kinds, int size) {
		this.hashes = hashes;
		this.slabs = slabs;
		this.spans = spans;
		this.kinds = kinds;
		this.size = size;
	}

	/**
	 * Changes over exactly these arrays (owned from now on), which the caller has checked to
	 * be in engine order, each key once. The slabs are referenced, not copied: the caller must
	 * not modify them afterwards.
	 */
	public static ChangeArrays ofSorted(long[] hashes, byte[][] slabs, long[] spans, byte[] kinds) {
		if (hashes.length != slabs.length || hashes.length != spans.length || hashes.length != kinds.length) {
			throw new IllegalArgumentException("parallel arrays of different lengths");
		}
		return (hashes.length == 0) ? EMPTY : new ChangeArrays(hashes, slabs, spans, kinds, hashes.length);
	}

	public int size() {
		return this.size;
	}

	public long hash(int index) {
		return this.hashes[index];
	}

	/** The slab holding change {@code index}'s entry. */
	public byte[] slab(int index) {
		return this.slabs[index];
	}

	/** The offset of change {@code index}'s entry in its slab. */
	public int offset(int index) {
		return Slabs.offset(this.spans[index]);
	}

	/** The length of change {@code index}'s entry (its key-only form for a remove). */
	public int length(int index) {
		return Slabs.length(this.spans[index]);
	}

	public byte kind(int index) {
		return this.kinds[index];
	}

	public boolean isPut(int index) {
		return this.kinds[index] == PUT;
	}

	/**
	 * Sorts unordered changes into engine order, and copies their entries, in that order, into
	 * fresh slabs: entries visited together (verification, diff, iteration, encoding) then sit
	 * together in memory, and the slabs the changes were collected in can be dropped. Where a
	 * key appears more than once the last occurrence wins.
	 */
	public static ChangeArrays sortAndMerge(long[] hashes, byte[][] slabs, long[] spans, byte[] kinds, int size) {
		int[] order = new int[size];
		for (int i = 0; i < size; i++) {
			order[i] = i;
		}
		Sorting.sort(order, hashes, slabs, spans);
		int[] winners = new int[size];
		int n = 0;
		long bytes = 0;
		for (int k = 0; k < size; k++) {
			int i = order[k];
			// with a stable order, the last of a run of equal keys wins
			if (k + 1 < size) {
				int next = order[k + 1];
				if (hashes[next] == hashes[i] && EntryBlobs.compareKeys(slabs[next], Slabs.offset(spans[next]), slabs[i],
						Slabs.offset(spans[i])) == 0) {
					continue;
				}
			}
			winners[n++] = i;
			bytes += Slabs.length(spans[i]);
		}
		if (n == 0) {
			return EMPTY;
		}
		long[] h = new long[n];
		byte[][] s = new byte[n][];
		long[] p = new long[n];
		byte[] k = new byte[n];
		Slabs.Writer writer = new Slabs.Writer(bytes);
		for (int q = 0; q < n; q++) {
			int i = winners[q];
			h[q] = hashes[i];
			p[q] = writer.copy(slabs[i], Slabs.offset(spans[i]), Slabs.length(spans[i]));
			s[q] = writer.slab();
			k[q] = kinds[i];
		}
		return new ChangeArrays(h, s, p, k, n);
	}

	/** Sorts changes collected in any order (see {@link #sortAndMerge(long[], byte[][], long[], byte[], int)}). */
	public static ChangeArrays sortAndMerge(ChangeArrays unsorted) {
		return sortAndMerge(unsorted.hashes, unsorted.slabs, unsorted.spans, unsorted.kinds, unsorted.size);
	}

	/** Grows changes. Not thread-safe. */
	public static final class Appender {

		private long[] hashes;

		private byte[][] slabs;

		private long[] spans;

		private byte[] kinds;

		private int size;

		public Appender(int capacity) {
			int c = Math.max(capacity, 4);
			this.hashes = new long[c];
			this.slabs = new byte[c][];
			this.spans = new long[c];
			this.kinds = new byte[c];
		}

		public void append(long hash, byte[] slab, long span, byte kind) {
			if (this.size == this.hashes.length) {
				int c = this.size * 2;
				this.hashes = Arrays.copyOf(this.hashes, c);
				this.slabs = Arrays.copyOf(this.slabs, c);
				this.spans = Arrays.copyOf(this.spans, c);
				this.kinds = Arrays.copyOf(this.kinds, c);
			}
			this.hashes[this.size] = hash;
			this.slabs[this.size] = slab;
			this.spans[this.size] = span;
			this.kinds[this.size] = kind;
			this.size++;
		}

		public int size() {
			return this.size;
		}

		public ChangeArrays build() {
			if (this.size == 0) {
				return EMPTY;
			}
			return new ChangeArrays(this.hashes, this.slabs, this.spans, this.kinds, this.size);
		}

	}

}
