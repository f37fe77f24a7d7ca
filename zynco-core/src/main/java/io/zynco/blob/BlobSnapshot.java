package io.zynco.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

import io.zynco.blob.internal.ChunkSequenceInputStream;
import io.zynco.blob.internal.Fingerprints;

/**
 * One immutable version of a blob-shaped state (one large opaque value): its bytes cut by
 * {@link FastCdc} into an ordered list of {@link BlobChunk}s, each with an XXH3-64 fingerprint,
 * and a root fingerprint over the chunks' fingerprints and lengths.
 *
 * <p>A new version made with {@link #withContent(byte[])} reuses the byte array of every chunk
 * whose fingerprint and length match a chunk of this version, so holding many versions of a blob
 * costs one copy plus the changed chunks. Equal content cut by equal chunkers has an equal
 * {@link #rootFingerprint()}, which is how versions are compared (with XXH3-64's collision odds);
 * {@code equals} is identity.
 *
 * <p>Immutable and thread-safe. The snapshot copies what it is given: later changes to the
 * caller's array do not reach it.
 */
public final class BlobSnapshot {

	private static final byte[][] NO_CHUNKS = new byte[0][];
	private static final long[] NO_LONGS = new long[0];

	private final FastCdc chunker;
	private final byte[][] chunks;
	private final long[] fingerprints;
	/** {@code ends[i]} is the exclusive end offset of chunk {@code i}. */
	private final long[] ends;
	private final long rootFingerprint;

	/** Takes ownership of the arrays, which the caller must not change afterwards. */
	BlobSnapshot(FastCdc chunker, byte[][] chunks, long[] fingerprints) {
		this.chunker = chunker;
		this.chunks = chunks;
		this.fingerprints = fingerprints;
		this.ends = new long[chunks.length];
		long end = 0;
		for (int i = 0; i < chunks.length; i++) {
			end += chunks[i].length;
			ends[i] = end;
		}
		this.rootFingerprint = Fingerprints.root(fingerprints, chunks, chunks.length);
	}

	/** Returns an empty blob cut by the default chunker. */
	public static BlobSnapshot empty() {
		return empty(FastCdc.defaults());
	}

	/** Returns an empty blob whose later versions are cut by {@code chunker}. */
	public static BlobSnapshot empty(FastCdc chunker) {
		return new BlobSnapshot(Objects.requireNonNull(chunker, "chunker"), NO_CHUNKS, NO_LONGS);
	}

	/** Returns a blob holding a copy of {@code content}, cut by the default chunker. */
	public static BlobSnapshot of(byte[] content) {
		return of(content, FastCdc.defaults());
	}

	/** Returns a blob holding a copy of {@code content}, cut by {@code chunker}. */
	public static BlobSnapshot of(byte[] content, FastCdc chunker) {
		return build(content, Objects.requireNonNull(chunker, "chunker"), Map.of());
	}

	/**
	 * Returns the next version of this blob, holding a copy of {@code content} cut by this
	 * snapshot's chunker. Every chunk whose fingerprint and length match one of this version's
	 * chunks shares that chunk's byte array instead of copying it.
	 */
	public BlobSnapshot withContent(byte[] content) {
		return build(content, chunker, index());
	}

	private static BlobSnapshot build(byte[] content, FastCdc chunker, Map<Long, byte[]> reusable) {
		int[] chunkEnds = chunker.chunkEnds(content);
		byte[][] chunks = new byte[chunkEnds.length][];
		long[] fingerprints = new long[chunkEnds.length];
		int start = 0;
		for (int i = 0; i < chunkEnds.length; i++) {
			int length = chunkEnds[i] - start;
			long fingerprint = Fingerprints.chunk(content, start, length);
			byte[] existing = reusable.get(fingerprint);
			chunks[i] = existing != null && existing.length == length
					? existing
					: Arrays.copyOfRange(content, start, chunkEnds[i]);
			fingerprints[i] = fingerprint;
			start = chunkEnds[i];
		}
		return new BlobSnapshot(chunker, chunks, fingerprints);
	}

	/** Returns this version's chunk arrays by fingerprint, for reuse; the array length must be checked too. */
	Map<Long, byte[]> index() {
		Map<Long, byte[]> index = new HashMap<>(chunks.length * 2);
		for (int i = 0; i < chunks.length; i++) {
			index.putIfAbsent(fingerprints[i], chunks[i]);
		}
		return index;
	}

	/** Returns the chunker that cut this version and cuts the versions derived from it. */
	public FastCdc chunker() {
		return chunker;
	}

	/** Returns the blob's length in bytes. */
	public long size() {
		return chunks.length == 0 ? 0 : ends[chunks.length - 1];
	}

	/** Returns the number of chunks (0 for an empty blob). */
	public int chunkCount() {
		return chunks.length;
	}

	/**
	 * Returns chunk {@code index}.
	 *
	 * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, chunkCount())}
	 */
	public BlobChunk chunk(int index) {
		Objects.checkIndex(index, chunks.length);
		return new BlobChunk(fingerprints[index], index == 0 ? 0 : ends[index - 1], chunks[index]);
	}

	/** Returns the chunks in order, as an unmodifiable random-access list view. */
	public List<BlobChunk> chunks() {
		return new ChunkList();
	}

	/**
	 * Returns the root fingerprint: XXH3-64 over, for each chunk in order, its fingerprint
	 * (8 bytes) and length (4 bytes), both big-endian.
	 */
	public long rootFingerprint() {
		return rootFingerprint;
	}

	/**
	 * Returns a new array holding the blob's bytes.
	 *
	 * @throws IllegalStateException if the blob is too large for one array
	 */
	public byte[] toByteArray() {
		long size = size();
		if (size > Integer.MAX_VALUE - 8) {
			throw new IllegalStateException("blob of " + size + " bytes does not fit in one array; use openStream()");
		}
		byte[] out = new byte[(int) size];
		int at = 0;
		for (byte[] chunk : chunks) {
			System.arraycopy(chunk, 0, out, at, chunk.length);
			at += chunk.length;
		}
		return out;
	}

	/** Returns a new stream of the blob's bytes that reads the chunks in place, without copying the blob. */
	public InputStream openStream() {
		return new ChunkSequenceInputStream(chunks);
	}

	/** Writes the blob's bytes to {@code out}, one chunk at a time. */
	public void writeTo(OutputStream out) throws IOException {
		for (byte[] chunk : chunks) {
			out.write(chunk);
		}
	}

	// Package-private access for BlobDelta, which reads without copying.

	byte[] chunkBytes(int index) {
		return chunks[index];
	}

	long chunkFingerprint(int index) {
		return fingerprints[index];
	}

	@Override
	public String toString() {
		return String.format("BlobSnapshot[size=%d, chunks=%d, root=%016x, %s]",
				size(), chunks.length, rootFingerprint, chunker);
	}

	private final class ChunkList extends AbstractList<BlobChunk> implements RandomAccess {

		@Override
		public BlobChunk get(int index) {
			return chunk(index);
		}

		@Override
		public int size() {
			return chunks.length;
		}
	}
}
