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
		byte[] name = nameBytes();
		ChangeArrays arrays = this.changes.arrays();
		int n = arrays.size();
		int chunkSize = chunkSize(n, parallelism);
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
		Parallel.forEachChunk(chunks, helpers, parallelism, (c) -> {
			int p = (int) offsets[c];
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
		});
		int p = (int) offsets[chunks];
		int crc = crc32c(out, 0, p);
		ByteBuffer.wrap(out, p, TRAILER).putInt(crc);
		return out;
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
		if (checksum && crc32c(bytes, 0, end) != ByteBuffer.wrap(bytes, end, TRAILER).getInt()) {
			throw reject(DeltaFormatException.Reason.BAD_CHECKSUM, "delta checksum (CRC32C) does not match");
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
		// pass 1, sequential: every kind and length, so that pass 2 reads only checked ranges;
		// spans[i] is where change i's entry lies in the input
		byte[] kinds = new byte[changeCount];
		long[] spans = new long[changeCount];
		int[] cursor = new int[1];
		for (int i = 0; i < changeCount; i++) {
			yieldEvery16(i);
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
		byte[][] slabs = new byte[changeCount][];
		Arrays.fill(slabs, bytes);
		try {
			return new Delta(name, segmentBits, baseVersion, baseRoot, targetVersion, targetRoot, targetSize,
					new ChangeSet(ChangeArrays.ofSorted(hashes, slabs, spans, kinds)));
		}
		catch (IllegalArgumentException ex) {
			throw reject(DeltaFormatException.Reason.BAD_FIELD, ex.getMessage());
		}
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
