package io.zynco.blob;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One chunk of a {@link BlobSnapshot}: its position in the blob, its length, its 64-bit
 * fingerprint (XXH3-64 of its bytes) and read-only access to its bytes. The bytes are shared by
 * every snapshot version that holds the same chunk; {@link #sharesStorageWith(BlobChunk)} tells
 * whether two chunks use the same array.
 *
 * <p>Immutable and thread-safe.
 */
public final class BlobChunk {

	private final long fingerprint;
	private final long offset;
	private final byte[] bytes;

	BlobChunk(long fingerprint, long offset, byte[] bytes) {
		this.fingerprint = fingerprint;
		this.offset = offset;
		this.bytes = bytes;
	}

	/** Returns XXH3-64 (seed 0) of the chunk's bytes. */
	public long fingerprint() {
		return fingerprint;
	}

	/** Returns the offset of the chunk's first byte in its blob. */
	public long offset() {
		return offset;
	}

	/** Returns the number of bytes in the chunk (at least 1). */
	public int length() {
		return bytes.length;
	}

	/** Returns a new copy of the chunk's bytes. */
	public byte[] copyBytes() {
		return bytes.clone();
	}

	/** Returns a read-only view of the chunk's bytes, without copying them. */
	public ByteBuffer asReadOnlyBuffer() {
		return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
	}

	/** Writes the chunk's bytes to {@code out}. */
	public void writeTo(OutputStream out) throws IOException {
		out.write(bytes);
	}

	/** Returns whether this chunk and {@code other} hold their bytes in the same array (structural sharing). */
	public boolean sharesStorageWith(BlobChunk other) {
		return bytes == other.bytes;
	}

	/** Returns whether this chunk has the same fingerprint, length and bytes as {@code other}, at any offset. */
	public boolean sameContentAs(BlobChunk other) {
		return fingerprint == other.fingerprint && Arrays.equals(bytes, other.bytes);
	}

	@Override
	public String toString() {
		return String.format("BlobChunk[offset=%d, length=%d, fingerprint=%016x]", offset, bytes.length, fingerprint);
	}
}
