package io.zynco.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import io.zynco.state.Edit;
import io.zynco.state.Snapshot;

/**
 * Deterministic test data for the state-engine benchmarks: fare-table-like keys such as
 * {@code route:LHR-JFK:carrier:BA:class:Y:123456} (about 40 bytes) and random values of
 * {@value #VALUE_LENGTH} bytes, all from a seeded {@link SplittableRandom}, so every run and
 * every fork sees the same bytes. Stateless and thread-safe.
 */
public final class StateData {

	/** Entries in the benchmark state. */
	public static final int ENTRIES = 1_000_000;

	/** Changed entries per version: 1% of {@link #ENTRIES}. */
	public static final int CHANGES = ENTRIES / 100;

	/** Length of every value. */
	public static final int VALUE_LENGTH = 200;

	/** Seed of the base snapshot's values; edits use {@code SEED + version}. */
	public static final long SEED = 0x5A594E43_42454E43L;

	/** State name used in deltas. */
	public static final String STATE_NAME = "fares";

	private static final String[] ROUTES = { "LHR-JFK", "CDG-SFO", "FRA-ORD", "AMS-BOS", "MAD-MIA", "ZRH-EWR",
			"MUC-IAD", "FCO-ATL" };

	private static final String[] CARRIERS = { "BA", "AF", "LH", "KL", "IB", "LX", "UA", "AA", "DL" };

	private static final String[] CLASSES = { "Y", "W", "J", "F" };

	private StateData() {
	}

	/** The key of entry {@code n}: unique per {@code n}. */
	public static byte[] key(int n) {
		String key = "route:" + ROUTES[n & 7] + ":carrier:" + CARRIERS[(n >>> 3) % CARRIERS.length] + ":class:"
				+ CLASSES[(n >>> 5) & 3] + ":" + n;
		return key.getBytes(StandardCharsets.US_ASCII);
	}

	/** A fresh random value. */
	public static byte[] value(SplittableRandom random) {
		byte[] value = new byte[VALUE_LENGTH];
		random.nextBytes(value);
		return value;
	}

	/** Receives generated entries. */
	@FunctionalInterface
	public interface EntryConsumer {

		void accept(byte[] key, byte[] value);

	}

	/** Generates the base entries {@code 0 .. entries-1} in order. */
	public static void generate(int entries, EntryConsumer consumer) {
		SplittableRandom random = new SplittableRandom(SEED);
		for (int n = 0; n < entries; n++) {
			consumer.accept(key(n), value(random));
		}
	}

	/** The base snapshot of {@code entries} entries, built from scratch with the default 1,024 segments. */
	public static Snapshot base(int entries) {
		Snapshot.Builder builder = Snapshot.builder(Snapshot.DEFAULT_SEGMENT_BITS);
		generate(entries, builder::put);
		return builder.build();
	}

	/**
	 * Changes the values of {@code changes} distinct random entries of {@code base} (which must
	 * hold entries {@code 0 .. entries-1}) through {@link Snapshot#edit()}, so the result shares
	 * everything else with {@code base}. The entries and new values depend only on the version.
	 */
	public static Edit change(Snapshot base, int entries, int changes, int version) {
		SplittableRandom random = new SplittableRandom(SEED + version);
		Snapshot.Editor editor = base.edit();
		for (int n : distinct(random, changes, entries)) {
			editor.put(key(n), value(random));
		}
		Edit edit = editor.commit();
		if (edit.changes().size() != changes) {
			throw new IllegalStateException("expected " + changes + " effective changes but got " + edit.changes());
		}
		return edit;
	}

	/**
	 * The same content as {@code snapshot}, built from scratch: no entry array, trie node or
	 * segment is shared with it (what a node holds after a full reload).
	 */
	public static Snapshot rebuild(Snapshot snapshot) {
		Snapshot.Builder builder = Snapshot.builder(snapshot.segmentBits());
		snapshot.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength) -> builder.put(
				copy(buffer, keyOffset, keyLength), copy(buffer, valueOffset, valueLength)));
		Snapshot rebuilt = builder.build();
		if (rebuilt.rootFingerprint() != snapshot.rootFingerprint() || rebuilt.size() != snapshot.size()) {
			throw new IllegalStateException("rebuilt snapshot differs: " + rebuilt + " vs " + snapshot);
		}
		return rebuilt;
	}

	/** Sum of key and value bytes of all entries (no length prefixes). */
	public static long keyValueBytes(Snapshot snapshot) {
		long[] sum = new long[1];
		snapshot.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength) -> sum[0] += keyLength + valueLength);
		return sum[0];
	}

	/** {@code count} distinct ints in {@code [0, bound)}, by a partial Fisher-Yates shuffle. */
	static int[] distinct(SplittableRandom random, int count, int bound) {
		if (count > bound) {
			throw new IllegalArgumentException(count + " distinct values do not fit in [0, " + bound + ")");
		}
		int[] all = new int[bound];
		for (int i = 0; i < bound; i++) {
			all[i] = i;
		}
		for (int i = 0; i < count; i++) {
			int j = i + random.nextInt(bound - i);
			int t = all[i];
			all[i] = all[j];
			all[j] = t;
		}
		return Arrays.copyOf(all, count);
	}

	private static byte[] copy(byte[] buffer, int offset, int length) {
		return Arrays.copyOfRange(buffer, offset, offset + length);
	}

}
