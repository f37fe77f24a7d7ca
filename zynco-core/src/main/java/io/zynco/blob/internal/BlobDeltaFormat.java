package io.zynco.blob.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import io.zynco.blob.BlobDeltaException.Reason;
import io.zynco.blob.BlobDeltaException;
import io.zynco.blob.FastCdc;

/**
 * Encoder and decoder of the blob delta binary format, version 1, whose layout and checks are
 * described in the class Javadoc of {@link io.zynco.blob.BlobDelta}; this class holds the
 * layout's named offsets and lengths.
 *
 * <p>Thread-safe: stateless.
 */
public final class BlobDeltaFormat {

	/** Magic number: the ASCII bytes {@code "ZYBD"}. */
	public static final int MAGIC = 0x5A594244;
	/** Format version written and read by this class. */
	public static final byte VERSION = 1;

	public static final int MAGIC_OFFSET = 0;
	public static final int VERSION_OFFSET = 4;
	public static final int FLAGS_OFFSET = 5;
	public static final int RESERVED_OFFSET = 6;
	public static final int MIN_SIZE_OFFSET = 8;
	public static final int AVG_SIZE_OFFSET = 12;
	public static final int MAX_SIZE_OFFSET = 16;
	public static final int CHUNK_COUNT_OFFSET = 20;
	public static final int BASE_ROOT_OFFSET = 24;
	public static final int TARGET_ROOT_OFFSET = 32;
	public static final int TARGET_SIZE_OFFSET = 40;
	public static final int LITERAL_BYTES_OFFSET = 48;
	/** Length of the fixed header; the chunk table starts here. */
	public static final int HEADER_LENGTH = 56;

	/** Length of one chunk table entry: fingerprint (8), length (4), source (1). */
	public static final int ENTRY_LENGTH = 13;
	public static final int ENTRY_FINGERPRINT_OFFSET = 0;
	public static final int ENTRY_LENGTH_OFFSET = 8;
	public static final int ENTRY_SOURCE_OFFSET = 12;
	public static final byte SOURCE_KNOWN = 0;
	public static final byte SOURCE_LITERAL = 1;

	/** Length of the trailing CRC32C. */
	public static final int CHECKSUM_LENGTH = 4;
	/** Length of the encoding of a delta with no chunk. */
	public static final int MIN_ENCODED_LENGTH = HEADER_LENGTH + CHECKSUM_LENGTH;

	/** Largest array the JVMs in use reliably allocate. */
	private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

	/**
	 * The content of a delta. {@code literals[i]} is null for a known chunk and holds the chunk's
	 * bytes for a literal one; the arrays are shared, not copied, and must not be modified.
	 */
	public record Parts(FastCdc chunker, long baseRoot, long targetRoot, long targetSize,
			long[] fingerprints, int[] lengths, byte[][] literals) {
	}

	private BlobDeltaFormat() {
	}

	/** Returns the length of the encoding of {@code parts}. */
	public static long encodedLength(Parts parts) {
		long literalBytes = 0;
		for (byte[] literal : parts.literals()) {
			if (literal != null) {
				literalBytes += literal.length;
			}
		}
		return MIN_ENCODED_LENGTH + (long) ENTRY_LENGTH * parts.fingerprints().length + literalBytes;
	}

	/**
	 * Encodes {@code parts}.
	 *
	 * @throws IllegalStateException if the encoding would not fit in one array
	 */
	public static byte[] encode(Parts parts) {
		long length = encodedLength(parts);
		if (length > MAX_ARRAY_LENGTH) {
			throw new IllegalStateException("blob delta encoding of " + length
					+ " bytes does not fit in one array; send a snapshot instead");
		}
		long[] fingerprints = parts.fingerprints();
		int[] lengths = parts.lengths();
		byte[][] literals = parts.literals();
		int count = fingerprints.length;
		byte[] out = new byte[(int) length];
		ByteBuffer buffer = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
		buffer.putInt(MAGIC_OFFSET, MAGIC)
				.put(VERSION_OFFSET, VERSION)
				.put(FLAGS_OFFSET, (byte) 0)
				.putShort(RESERVED_OFFSET, (short) 0)
				.putInt(MIN_SIZE_OFFSET, parts.chunker().minSize())
				.putInt(AVG_SIZE_OFFSET, parts.chunker().avgSize())
				.putInt(MAX_SIZE_OFFSET, parts.chunker().maxSize())
				.putInt(CHUNK_COUNT_OFFSET, count)
				.putLong(BASE_ROOT_OFFSET, parts.baseRoot())
				.putLong(TARGET_ROOT_OFFSET, parts.targetRoot())
				.putLong(TARGET_SIZE_OFFSET, parts.targetSize())
				.putLong(LITERAL_BYTES_OFFSET, length - MIN_ENCODED_LENGTH - (long) ENTRY_LENGTH * count);
		int entry = HEADER_LENGTH;
		int literal = HEADER_LENGTH + ENTRY_LENGTH * count;
		for (int i = 0; i < count; i++) {
			buffer.putLong(entry + ENTRY_FINGERPRINT_OFFSET, fingerprints[i])
					.putInt(entry + ENTRY_LENGTH_OFFSET, lengths[i])
					.put(entry + ENTRY_SOURCE_OFFSET, literals[i] == null ? SOURCE_KNOWN : SOURCE_LITERAL);
			entry += ENTRY_LENGTH;
			if (literals[i] != null) {
				System.arraycopy(literals[i], 0, out, literal, literals[i].length);
				literal += literals[i].length;
			}
		}
		CRC32C crc = new CRC32C();
		crc.update(out, 0, out.length - CHECKSUM_LENGTH);
		buffer.putInt(out.length - CHECKSUM_LENGTH, (int) crc.getValue());
		return out;
	}

	/**
	 * Decodes the bytes from {@code encoded}'s position to its limit, which must hold exactly one
	 * encoding. The buffer's position, limit and mark are not changed; literal chunks are copied
	 * out of it.
	 *
	 * @throws BlobDeltaException if the encoding is truncated, corrupted or inconsistent
	 */
	public static Parts decode(ByteBuffer encoded) {
		ByteBuffer in = encoded.slice().order(ByteOrder.BIG_ENDIAN);
		int length = in.remaining();
		if (length < VERSION_OFFSET) {
			throw new BlobDeltaException(Reason.TRUNCATED, "blob delta encoding has " + length
					+ " bytes, too few for its magic number");
		}
		int magic = in.getInt(MAGIC_OFFSET);
		if (magic != MAGIC) {
			throw new BlobDeltaException(Reason.BAD_MAGIC, String.format(
					"blob delta encoding starts with 0x%08X, expected magic 0x%08X", magic, MAGIC));
		}
		if (length <= VERSION_OFFSET) {
			throw new BlobDeltaException(Reason.TRUNCATED, "blob delta encoding has " + length
					+ " bytes, too few for its format version");
		}
		int version = in.get(VERSION_OFFSET) & 0xFF;
		if (version != VERSION) {
			throw new BlobDeltaException(Reason.UNSUPPORTED_VERSION, "blob delta format version "
					+ version + " is not supported; this node reads version " + VERSION);
		}
		if (length < MIN_ENCODED_LENGTH) {
			throw new BlobDeltaException(Reason.TRUNCATED, "blob delta encoding has " + length
					+ " bytes, fewer than the " + MIN_ENCODED_LENGTH + " of its header and checksum");
		}
		int count = in.getInt(CHUNK_COUNT_OFFSET);
		long literalBytes = in.getLong(LITERAL_BYTES_OFFSET);
		long available = length - (long) MIN_ENCODED_LENGTH;
		if (count < 0 || literalBytes < 0
				|| (long) ENTRY_LENGTH * count > available
				|| literalBytes > available - (long) ENTRY_LENGTH * count) {
			throw new BlobDeltaException(Reason.TRUNCATED, "blob delta encoding has " + length
					+ " bytes, fewer than its header declares (" + count + " chunks, " + literalBytes
					+ " literal bytes); it is truncated or its length fields are corrupted");
		}
		long declared = MIN_ENCODED_LENGTH + (long) ENTRY_LENGTH * count + literalBytes;
		if (declared != length) {
			throw new BlobDeltaException(Reason.MALFORMED, "blob delta encoding has " + length
					+ " bytes, " + (length - declared) + " more than the " + declared + " its header declares");
		}
		CRC32C crc = new CRC32C();
		crc.update(in.duplicate().limit(length - CHECKSUM_LENGTH));
		int expectedCrc = (int) crc.getValue();
		int actualCrc = in.getInt(length - CHECKSUM_LENGTH);
		if (actualCrc != expectedCrc) {
			throw new BlobDeltaException(Reason.CHECKSUM_MISMATCH, String.format(
					"blob delta checksum is 0x%08X but its bytes have CRC32C 0x%08X; the encoding is corrupted",
					actualCrc, expectedCrc));
		}
		return decodeFields(in, count, literalBytes);
	}

	private static Parts decodeFields(ByteBuffer in, int count, long literalBytes) {
		int flags = in.get(FLAGS_OFFSET) & 0xFF;
		int reserved = in.getShort(RESERVED_OFFSET) & 0xFFFF;
		if (flags != 0 || reserved != 0) {
			throw new BlobDeltaException(Reason.MALFORMED, "blob delta flags (" + flags
					+ ") and reserved field (" + reserved + ") must be 0 in format version " + VERSION);
		}
		FastCdc chunker;
		try {
			chunker = FastCdc.of(in.getInt(MIN_SIZE_OFFSET), in.getInt(AVG_SIZE_OFFSET), in.getInt(MAX_SIZE_OFFSET));
		} catch (IllegalArgumentException e) {
			throw new BlobDeltaException(Reason.MALFORMED, "blob delta chunk sizes are invalid: " + e.getMessage());
		}
		long targetSize = in.getLong(TARGET_SIZE_OFFSET);
		if (targetSize < 0) {
			throw new BlobDeltaException(Reason.MALFORMED, "blob delta target size is negative: " + targetSize);
		}
		long[] fingerprints = new long[count];
		int[] lengths = new int[count];
		byte[][] literals = new byte[count][];
		int entry = HEADER_LENGTH;
		int literalStart = HEADER_LENGTH + ENTRY_LENGTH * count;
		int literal = literalStart;
		long literalEnd = literalStart + literalBytes;
		long total = 0;
		for (int i = 0; i < count; i++, entry += ENTRY_LENGTH) {
			fingerprints[i] = in.getLong(entry + ENTRY_FINGERPRINT_OFFSET);
			int chunkLength = in.getInt(entry + ENTRY_LENGTH_OFFSET);
			if (chunkLength < 1 || chunkLength > chunker.maxSize()) {
				throw new BlobDeltaException(Reason.MALFORMED, "blob delta chunk " + i + " has length "
						+ chunkLength + ", outside [1, " + chunker.maxSize() + "]");
			}
			lengths[i] = chunkLength;
			total += chunkLength;
			byte source = in.get(entry + ENTRY_SOURCE_OFFSET);
			if (source == SOURCE_LITERAL) {
				if (chunkLength > literalEnd - literal) {
					throw new BlobDeltaException(Reason.MALFORMED, "blob delta literal chunk " + i + " of "
							+ chunkLength + " bytes runs past the end of the " + literalBytes
							+ "-byte literal section");
				}
				byte[] bytes = new byte[chunkLength];
				in.get(literal, bytes);
				literal += chunkLength;
				literals[i] = bytes;
			} else if (source != SOURCE_KNOWN) {
				throw new BlobDeltaException(Reason.MALFORMED, "blob delta chunk " + i
						+ " has source " + (source & 0xFF) + ", expected 0 (known) or 1 (literal)");
			}
		}
		if (literal != literalEnd) {
			throw new BlobDeltaException(Reason.MALFORMED, "blob delta literal chunks hold "
					+ (literal - literalStart) + " bytes but the literal section has " + literalBytes);
		}
		if (total != targetSize) {
			throw new BlobDeltaException(Reason.MALFORMED, "blob delta chunk lengths add up to " + total
					+ " bytes but the target size is " + targetSize);
		}
		for (int i = 0; i < count; i++) {
			if (literals[i] != null && Fingerprints.chunk(literals[i]) != fingerprints[i]) {
				throw new BlobDeltaException(Reason.CHUNK_MISMATCH, String.format(
						"blob delta literal chunk %d does not have its declared fingerprint %016x", i, fingerprints[i]));
			}
		}
		return new Parts(chunker, in.getLong(BASE_ROOT_OFFSET), in.getLong(TARGET_ROOT_OFFSET), targetSize,
				fingerprints, lengths, literals);
	}
}
