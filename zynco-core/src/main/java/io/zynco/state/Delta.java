package io.zynco.state;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;

import io.zynco.state.internal.ChangeArrays;
import io.zynco.state.internal.EntryBlobs;
import io.zynco.state.internal.Parallel;
import io.zynco.state.internal.Slabs;

/**
 * The effective changes from one version of a state to the next, with the fingerprints that
 * make applying them safe: {@link #applyTo(Snapshot)} accepts only the exact base and returns
 * only a result whose root fingerprint is the promised target.
 *
 * <h2>Encoding</h2> All integers are big-endian; varints are unsigned LEB128 in their shortest
 * form.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   magic 0x5A594E44 ("ZYND")                   |
 * +---------------+---------------+---------------+---------------+
 * | format ver (1)|  flags (0)    | segment bits  | name length N |
 * +---------------+---------------+---------------+---------------+
 * |              state name, N bytes of UTF-8 ...                 |
 * +---------------------------------------------------------------+
 * |                     base version (8)                          |
 * |                     base root fingerprint (8)                 |
 * |                     target version (8)                        |
 * |                     target root fingerprint (8)               |
 * |                     target entry count (8)                    |
 * +---------------------------------------------------------------+
 * |                     change count C (4)                        |
 * +---------------------------------------------------------------+
 * |  C changes, in engine order (key hash, then key), keys unique:|
 * |    kind (1): 1 = PUT, 2 = REMOVE                              |
 * |    PUT:    varint L, then L bytes of entry:                   |
 * |              varint keyLength, key, value                     |
 * |    REMOVE: varint keyLength, then the key                     |
 * +---------------------------------------------------------------+
 * |                     CRC32C of all bytes above (4)             |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * A put costs its key and value plus 3 to 11 bytes; a remove its key plus 2 to 6. The CRC32C
 * trailer catches every corruption of up to 32 consecutive bits; the decoder also checks every
 * length against what is left before reading or allocating. Thread-safe (immutable).
 */
public final class Delta {

	/** The first four bytes of every encoded delta: "ZYND". */
	public static final int MAGIC = 0x5A594E44;

	/** The format version written and read by this code. */
	public static final byte FORMAT_VERSION = 1;

	private static final int FIXED_HEADER = 4 + 1 + 1 + 1 + 1 + 5 * 8 + 4;

	private static final int TRAILER = 4;

	/** Smallest possible encoding: the fixed header, an empty name, no change, the trailer. */
	public static final int MIN_ENCODED_LENGTH = FIXED_HEADER + TRAILER;

	private final String stateName;

	private final int segmentBits;

	private final long baseVersion;

	private final long baseRoot;

	private final long targetVersion;

	private final long targetRoot;

	private final long targetSize;

	private final ChangeSet changes;

	private Delta(String stateName, int segmentBits, long baseVersion, long baseRoot, long targetVersion,
			long targetRoot, long targetSize, ChangeSet changes) {
		this.stateName = StateType.checkName(stateName);
		this.segmentBits = segmentBits;
		this.baseVersion = baseVersion;
		this.baseRoot = baseRoot;
		this.targetVersion = targetVersion;
		this.targetRoot = targetRoot;
		this.targetSize = targetSize;
		this.changes = Objects.requireNonNull(changes, "changes");
		if (baseVersion < 0 || targetVersion <= baseVersion) {
			throw new IllegalArgumentException(
					"a delta goes from a version >= 0 to a later one, not " + baseVersion + " -> " + targetVersion);
		}
	}

	/**
	 * A delta from {@code base} to {@code target} carrying the given changes, which the caller
	 * vouches for (they came from an {@link Edit} or {@link Snapshot#diff}).
	 */
	public static Delta of(String stateName, long baseVersion, Snapshot base, long targetVersion, Snapshot target,
			ChangeSet changes) {
		base.requireSameShape(target);
		return new Delta(stateName, base.segmentBits(), baseVersion, base.rootFingerprint(), targetVersion,
				target.rootFingerprint(), target.size(), changes);
	}

	/** A delta from an edit: its effective changes, base and result. */
	public static Delta of(String stateName, long baseVersion, long targetVersion, Edit edit) {
		return of(stateName, baseVersion, edit.base(), targetVersion, edit.snapshot(), edit.changes());
	}

	/** A delta found by diffing two snapshots. */
	public static Delta diff(String stateName, long baseVersion, Snapshot base, long targetVersion,
			Snapshot target) {
		return of(stateName, baseVersion, base, targetVersion, target, base.diff(target));
	}

	public String stateName() {
		return this.stateName;
	}

	public int segmentBits() {
		return this.segmentBits;
	}

	public long baseVersion() {
		return this.baseVersion;
	}

	public long baseRoot() {
		return this.baseRoot;
	}

	public long targetVersion() {
		return this.targetVersion;
	}

	public long targetRoot() {
		return this.targetRoot;
	}

	public long targetSize() {
		return this.targetSize;
	}

	public ChangeSet changes() {
		return this.changes;
	}

	/**
	 * Applies the delta to its base.
	 * @return the target snapshot, sharing all unchanged structure with {@code base}
	 * @throws DeltaMismatchException if {@code base} is not this delta's base, or the result's
	 * root fingerprint is not the target's; nothing is returned then
	 */
	public Snapshot applyTo(Snapshot base) {
		return applyTo(base, null, 1);
	}

	/**
	 * {@link #applyTo(Snapshot)} with the segments applied in parallel by the caller and helper
	 * tasks of {@code executor} (see {@link Snapshot#apply(ChangeSet, Executor, int)}); the same
	 * checks, the same result.
	 * @param executor runs helpers; {@code null} to apply on the caller alone
	 * @param parallelism threads to use, the caller included
	 */
	public Snapshot applyTo(Snapshot base, Executor executor, int parallelism) {
		if (base.segmentBits() != this.segmentBits) {
			throw new DeltaMismatchException(DeltaMismatchException.Check.SEGMENTS, "delta for '" + this.stateName
					+ "' expects " + (1 << this.segmentBits) + " segments, base has " + base.segmentCount());
		}
		if (base.rootFingerprint() != this.baseRoot) {
			throw new DeltaMismatchException(DeltaMismatchException.Check.BASE_ROOT,
					"delta for '" + this.stateName + "' " + this.baseVersion + " -> " + this.targetVersion
							+ " expects base root " + Fingerprints.toHex(this.baseRoot) + " but the base has "
							+ Fingerprints.toHex(base.rootFingerprint()));
		}
		Snapshot result = base.apply(this.changes, executor, parallelism);
		if (result.rootFingerprint() != this.targetRoot || result.size() != this.targetSize) {
			throw new DeltaMismatchException(DeltaMismatchException.Check.TARGET_ROOT,
					"delta for '" + this.stateName + "' " + this.baseVersion + " -> " + this.targetVersion
							+ " promised root " + Fingerprints.toHex(this.targetRoot) + " with " + this.targetSize
							+ " entries but produced " + Fingerprints.toHex(result.rootFingerprint()) + " with "
							+ result.size());
		}
		return result;
	}

	// ---------------------------------------------------------------- encoding

	/** Exact length of {@link #encode()}'s result. */
	public int encodedLength() {
		long length = FIXED_HEADER + nameBytes().length + TRAILER;
		ChangeArrays arrays = this.changes.arrays();
		for (int i = 0; i < arrays.size(); i++) {
			length += 1 + changeBodyLength(arrays, i);
		}
		if (length > Integer.MAX_VALUE - 16) {
			throw new IllegalStateException("delta for '" + this.stateName + "' is too large to encode in one array ("
					+ length + " bytes); publish it in smaller edits");
		}
		return (int) length;
	}

	private static int changeBodyLength(ChangeArrays arrays, int i) {
		int length = arrays.length(i);
		if (arrays.isPut(i)) {
			return EntryBlobs.varintSize(length) + length;
		}
		return length; // a key-only entry is already varint(keyLength) | key
	}

	private byte[] nameBytes() {
		return this.stateName.getBytes(StandardCharsets.UTF_8);
	}

	/** The encoding described in the class documentation. */
	public byte[] encode() {
		return encode(null, 1);
	}

	/**
	 * {@link #encode()} with the changes measured and copied in parallel by the caller and
	 * helper tasks of {@code executor}; the same bytes.
	 * @param executor runs helpers; {@code null} to encode on the caller alone
	 * @param parallelism threads to use, the caller included
	 */
	public byte[] encode(Executor executor, int parallelism) {
		Encoding encoding = encoding(executor, parallelism);
		encoding.run(executor, parallelism);
		return encoding.bytes();
	}

	/**
	 * Starts encoding this delta so that its bytes can be sent while the rest is written: measures
	 * the changes (in parallel, as {@link #encode(Executor, int)} does), allocates the array of
	 * the encoded length and writes the header. {@link Encoding#run} then writes the changes
	 * and the trailer; {@link Encoding#written()} says, meanwhile, how many bytes from the
	 * start are final. The result is {@link #encode()}'s bytes.
	 * @param executor runs helpers; {@code null} to measure on the caller alone
	 * @param parallelism threads to use, the caller included
	 * @throws IllegalStateException if the delta is too large to encode in one array
	 */
	public Encoding encoding(Executor executor, int parallelism) {
		byte[] name = nameBytes();
		ChangeArrays arrays = this.changes.arrays();
		int n = arrays.size();
		// finer chunks than a decode's: a chunk's bytes become readable (sendable) when it and
		// every chunk before it are written
		int chunkSize = Math.max(DECODE_CHUNK, n / Math.max(1, 16 * parallelism) + 1);
		int chunks = (n + chunkSize - 1) / chunkSize;
		Executor helpers = (n >= 2 * DECODE_CHUNK) ? executor : null;
		long[] offsets = new long[chunks + 1];
		Parallel.forEachChunk(chunks, helpers, parallelism, (c) -> {
			long length = 0;
			for (int i = c * chunkSize, to = Math.min(n, (c + 1) * chunkSize); i < to; i++) {
				yieldEvery16(i);
				length += 1 + changeBodyLength(arrays, i);
			}
			offsets[c + 1] = length;
		});
		offsets[0] = FIXED_HEADER + name.length;
		for (int c = 1; c <= chunks; c++) {
			offsets[c] += offsets[c - 1];
		}
		long total = offsets[chunks] + TRAILER;
		if (total > Integer.MAX_VALUE - 16) {
			throw new IllegalStateException("delta for '" + this.stateName + "' is too large to encode in one array ("
					+ total + " bytes); publish it in smaller edits");
		}
		byte[] out = new byte[(int) total];
		ByteBuffer header = ByteBuffer.wrap(out);
		header.putInt(MAGIC)
			.put(FORMAT_VERSION)
			.put((byte) 0)
			.put((byte) this.segmentBits)
			.put((byte) name.length)
			.put(name)
			.putLong(this.baseVersion)
			.putLong(this.baseRoot)
			.putLong(this.targetVersion)
			.putLong(this.targetRoot)
			.putLong(this.targetSize)
			.putInt(this.changes.size());
		return new Encoding(arrays, out, offsets, chunkSize);
	}

	/**
	 * A delta being encoded into its array ({@link Delta#encoding}): {@link #run} writes the
	 * changes in chunks, in parallel, and then the trailer, while other threads may read the
	 * bytes that {@link #written()} says are final. A reader that reads {@code written()} and
	 * then the bytes below it sees them as they will stay (the count is a volatile write after
	 * the bytes). {@link #run} is called once; the other methods are thread-safe.
	 */
	public static final class Encoding {

		private final ChangeArrays arrays;

		private final byte[] bytes;

		/** Where each chunk's changes start; the last entry is where the trailer starts. */
		private final long[] offsets;

		private final int chunkSize;

		/** Chunks written; guarded by this. */
		private final boolean[] chunkDone;

		/** Chunks from the first that are all written; guarded by this. */
		private int prefixChunks;

		private volatile int written;

		private Encoding(ChangeArrays arrays, byte[] bytes, long[] offsets, int chunkSize) {
			this.arrays = arrays;
			this.bytes = bytes;
			this.offsets = offsets;
			this.chunkSize = chunkSize;
			this.chunkDone = new boolean[offsets.length - 1];
			this.written = (int) offsets[0]; // the header
		}

		/** The array the delta is written into: {@link #encode()}'s bytes once {@link #run} returned. */
		public byte[] bytes() {
			return this.bytes;
		}

		/** How many bytes from the start are final: the whole length once {@link #run} returned. */
		public int written() {
			return this.written;
		}

		/**
		 * Writes the changes, in chunks on the caller and on helper tasks of {@code executor},
		 * then the trailer's checksum; returns when every byte is written.
		 * @param executor runs helpers; {@code null} to write on the caller alone
		 * @param parallelism threads to use, the caller included
		 */
		public void run(Executor executor, int parallelism) {
			ChangeArrays arrays = this.arrays;
			int n = arrays.size();
			int chunkSize = this.chunkSize;
			byte[] out = this.bytes;
			Executor helpers = (n >= 2 * DECODE_CHUNK) ? executor : null;
			Parallel.forEachChunk(this.chunkDone.length, helpers, parallelism, (c) -> {
				int p = (int) this.offsets[c];
				for (int i = c * chunkSize, to = Math.min(n, (c + 1) * chunkSize); i < to; i++) {
					yieldEvery16(i);
					int length = arrays.length(i);
					out[p++] = arrays.kind(i);
					if (arrays.isPut(i)) {
						p = EntryBlobs.writeVarint(out, p, length);
					}
					System.arraycopy(arrays.slab(i), arrays.offset(i), out, p, length);
					p += length;
				}
				chunkWritten(c);
			});
			int p = (int) this.offsets[this.chunkDone.length];
			int crc = crc32c(out, 0, p);
			ByteBuffer.wrap(out, p, TRAILER).putInt(crc);
			this.written = out.length;
		}

		/** Marks chunk {@code c} written and moves {@link #written} past the chunks written from the first. */
		private synchronized void chunkWritten(int c) {
			this.chunkDone[c] = true;
			int prefix = this.prefixChunks;
			while (prefix < this.chunkDone.length && this.chunkDone[prefix]) {
				prefix++;
			}
			if (prefix != this.prefixChunks) {
				this.prefixChunks = prefix;
				this.written = (int) this.offsets[prefix];
			}
		}

	}

	/**
	 * A yield point on every 16th entry of a loop over entries: its step is too small (tens of
	 * nanoseconds) to pay the point's thread-local look-up each time.
	 */
	private static void yieldEvery16(int entry) {
		if ((entry & 15) == 0) {
			Yield.point();
		}
	}

	/** CRC32C of a range, a yield point between 64 KiB pieces (a large delta takes milliseconds). */
	private static int crc32c(byte[] bytes, int offset, int length) {
		CRC32C crc = new CRC32C();
		for (int p = offset, end = offset + length; p < end; p += CRC_PIECE) {
			Yield.point();
			crc.update(bytes, p, Math.min(CRC_PIECE, end - p));
		}
		return (int) crc.getValue();
	}

	private static final int CRC_PIECE = 64 * 1024;

	private static int chunkSize(int changes, int parallelism) {
		return Math.max(DECODE_CHUNK, changes / Math.max(1, 4 * parallelism) + 1);
	}

	/** Decodes a whole array; see {@link #decode(byte[], int, int)}. */
	public static Delta decode(byte[] bytes) {
		return decode(bytes, 0, bytes.length);
	}

	/**
	 * Decodes {@code bytes[offset, offset+length)}, checking the checksum, every field and
	 * every length before use. Nothing of the input is referenced afterwards: the range is
	 * copied once (see {@link #decodeOwned} to decode without the copy).
	 * @throws DeltaFormatException if the input is not a valid delta
	 */
	public static Delta decode(byte[] bytes, int offset, int length) {
		return decode(bytes, offset, length, null, 1);
	}

	/**
	 * {@link #decode(byte[], int, int)} with the entries hashed and order-checked in parallel by
	 * the caller and helper tasks of {@code executor}, once one sequential pass has checked
	 * every length. The same checks and the same result; when the input has several defects,
	 * the one reported may differ.
	 * @param executor runs helpers; {@code null} to decode on the caller alone
	 * @param parallelism threads to use, the caller included
	 */
	public static Delta decode(byte[] bytes, int offset, int length, Executor executor, int parallelism) {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		return decodeOwned(Arrays.copyOfRange(bytes, offset, offset + length), executor, parallelism);
	}

	/**
	 * {@link #decode(byte[], int, int, Executor, int)} of a whole array that the delta takes
	 * over: its entries stay where they are, and the snapshots built from it refer to them
	 * there, so decoding copies nothing. The caller must not modify the array afterwards. This
	 * is how a node decodes a transfer it has just received (the array is a slab of the
	 * engine, see {@code io.zynco.state.internal.Slabs}).
	 * @param executor runs helpers; {@code null} to decode on the caller alone
	 * @param parallelism threads to use, the caller included
	 * @throws DeltaFormatException if the input is not a valid delta
	 */
	public static Delta decodeOwned(byte[] bytes, Executor executor, int parallelism) {
		return decodeOwned(bytes, executor, parallelism, true);
	}

	/**
	 * {@link #decodeOwned} without computing the trailer's CRC32C, for bytes whose integrity
	 * the channel they came through has already established: a transfer whose every packet was
	 * authenticated (HMAC-SHA256 or AES-GCM) on arrival. Every field and length is checked as
	 * in {@link #decodeOwned}, and {@link #applyTo} checks the result's root against
	 * {@link #targetRoot()} whatever the checksum, so bytes changed in transit are still
	 * refused, only later: by the root rather than by the checksum. The CRC pass reads every
	 * byte once more, about 0.1 CPU-s per 544 MiB on this project's benchmark host.
	 * @param executor runs helpers; {@code null} to decode on the caller alone
	 * @param parallelism threads to use, the caller included
	 * @throws DeltaFormatException if the input is not a valid delta
	 */
	public static Delta decodeOwnedAuthenticated(byte[] bytes, Executor executor, int parallelism) {
		return decodeOwned(bytes, executor, parallelism, false);
	}

	private static Delta decodeOwned(byte[] bytes, Executor executor, int parallelism, boolean checksum) {
		Header header = parseHeader(bytes, checksum);
		int changeCount = header.changeCount;
		int end = bytes.length - TRAILER;
		// pass 1, sequential: every kind and length, so that pass 2 reads only checked ranges;
		// spans[i] is where change i's entry lies in the input
		byte[] kinds = new byte[changeCount];
		long[] spans = new long[changeCount];
		int[] cursor = new int[1];
		int p = header.changesStart;
		for (int i = 0; i < changeCount; i++) {
			yieldEvery16(i);
			p = parseChange(bytes, p, end, i, kinds, spans, cursor);
		}
		if (p != end) {
			throw reject(DeltaFormatException.Reason.TRAILING_BYTES,
					"delta has " + (end - p) + " bytes after its last change");
		}
		// pass 2, in chunks: hash each entry's key where it is, check the order inside the
		// chunk; then the order across chunk boundaries. The entries stay in the input, which
		// becomes their slab.
		long[] hashes = new long[changeCount];
		int chunkSize = chunkSize(changeCount, parallelism);
		int chunks = (changeCount + chunkSize - 1) / chunkSize;
		Parallel.forEachChunk(chunks, (changeCount >= 2 * DECODE_CHUNK) ? executor : null, parallelism, (c) -> {
			int from = c * chunkSize;
			int to = Math.min(changeCount, from + chunkSize);
			for (int i = from; i < to; i++) {
				yieldEvery16(i);
				hashes[i] = EntryBlobs.keyHash(bytes, Slabs.offset(spans[i]));
				if (i > from) {
					checkOrder(hashes, bytes, spans, i);
				}
			}
		});
		for (int c = 1; c < chunks; c++) {
			checkOrder(hashes, bytes, spans, c * chunkSize);
		}
		return header.delta(hashes, bytes, spans, kinds);
	}

	/**
	 * A decoder for a delta that arrives in order into the array it is decoded in: it parses
	 * each change as soon as the bytes before it and its own have arrived, hashing its key and
	 * checking its order as it goes, so that little is left when the last byte comes. This is
	 * how a node decodes a large transfer while its packets arrive. The result is
	 * {@link #decodeOwnedAuthenticated}'s, or {@link #decodeOwned}'s when {@link #finish} is
	 * asked for the checksum, and it takes the array over the same way; when the input has
	 * several defects, the one reported may differ.
	 * @param bytes the array the whole encoded delta is (being) written into; its length is the
	 * delta's
	 */
	public static StreamingDecoder streamingDecoder(byte[] bytes) {
		return new StreamingDecoder(bytes);
	}

	/**
	 * See {@link Delta#streamingDecoder}. Not thread-safe: one call at a time, and each
	 * {@link #advance} must happen after the bytes it is told about were written (a task
	 * handed to an executor after the write sees them). Bytes from {@code available} on may be
	 * written while it runs; bytes below it must not change any more.
	 */
	public static final class StreamingDecoder {

		/** A change's kind and two varints of at most 5 bytes: what is read before its size is known. */
		private static final int CHANGE_PREFIX = 11;

		private final byte[] bytes;

		private final int end;

		private final int[] cursor = new int[1];

		private Header header;

		private byte[] kinds;

		private long[] spans;

		private long[] hashes;

		private int parsed;

		private int position;

		private DeltaFormatException failure;

		private StreamingDecoder(byte[] bytes) {
			this.bytes = Objects.requireNonNull(bytes, "bytes");
			this.end = bytes.length - TRAILER;
		}

		/**
		 * Parses every change that lies wholly below {@code available}.
		 * @param available how many bytes from the start have arrived, at most the length
		 * @throws DeltaFormatException if what arrived is not the start of a valid delta; every
		 * later call throws it again
		 */
		public void advance(int available) {
			Objects.checkFromToIndex(0, available, this.bytes.length);
			if (this.failure != null) {
				throw this.failure;
			}
			try {
				parse(available);
			}
			catch (DeltaFormatException ex) {
				this.failure = ex;
				throw ex;
			}
		}

		/** Changes parsed so far. */
		public int parsedChanges() {
			return this.parsed;
		}

		/**
		 * The delta, once every byte has arrived: parses the rest and checks what
		 * {@link #decodeOwned} checks, the trailer's checksum only if asked.
		 * @throws DeltaFormatException if the input is not a valid delta
		 */
		public Delta finish(boolean checksum) {
			advance(this.bytes.length);
			if (this.position != this.end) {
				throw reject(DeltaFormatException.Reason.TRAILING_BYTES,
						"delta has " + (this.end - this.position) + " bytes after its last change");
			}
			if (checksum) {
				checkChecksum(this.bytes);
			}
			return this.header.delta(this.hashes, this.bytes, this.spans, this.kinds);
		}

		private void parse(int available) {
			boolean whole = available == this.bytes.length;
			if (this.header == null) {
				if (!whole && available < MAX_HEADER) {
					return;
				}
				this.header = parseHeader(this.bytes, false);
				int count = this.header.changeCount;
				this.kinds = new byte[count];
				this.spans = new long[count];
				this.hashes = new long[count];
				this.position = this.header.changesStart;
			}
			int count = this.header.changeCount;
			while (this.parsed < count) {
				int i = this.parsed;
				if (!whole && this.position + CHANGE_PREFIX > available) {
					return;
				}
				int next = parseChange(this.bytes, this.position, this.end, i, this.kinds, this.spans, this.cursor);
				if (!whole && next > available) {
					return; // not wholly here: parsed again, the same way, once it is
				}
				yieldEvery16(i);
				this.hashes[i] = EntryBlobs.keyHash(this.bytes, Slabs.offset(this.spans[i]));
				if (i > 0) {
					checkOrder(this.hashes, this.bytes, this.spans, i);
				}
				this.position = next;
				this.parsed = i + 1;
			}
		}

	}

	/** The fields before a delta's changes, checked. */
	private record Header(String name, int segmentBits, long baseVersion, long baseRoot, long targetVersion,
			long targetRoot, long targetSize, int changeCount, int changesStart) {

		/**
		 * The delta of these fields and changes in engine order, all of whose entries lie in
		 * {@code slab}.
		 * @throws DeltaFormatException if the fields and changes do not make a delta
		 */
		Delta delta(long[] hashes, byte[] slab, long[] spans, byte[] kinds) {
			byte[][] slabs = new byte[kinds.length][];
			Arrays.fill(slabs, slab);
			try {
				return new Delta(this.name, this.segmentBits, this.baseVersion, this.baseRoot, this.targetVersion,
						this.targetRoot, this.targetSize,
						new ChangeSet(ChangeArrays.ofSorted(hashes, slabs, spans, kinds)));
			}
			catch (IllegalArgumentException ex) {
				throw reject(DeltaFormatException.Reason.BAD_FIELD, ex.getMessage());
			}
		}

	}

	/** Longest header: the fixed fields and a state name of 255 bytes. */
	private static final int MAX_HEADER = FIXED_HEADER + 255;

	/**
	 * Checks length, magic, (if asked) the checksum and every header field of a whole encoded
	 * delta; its changes are not read.
	 */
	private static Header parseHeader(byte[] bytes, boolean checksum) {
		int length = bytes.length;
		if (length < MIN_ENCODED_LENGTH) {
			throw reject(DeltaFormatException.Reason.TRUNCATED,
					"delta of " + length + " bytes is shorter than the minimum " + MIN_ENCODED_LENGTH);
		}
		ByteBuffer in = ByteBuffer.wrap(bytes);
		if (in.getInt() != MAGIC) {
			throw reject(DeltaFormatException.Reason.BAD_MAGIC, "input does not start with the delta magic 0x5A594E44");
		}
		int end = length - TRAILER;
		if (checksum) {
			checkChecksum(bytes);
		}
		byte version = in.get();
		if (version != FORMAT_VERSION) {
			throw reject(DeltaFormatException.Reason.UNSUPPORTED_VERSION,
					"delta format version " + version + " is not supported (this node reads " + FORMAT_VERSION + ")");
		}
		byte flags = in.get();
		if (flags != 0) {
			throw reject(DeltaFormatException.Reason.BAD_FIELD, "delta flags must be 0 but were " + flags);
		}
		int segmentBits = in.get();
		if (segmentBits < 0 || segmentBits > io.zynco.state.internal.Trie.MAX_SEGMENT_BITS) {
			throw reject(DeltaFormatException.Reason.BAD_FIELD, "delta segment bits " + segmentBits + " out of range");
		}
		int nameLength = in.get() & 0xFF;
		if (nameLength > end - in.position() - (5 * 8 + 4)) {
			throw reject(DeltaFormatException.Reason.TRUNCATED, "delta state name length " + nameLength + " exceeds the input");
		}
		String name = decodeName(bytes, in.position(), nameLength);
		in.position(in.position() + nameLength);
		long baseVersion = in.getLong();
		long baseRoot = in.getLong();
		long targetVersion = in.getLong();
		long targetRoot = in.getLong();
		long targetSize = in.getLong();
		int changeCount = in.getInt();
		if (baseVersion < 0 || targetVersion <= baseVersion) {
			throw reject(DeltaFormatException.Reason.BAD_FIELD,
					"delta versions " + baseVersion + " -> " + targetVersion + " are not increasing");
		}
		if (targetSize < 0) {
			throw reject(DeltaFormatException.Reason.BAD_FIELD, "delta target entry count " + targetSize + " is negative");
		}
		int p = in.position();
		// each change takes at least 2 bytes (kind and a length)
		if (changeCount < 0 || changeCount > (end - p) / 2) {
			throw reject(DeltaFormatException.Reason.TRUNCATED,
					"delta announces " + Integer.toUnsignedString(changeCount) + " changes in " + (end - p) + " bytes");
		}
		return new Header(name, segmentBits, baseVersion, baseRoot, targetVersion, targetRoot, targetSize, changeCount,
				p);
	}

	private static void checkChecksum(byte[] bytes) {
		int end = bytes.length - TRAILER;
		if (crc32c(bytes, 0, end) != ByteBuffer.wrap(bytes, end, TRAILER).getInt()) {
			throw reject(DeltaFormatException.Reason.BAD_CHECKSUM, "delta checksum (CRC32C) does not match");
		}
	}

	/**
	 * Reads change {@code i} at {@code p}: its kind and lengths, checked against {@code end}
	 * (the start of the trailer); records kind and span.
	 * @return where the next change starts
	 */
	private static int parseChange(byte[] bytes, int p, int end, int i, byte[] kinds, long[] spans, int[] cursor) {
		if (p >= end) {
			throw reject(DeltaFormatException.Reason.TRUNCATED, "delta ends inside change " + i);
		}
		byte kind = bytes[p++];
		if (kind == ChangeArrays.PUT) {
			cursor[0] = p;
			int entryLength = readVarint(bytes, cursor, end, "entry length", i);
			p = cursor[0];
			if (entryLength > end - p) {
				throw reject(DeltaFormatException.Reason.TRUNCATED,
						"entry length " + entryLength + " of change " + i + " exceeds the input");
			}
			cursor[0] = p;
			int keyLength = readVarint(bytes, cursor, p + entryLength, "key length", i);
			int header = cursor[0] - p;
			if (keyLength > entryLength - header || keyLength > EntryBlobs.MAX_KEY_LENGTH) {
				throw reject(DeltaFormatException.Reason.BAD_FIELD,
						"key length " + keyLength + " of change " + i + " exceeds its entry");
			}
			spans[i] = Slabs.span(p, entryLength);
			p += entryLength;
		}
		else if (kind == ChangeArrays.REMOVE) {
			cursor[0] = p;
			int keyLength = readVarint(bytes, cursor, end, "key length", i);
			int header = cursor[0] - p;
			if (keyLength > end - cursor[0] || keyLength > EntryBlobs.MAX_KEY_LENGTH) {
				throw reject(DeltaFormatException.Reason.TRUNCATED,
						"key length " + keyLength + " of change " + i + " exceeds the input");
			}
			spans[i] = Slabs.span(p, header + keyLength);
			p += header + keyLength;
		}
		else {
			throw reject(DeltaFormatException.Reason.BAD_FIELD, "change " + i + " has unknown kind " + kind);
		}
		kinds[i] = kind;
		return p;
	}

	/**
	 * Least changes per chunk of a parallel encode or decode; fewer than two chunks' worth are
	 * done on the caller alone.
	 */
	private static final int DECODE_CHUNK = 4096;

	private static void checkOrder(long[] hashes, byte[] bytes, long[] spans, int i) {
		if (EntryBlobs.compare(hashes[i - 1], bytes, Slabs.offset(spans[i - 1]), hashes[i], bytes,
				Slabs.offset(spans[i])) >= 0) {
			throw reject(DeltaFormatException.Reason.BAD_ORDER, "delta change " + i
					+ " is out of order or repeats a key (changes must be sorted by key hash, then key, each key once)");
		}
	}

	private static String decodeName(byte[] bytes, int offset, int length) {
		try {
			String name = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes, offset, length))
				.toString();
			return StateType.checkName(name);
		}
		catch (CharacterCodingException | IllegalArgumentException ex) {
			throw reject(DeltaFormatException.Reason.BAD_FIELD, "delta state name is not a valid name");
		}
	}

	/**
	 * Reads a shortest-form varint of at most 5 bytes from below {@code limit}: the field
	 * {@code what} of change {@code change}. The message naming them is built only on a
	 * rejection: this runs twice per entry, and building it every time took 40% of a
	 * receiver's decode (string concatenation in a JFR profile of the replication benchmark).
	 */
	private static int readVarint(byte[] bytes, int[] cursor, int limit, String what, int change) {
		int p = cursor[0];
		int result = 0;
		for (int shift = 0; shift < 35; shift += 7) {
			if (p >= limit) {
				throw reject(DeltaFormatException.Reason.TRUNCATED,
						"delta ends inside the " + what + " of change " + change);
			}
			int b = bytes[p++];
			result |= (b & 0x7F) << shift;
			if (b >= 0) {
				if (result < 0 || EntryBlobs.varintSize(result) != p - cursor[0]) {
					throw reject(DeltaFormatException.Reason.BAD_FIELD,
							"the " + what + " of change " + change + " is not a valid varint");
				}
				cursor[0] = p;
				return result;
			}
		}
		throw reject(DeltaFormatException.Reason.BAD_FIELD,
				"the " + what + " of change " + change + " is longer than 5 bytes");
	}

	private static DeltaFormatException reject(DeltaFormatException.Reason reason, String message) {
		return new DeltaFormatException(reason, message);
	}

	@Override
	public String toString() {
		return "Delta[" + this.stateName + " " + this.baseVersion + " -> " + this.targetVersion + ", " + this.changes
				+ "]";
	}

}
