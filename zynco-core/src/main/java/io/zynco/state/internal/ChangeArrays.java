package io.zynco.state.internal;

import java.util.Arrays;

/**
 * Changes in engine order (unsigned key hash, then key bytes), each at most once: parallel
 * arrays of key hash, blob and kind. A put carries a full entry blob; a remove carries a
 * key-only blob. Immutable once built; thread-safe then.
 */
public final class ChangeArrays {

	public static final byte PUT = 1;

	public static final byte REMOVE = 2;

	public static final ChangeArrays EMPTY = new ChangeArrays(new long[0], new byte[0][], new byte[0], 0);

	final long[] hashes;

	final byte[][] blobs;

	final byte[] kinds;

	final int size;

	ChangeArrays(long[] hashes, byte[][] blobs, byte[] kinds, int size) {
		this.hashes = hashes;
		this.blobs = blobs;
		this.kinds = kinds;
		this.size = size;
	}

	/**
	 * Changes over exactly these arrays (owned from now on), which the caller has checked to
	 * be in engine order, each key once.
	 */
	public static ChangeArrays ofSorted(long[] hashes, byte[][] blobs, byte[] kinds) {
		if (hashes.length != blobs.length || hashes.length != kinds.length) {
			throw new IllegalArgumentException("parallel arrays of different lengths");
		}
		return (hashes.length == 0) ? EMPTY : new ChangeArrays(hashes, blobs, kinds, hashes.length);
	}

	public int size() {
		return this.size;
	}

	public long hash(int index) {
		return this.hashes[index];
	}

	public byte[] blob(int index) {
		return this.blobs[index];
	}

	public byte kind(int index) {
		return this.kinds[index];
	}

	public boolean isPut(int index) {
		return this.kinds[index] == PUT;
	}

	/**
	 * Sorts unordered changes into engine order. Where a key appears more than once the last
	 * occurrence wins.
	 */
	public static ChangeArrays sortAndMerge(long[] hashes, byte[][] blobs, byte[] kinds, int size) {
		int[] order = new int[size];
		for (int i = 0; i < size; i++) {
			order[i] = i;
		}
		Sorting.sort(order, hashes, blobs);
		Appender out = new Appender(size);
		for (int k = 0; k < size; k++) {
			int i = order[k];
			// with a stable order, the last of a run of equal keys wins
			if (k + 1 < size) {
				int next = order[k + 1];
				if (hashes[next] == hashes[i] && EntryBlobs.compareKeys(blobs[next], blobs[i]) == 0) {
					continue;
				}
			}
			out.append(hashes[i], blobs[i], kinds[i]);
		}
		return out.build();
	}

	/** Sorts changes collected in any order (see {@link #sortAndMerge(long[], byte[][], byte[], int)}). */
	public static ChangeArrays sortAndMerge(ChangeArrays unsorted) {
		return sortAndMerge(unsorted.hashes, unsorted.blobs, unsorted.kinds, unsorted.size);
	}

	/** Grows changes that arrive already in engine order. Not thread-safe. */
	public static final class Appender {

		private long[] hashes;

		private byte[][] blobs;

		private byte[] kinds;

		private int size;

		public Appender(int capacity) {
			int c = Math.max(capacity, 4);
			this.hashes = new long[c];
			this.blobs = new byte[c][];
			this.kinds = new byte[c];
		}

		public void append(long hash, byte[] blob, byte kind) {
			if (this.size == this.hashes.length) {
				int c = this.size * 2;
				this.hashes = Arrays.copyOf(this.hashes, c);
				this.blobs = Arrays.copyOf(this.blobs, c);
				this.kinds = Arrays.copyOf(this.kinds, c);
			}
			this.hashes[this.size] = hash;
			this.blobs[this.size] = blob;
			this.kinds[this.size] = kind;
			this.size++;
		}

		/**
		 * Appends a change that must sort strictly after the last one.
		 * @throws IllegalArgumentException if it does not
		 */
		public void appendStrict(long hash, byte[] blob, byte kind) {
			if (this.size > 0 && EntryBlobs.compare(this.hashes[this.size - 1], this.blobs[this.size - 1], hash,
					blob) >= 0) {
				throw new IllegalArgumentException(
						"change " + this.size + " is out of order or repeats a key (changes must be sorted by key hash, then key, each key once)");
			}
			append(hash, blob, kind);
		}

		public int size() {
			return this.size;
		}

		public ChangeArrays build() {
			if (this.size == 0) {
				return EMPTY;
			}
			return new ChangeArrays(this.hashes, this.blobs, this.kinds, this.size);
		}

	}

}
