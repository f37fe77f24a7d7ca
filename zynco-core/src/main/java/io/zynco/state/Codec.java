package io.zynco.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns keys or values into bytes and back. Encoding must be <em>deterministic</em>: equal
 * values must give equal bytes on every node, or diffs see changes that are not there (a
 * codec over a hash map must order its entries, for example). Implementations must be
 * thread-safe.
 *
 * @param <T> the type encoded
 */
public interface Codec<T> {

	byte[] encode(T value);

	/** Decodes {@code buffer[offset, offset+length)}; must not keep a reference to the buffer. */
	T decode(byte[] buffer, int offset, int length);

	/** Raw bytes, copied in both directions. */
	static Codec<byte[]> bytes() {
		return Codecs.BYTES;
	}

	/** Strings as UTF-8. */
	static Codec<String> utf8() {
		return Codecs.UTF8;
	}

	/** Longs as 8 big-endian bytes. */
	static Codec<Long> int64() {
		return Codecs.INT64;
	}

	/** The built-in codecs. */
	final class Codecs {

		static final Codec<byte[]> BYTES = new Codec<>() {

			@Override
			public byte[] encode(byte[] value) {
				return value.clone();
			}

			@Override
			public byte[] decode(byte[] buffer, int offset, int length) {
				return Arrays.copyOfRange(buffer, offset, offset + length);
			}

			@Override
			public String toString() {
				return "Codec.bytes()";
			}

		};

		static final Codec<String> UTF8 = new Codec<>() {

			@Override
			public byte[] encode(String value) {
				return value.getBytes(StandardCharsets.UTF_8);
			}

			@Override
			public String decode(byte[] buffer, int offset, int length) {
				return new String(buffer, offset, length, StandardCharsets.UTF_8);
			}

			@Override
			public String toString() {
				return "Codec.utf8()";
			}

		};

		static final Codec<Long> INT64 = new Codec<>() {

			@Override
			public byte[] encode(Long value) {
				return ByteBuffer.allocate(8).putLong(value).array();
			}

			@Override
			public Long decode(byte[] buffer, int offset, int length) {
				if (length != 8) {
					throw new IllegalArgumentException("an int64 value has 8 bytes, not " + length);
				}
				return ByteBuffer.wrap(buffer, offset, 8).getLong();
			}

			@Override
			public String toString() {
				return "Codec.int64()";
			}

		};

		private Codecs() {
		}

	}

}
