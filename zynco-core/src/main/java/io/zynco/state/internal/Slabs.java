package io.zynco.state.internal;

/**
 * Where entries live: large byte arrays ("slabs") holding many entries one after another, each
 * entry in its {@link EntryBlobs} form. A trie leaf refers to an entry by the slab's reference
 * and a <em>span</em>, its offset and length packed into one {@code long}; so a snapshot of
 * millions of entries holds a few hundred arrays instead of one per entry.
 *
 * <p>Why: one array per entry cost the receivers of a transfer an allocation, a zeroing and a
 * copy per entry, and the young collector copied the millions of live arrays again (session 6
 * measured decode and apply at 0.58 s per 544 MiB, of which hashing was 0.12 s; docs/benchmarks.md).
 * A slab of {@value #SLAB_BYTES} bytes or more is a humongous object in G1 for heaps up to
 * 16 GiB, allocated in the old generation and never copied by a young collection.
 *
 * <p>Lifetime is the collector's: a leaf holds its entries' slabs by reference, so a slab lives
 * exactly as long as some retained version points into it. The price is waste: a slab stays
 * whole while any of its entries is live. {@link Compaction} bounds it. A decoded delta keeps
 * its transfer buffer as the slab of its entries (no copy at all), with the same rule.
 * Stateless and thread-safe; the writers are not thread-safe.
 */
public final class Slabs {

	/** The size of a full slab; a slab is smaller when less remains to be written. */
	public static final int SLAB_BYTES = 4 << 20;

	private Slabs() {
	}

	/** A span: an entry's offset in its slab and its length. */
	public static long span(int offset, int length) {
		return ((long) offset << 32) | (length & 0xFFFFFFFFL);
	}

	public static int offset(long span) {
		return (int) (span >>> 32);
	}

	public static int length(long span) {
		return (int) span;
	}

	/**
	 * Writes a known number of bytes of entries into slabs sized to fit: no slab is larger
	 * than what is left to write, so a small edit allocates what it needs and no more. An
	 * entry never straddles two slabs; an entry larger than {@link #SLAB_BYTES} gets an array
	 * of its own.
	 */
	public static final class Writer {

		private long remaining;

		private byte[] slab;

		private int position;

		private long unused;

		public Writer(long totalBytes) {
			if (totalBytes < 0) {
				throw new IllegalArgumentException("total bytes must be >= 0 but was " + totalBytes);
			}
			this.remaining = totalBytes;
		}

		/**
		 * Copies an entry into the current slab (starting a new one when it does not fit).
		 * @return the entry's span in {@link #slab()}
		 */
		public long copy(byte[] source, int offset, int length) {
			int at = reserve(length);
			System.arraycopy(source, offset, this.slab, at, length);
			return span(at, length);
		}

		/** Reserves room for an entry of {@code length} bytes; returns its offset in {@link #slab()}. */
		public int reserve(int length) {
			if (length > this.remaining) {
				throw new IllegalStateException(
						"writing " + length + " bytes but only " + this.remaining + " were announced");
			}
			if (this.slab == null || this.slab.length - this.position < length) {
				if (this.slab != null) {
					this.unused += this.slab.length - this.position;
				}
				int size = (length > SLAB_BYTES) ? length : (int) Math.min(this.remaining, SLAB_BYTES);
				this.slab = new byte[size];
				this.position = 0;
			}
			int at = this.position;
			this.position += length;
			this.remaining -= length;
			return at;
		}

		/** The slab the last entry went into. */
		public byte[] slab() {
			return this.slab;
		}

		/** Bytes allocated and not written, so far: the tails of slabs an entry did not fit. */
		public long unusedBytes() {
			return this.unused + ((this.slab != null) ? this.slab.length - this.position : 0);
		}

	}

	/**
	 * Writes entries of unknown total into slabs that grow from {@value #FIRST_STAGING_BYTES}
	 * bytes to {@link #SLAB_BYTES}: for builders that collect entries before sorting them.
	 * At most half of the bytes allocated are unused (the last slab's tail).
	 */
	public static final class Stager {

		private int nextSize = FIRST_STAGING_BYTES;

		private byte[] slab;

		private int position;

		/**
		 * Writes {@code varint(keyLength) | key | value} (see {@link EntryBlobs}).
		 * @return the entry's span in {@link #slab()}
		 */
		public long entry(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength) {
			EntryBlobs.checkKeyLength(keyLength);
			int header = EntryBlobs.varintSize(keyLength);
			long length = (long) header + keyLength + valueLength;
			if (length > Integer.MAX_VALUE - 16) {
				throw new IllegalArgumentException("an entry of " + length + " bytes does not fit in one array");
			}
			int at = reserve((int) length);
			EntryBlobs.writeVarint(this.slab, at, keyLength);
			System.arraycopy(key, keyOffset, this.slab, at + header, keyLength);
			System.arraycopy(value, valueOffset, this.slab, at + header + keyLength, valueLength);
			return span(at, (int) length);
		}

		private int reserve(int length) {
			if (this.slab == null || this.slab.length - this.position < length) {
				this.slab = new byte[Math.max(length, this.nextSize)];
				this.position = 0;
				this.nextSize = Math.min(SLAB_BYTES, this.nextSize * 2);
			}
			int at = this.position;
			this.position += length;
			return at;
		}

		/** The slab the last entry went into. */
		public byte[] slab() {
			return this.slab;
		}

	}

	private static final int FIRST_STAGING_BYTES = 4096;

}
