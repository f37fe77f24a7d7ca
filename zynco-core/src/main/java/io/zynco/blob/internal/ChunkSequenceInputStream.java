package io.zynco.blob.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * An input stream over a sequence of immutable chunk arrays, read in order without copying them
 * into one array first.
 *
 * <p>Not thread-safe: like any stream, one reader at a time. The chunk arrays are only read.
 */
public final class ChunkSequenceInputStream extends InputStream {

	private final byte[][] chunks;
	private int chunk;
	private int position;

	/** Streams {@code chunks} in order; the arrays must not change while the stream is read. */
	public ChunkSequenceInputStream(byte[][] chunks) {
		this.chunks = Objects.requireNonNull(chunks, "chunks");
	}

	@Override
	public int read() {
		while (chunk < chunks.length) {
			byte[] current = chunks[chunk];
			if (position < current.length) {
				return current[position++] & 0xFF;
			}
			chunk++;
			position = 0;
		}
		return -1;
	}

	@Override
	public int read(byte[] target, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, target.length);
		if (length == 0) {
			return 0;
		}
		int copied = 0;
		while (copied < length && chunk < chunks.length) {
			byte[] current = chunks[chunk];
			int n = Math.min(length - copied, current.length - position);
			System.arraycopy(current, position, target, offset + copied, n);
			copied += n;
			position += n;
			if (position == current.length) {
				chunk++;
				position = 0;
			}
		}
		return copied == 0 ? -1 : copied;
	}

	@Override
	public long skip(long n) {
		long skipped = 0;
		while (skipped < n && chunk < chunks.length) {
			int step = (int) Math.min(n - skipped, chunks[chunk].length - position);
			skipped += step;
			position += step;
			if (position == chunks[chunk].length) {
				chunk++;
				position = 0;
			}
		}
		return skipped;
	}

	/** Returns the bytes left in the current chunk: readable without blocking, though more may follow. */
	@Override
	public int available() {
		return chunk < chunks.length ? chunks[chunk].length - position : 0;
	}

	@Override
	public long transferTo(OutputStream out) throws IOException {
		long transferred = 0;
		while (chunk < chunks.length) {
			byte[] current = chunks[chunk];
			out.write(current, position, current.length - position);
			transferred += current.length - position;
			chunk++;
			position = 0;
		}
		return transferred;
	}
}
