package io.zynco.benchmarks.replication;

import java.nio.ByteBuffer;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

import io.zynco.state.Delta;

/**
 * Walks the changes of an encoded {@link Delta} where they lie, with the engine's hash
 * functions, for the measurements that must not build the engine's per-entry objects (the
 * floor of verification in {@link PublishPathProfile}, the layouts of
 * {@link PackedLeafPrototype}). Trusts its input: the benchmark encodes it. Stateless.
 */
final class EncodedChanges {

	/** The engine's key hash ({@code io.zynco.state.internal.Hashes}; part of the wire contract). */
	static final Hasher64 KEY_HASH = Hashing.xxh3_64(0x5A594E43_4B455931L);

	/** The engine's entry fingerprint (the same source). */
	static final Hasher64 FINGERPRINT = Hashing.xxh3_64(0x5A594E43_46505231L);

	/** The kind byte of a put. */
	private static final byte PUT = 1;

	private EncodedChanges() {
	}

	/** Receives one put: its change index, where its entry lies, and its key's hash. */
	@FunctionalInterface
	interface PutVisitor {

		void put(int index, int start, int length, long keyHash);

	}

	/** Where the changes start: after the fixed header, the name and the change count. */
	private static int changesOffset(byte[] encoded) {
		return 8 + (encoded[7] & 0xFF) + 5 * 8 + 4;
	}

	/** The number of changes. */
	static int count(byte[] encoded) {
		return ByteBuffer.wrap(encoded, changesOffset(encoded) - 4, 4).getInt();
	}

	/** Visits every put in order; removes are skipped. */
	static void forEachPut(byte[] encoded, PutVisitor visitor) {
		int n = count(encoded);
		int[] cursor = { changesOffset(encoded) };
		for (int i = 0; i < n; i++) {
			byte kind = encoded[cursor[0]++];
			int length = varint(encoded, cursor);
			int start = cursor[0];
			if (kind == PUT) {
				int keyLength = varint(encoded, cursor);
				visitor.put(i, start, length, KEY_HASH.hashBytesToLong(encoded, cursor[0], keyLength));
			}
			cursor[0] = start + length;
		}
	}

	private static int varint(byte[] bytes, int[] cursor) {
		int result = 0;
		for (int shift = 0;; shift += 7) {
			byte b = bytes[cursor[0]++];
			result |= (b & 0x7F) << shift;
			if (b >= 0) {
				return result;
			}
		}
	}

}
