package io.zynco.blob;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;

import io.zynco.blob.BlobDeltaException.Reason;
import io.zynco.blob.internal.BlobDeltaFormat;
import io.zynco.blob.internal.Fingerprints;

/**
 * The change from one {@link BlobSnapshot} (the base) to another (the target): the target's
 * chunk list (fingerprint and length of each chunk) plus the bytes of only those chunks that the
 * base does not hold (each such chunk once, even if the target repeats it), and the base and
 * target root fingerprints.
 *
 * <p>{@link #apply(BlobSnapshot)} checks the base root before it starts and the recomputed target
 * root and size when it is done; it returns the target or throws {@link BlobDeltaException},
 * never wrong content.
 *
 * <h2>Encoding</h2> {@link #encode()} writes, and {@link #decode(byte[])} reads, format version 1.
 * All integers are big-endian and signed.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Magic 0x5A594244 ("ZYBD")                   |  0
 *  +---------------+---------------+-------------------------------+
 *  |  Version = 1  |   Flags = 0   |         Reserved = 0          |  4
 *  +---------------+---------------+-------------------------------+
 *  |                      Min chunk size (int)                     |  8
 *  +---------------------------------------------------------------+
 *  |                      Avg chunk size (int)                     |  12
 *  +---------------------------------------------------------------+
 *  |                      Max chunk size (int)                     |  16
 *  +---------------------------------------------------------------+
 *  |                      Chunk count N (int)                      |  20
 *  +---------------------------------------------------------------+
 *  |                  Base root fingerprint (long)                 |  24
 *  +---------------------------------------------------------------+
 *  |                 Target root fingerprint (long)                |  32
 *  +---------------------------------------------------------------+
 *  |                  Target size in bytes (long)                  |  40
 *  +---------------------------------------------------------------+
 *  |                  Literal byte count L (long)                  |  48
 *  +---------------------------------------------------------------+
 *  |  Chunk table: N entries of 13 bytes, in target order:         |  56
 *  |    +--------------------+--------------+------------+         |
 *  |    | Fingerprint (long) | Length (int) | Source (1) |         |
 *  |    +--------------------+--------------+------------+         |
 *  |    Source 0 = known: in the base or an earlier literal        |
 *  |    Source 1 = literal: its bytes are in the literal section   |
 *  +---------------------------------------------------------------+
 *  |  Literal section: L bytes, the literal chunks in table order  |  56 + 13 N
 *  +---------------------------------------------------------------+
 *  |              CRC32C of every byte before it (int)             |  56 + 13 N + L
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The total length is exactly {@code 60 + 13 N + L}. The decoder checks, in order: that the
 * magic and version can be read and are right; that the declared total length equals the actual
 * length; the CRC32C (which detects every single-byte corruption and every burst of up to 32
 * bits); and then every field: flags and reserved are zero, the chunk sizes are valid
 * {@link FastCdc} parameters, each chunk length is in {@code [1, max]}, each source is 0 or 1, the
 * literal lengths add up to L, the chunk lengths add up to the target size, and each literal's
 * bytes have its fingerprint. No array is allocated before the length that sizes it has been
 * checked against the bytes actually present, so a hostile length cannot exhaust memory.
 *
 * <p>Immutable and thread-safe. A delta shares the literal chunks' byte arrays with the target
 * snapshot it was made from, and a snapshot made by {@code apply} shares them with the delta.
 */
public final class BlobDelta {

	private final FastCdc chunker;
	private final long baseRoot;
	private final long targetRoot;
	private final long targetSize;
	private final long[] fingerprints;
	private final int[] lengths;
	/** {@code literals[i]} holds chunk {@code i}'s bytes if the base lacks it, else null. */
	private final byte[][] literals;
	private final int literalCount;
	private final long literalBytes;

	private BlobDelta(BlobDeltaFormat.Parts parts) {
		this.chunker = parts.chunker();
		this.baseRoot = parts.baseRoot();
		this.targetRoot = parts.targetRoot();
		this.targetSize = parts.targetSize();
		this.fingerprints = parts.fingerprints();
		this.lengths = parts.lengths();
		this.literals = parts.literals();
		int count = 0;
		long bytes = 0;
		for (byte[] literal : literals) {
			if (literal != null) {
				count++;
				bytes += literal.length;
			}
		}
		this.literalCount = count;
		this.literalBytes = bytes;
	}

	/** Returns the delta that turns {@code base} into {@code target}. */
	public static BlobDelta between(BlobSnapshot base, BlobSnapshot target) {
		Objects.requireNonNull(base, "base");
		Objects.requireNonNull(target, "target");
		Map<Long, byte[]> known = base.index();
		int count = target.chunkCount();
		long[] fingerprints = new long[count];
		int[] lengths = new int[count];
		byte[][] literals = new byte[count][];
		for (int i = 0; i < count; i++) {
			long fingerprint = target.chunkFingerprint(i);
			byte[] bytes = target.chunkBytes(i);
			fingerprints[i] = fingerprint;
			lengths[i] = bytes.length;
			byte[] existing = known.get(fingerprint);
			if (existing == null || existing.length != bytes.length) {
				literals[i] = bytes;
				known.put(fingerprint, bytes);
			}
		}
		return new BlobDelta(new BlobDeltaFormat.Parts(target.chunker(), base.rootFingerprint(),
				target.rootFingerprint(), target.size(), fingerprints, lengths, literals));
	}

	/**
	 * Decodes a delta from {@code encoded}, which must hold exactly one encoding.
	 *
	 * @throws BlobDeltaException if the encoding is truncated, corrupted or inconsistent
	 */
	public static BlobDelta decode(byte[] encoded) {
		return decode(ByteBuffer.wrap(encoded));
	}

	/**
	 * Decodes a delta from {@code encoded[offset, offset + length)}, which must hold exactly one
	 * encoding.
	 *
	 * @throws BlobDeltaException if the encoding is truncated, corrupted or inconsistent
	 * @throws IndexOutOfBoundsException if the range is not within {@code encoded}
	 */
	public static BlobDelta decode(byte[] encoded, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, encoded.length);
		return decode(ByteBuffer.wrap(encoded, offset, length));
	}

	/**
	 * Decodes a delta from the bytes between {@code encoded}'s position and limit, which must hold
	 * exactly one encoding; the buffer's position, limit and mark are not changed.
	 *
	 * @throws BlobDeltaException if the encoding is truncated, corrupted or inconsistent
	 */
	public static BlobDelta decode(ByteBuffer encoded) {
		return new BlobDelta(BlobDeltaFormat.decode(encoded));
	}

	/**
	 * Returns the target snapshot: the base's chunks that the target keeps (shared, not copied)
	 * and this delta's literal chunks, in the target's order. The target root is recomputed from
	 * the result's chunks (each literal chunk hashed again, each base chunk with the fingerprint
	 * the base computed from its bytes) and compared with {@link #targetRoot()}.
	 *
	 * @throws BlobDeltaException with {@link Reason#BASE_MISMATCH} if {@code base}'s root is not
	 *     this delta's base root, {@link Reason#MALFORMED} if the delta names a known chunk that
	 *     the base does not hold, or {@link Reason#TARGET_MISMATCH} if the result does not have
	 *     the target root and size
	 */
	public BlobSnapshot apply(BlobSnapshot base) {
		Objects.requireNonNull(base, "base");
		if (base.rootFingerprint() != baseRoot) {
			throw new BlobDeltaException(Reason.BASE_MISMATCH, String.format(
					"blob delta expects a base with root %016x but was applied to one with root %016x",
					baseRoot, base.rootFingerprint()));
		}
		Map<Long, byte[]> known = base.index();
		int count = fingerprints.length;
		byte[][] chunks = new byte[count][];
		for (int i = 0; i < count; i++) {
			byte[] bytes = literals[i];
			if (bytes != null) {
				known.putIfAbsent(fingerprints[i], bytes);
			} else {
				bytes = known.get(fingerprints[i]);
				if (bytes == null || bytes.length != lengths[i]) {
					throw new BlobDeltaException(Reason.MALFORMED, String.format(
							"blob delta chunk %d (fingerprint %016x, %d bytes) is marked known but neither "
									+ "the base nor an earlier literal chunk holds it", i, fingerprints[i], lengths[i]));
				}
			}
			chunks[i] = bytes;
		}
		// The root is computed from the assembled content: each literal chunk is hashed again; a base
		// chunk keeps the fingerprint the (verified, immutable) base computed from the same array.
		long[] chunkFingerprints = new long[count];
		for (int i = 0; i < count; i++) {
			chunkFingerprints[i] = literals[i] != null ? Fingerprints.chunk(chunks[i]) : fingerprints[i];
		}
		BlobSnapshot target = new BlobSnapshot(chunker, chunks, chunkFingerprints);
		if (target.rootFingerprint() != targetRoot || target.size() != targetSize) {
			throw new BlobDeltaException(Reason.TARGET_MISMATCH, String.format(
					"blob delta produced root %016x and %d bytes, expected root %016x and %d bytes",
					target.rootFingerprint(), target.size(), targetRoot, targetSize));
		}
		return target;
	}

	/** Returns the root fingerprint of the snapshot this delta applies to. */
	public long baseRoot() {
		return baseRoot;
	}

	/** Returns the root fingerprint of the snapshot this delta produces. */
	public long targetRoot() {
		return targetRoot;
	}

	/** Returns the size in bytes of the snapshot this delta produces. */
	public long targetSize() {
		return targetSize;
	}

	/** Returns the chunker of the target, which the snapshot made by {@link #apply} keeps. */
	public FastCdc chunker() {
		return chunker;
	}

	/** Returns the number of chunks of the target. */
	public int chunkCount() {
		return fingerprints.length;
	}

	/** Returns the number of chunks whose bytes the delta carries. */
	public int literalChunkCount() {
		return literalCount;
	}

	/** Returns the number of chunk bytes the delta carries. */
	public long literalBytes() {
		return literalBytes;
	}

	/** Returns the length in bytes of {@link #encode()}'s result. */
	public long encodedSize() {
		return BlobDeltaFormat.MIN_ENCODED_LENGTH + (long) BlobDeltaFormat.ENTRY_LENGTH * fingerprints.length
				+ literalBytes;
	}

	/**
	 * Returns the binary encoding of this delta.
	 *
	 * @throws IllegalStateException if the encoding would not fit in one array (about 2 GiB)
	 */
	public byte[] encode() {
		return BlobDeltaFormat.encode(parts());
	}

	private BlobDeltaFormat.Parts parts() {
		return new BlobDeltaFormat.Parts(chunker, baseRoot, targetRoot, targetSize, fingerprints, lengths, literals);
	}

	@Override
	public String toString() {
		return String.format("BlobDelta[base=%016x, target=%016x, targetSize=%d, chunks=%d, literalChunks=%d, "
				+ "literalBytes=%d]", baseRoot, targetRoot, targetSize, fingerprints.length, literalCount, literalBytes);
	}
}
