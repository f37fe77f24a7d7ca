package io.zynco.state.internal;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * The two hash functions of the state engine, both XXH3-64 from hash4j.
 *
 * <p>The <em>key hash</em> places an entry (segment, trie path, order inside a leaf); the
 * <em>entry fingerprint</em> identifies an entry's content (key and value together). They use
 * different seeds so that the two are independent. The seeds are part of the wire contract:
 * every node must compute the same values. Thread-safe (stateless).
 */
public final class Hashes {

	private static final Hasher64 KEY_HASH = Hashing.xxh3_64(0x5A594E43_4B455931L);

	private static final Hasher64 ENTRY_FINGERPRINT = Hashing.xxh3_64(0x5A594E43_46505231L);

	private static final Hasher64 ROOT = Hashing.xxh3_64(0x5A594E43_524F4F54L);

	private Hashes() {
	}

	/** Hash of a key's bytes, used to place the entry. */
	public static long keyHash(byte[] buffer, int offset, int length) {
		return KEY_HASH.hashBytesToLong(buffer, offset, length);
	}

	/**
	 * Fingerprint of the encoded entry {@code slab[offset, offset+length)} (see
	 * {@link EntryBlobs}): covers key and value.
	 */
	public static long entryFingerprint(byte[] slab, int offset, int length) {
		return ENTRY_FINGERPRINT.hashBytesToLong(slab, offset, length);
	}

	/** Fingerprint of the entry at {@code span} of {@code slab} (see {@link Slabs}). */
	public static long entryFingerprint(byte[] slab, long span) {
		return ENTRY_FINGERPRINT.hashBytesToLong(slab, Slabs.offset(span), Slabs.length(span));
	}

	/** A fresh stream for the root fingerprint over the segment fingerprints. */
	public static HashStream64 rootStream() {
		return ROOT.hashStream();
	}

}
