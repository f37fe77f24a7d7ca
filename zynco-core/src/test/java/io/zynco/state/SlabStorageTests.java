package io.zynco.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.state.internal.Compaction;
import io.zynco.state.internal.Slabs;
import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entries live in slabs (io.zynco.state.internal.Slabs): what a snapshot references, that a
 * decoded delta keeps or copies its input as documented, and that compaction keeps the slabs
 * of a long-lived state in proportion to its entries without changing its content.
 */
class SlabStorageTests {

	static LongStream seeds() {
		return Seeds.of(60);
	}

	private static byte[] b(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static Map<String, String> toMap(Snapshot snapshot) {
		Map<String, String> map = new HashMap<>();
		snapshot.forEach((buffer, ko, kl, vo, vl) -> map.put(new String(buffer, ko, kl, StandardCharsets.UTF_8),
				new String(buffer, vo, vl, StandardCharsets.UTF_8)));
		return map;
	}

	private static String value(SplittableRandom random, int length) {
		char[] chars = new char[length];
		for (int i = 0; i < length; i++) {
			chars[i] = (char) ('a' + random.nextInt(26));
		}
		return new String(chars);
	}

	@Test
	void aBuiltSnapshotHoldsItsEntriesInFewSlabsWithNothingElse() {
		Snapshot.Builder builder = Snapshot.builder(4);
		for (int i = 0; i < 100_000; i++) {
			builder.put(b("key-" + i), b("value-" + i));
		}
		Snapshot snapshot = builder.build();
		Compaction.Usage usage = snapshot.slabUsage();
		assertThat(usage.liveBytes()).isEqualTo(snapshot.dataBytes());
		// about 2 MiB of entries: one slab sized to fit, nothing left over
		assertThat(usage.slabs()).isEqualTo(1);
		assertThat(usage.wasteBytes()).isZero();
		assertThat(snapshot.slabWasteBound()).isZero();
	}

	@Test
	void aSnapshotLargerThanOneSlabSpansSeveralFullOnes() {
		Snapshot.Builder builder = Snapshot.builder(4);
		byte[] value = new byte[1000];
		for (int i = 0; i < 10_000; i++) {
			builder.put(b("key-" + i), value);
		}
		Snapshot snapshot = builder.build();
		Compaction.Usage usage = snapshot.slabUsage();
		assertThat(usage.slabs()).isEqualTo((int) ((snapshot.dataBytes() + Slabs.SLAB_BYTES - 1) / Slabs.SLAB_BYTES));
		// only the tails where the next entry did not fit
		assertThat(usage.wasteBytes()).isLessThan(usage.slabs() * 1_010L);
	}

	@Test
	void decodeCopiesItsInputAndDecodeOwnedKeepsIt() {
		Snapshot.Builder builder = Snapshot.builder(3);
		for (int i = 0; i < 1_000; i++) {
			builder.put(b("key-" + i), b("value-" + i));
		}
		Snapshot target = builder.build();
		Snapshot empty = Snapshot.empty(3);
		byte[] encoded = Delta.diff("fares", 0, empty, 1, target).encode();

		byte[] input = encoded.clone();
		Delta copied = Delta.decode(input);
		Arrays.fill(input, (byte) 0);
		Snapshot fromCopy = copied.applyTo(empty);
		assertThat(fromCopy.rootFingerprint()).isEqualTo(target.rootFingerprint());
		assertThat(fromCopy.verify()).isTrue();
		assertThat(fromCopy.slabUsage().references(input)).isFalse();

		byte[] owned = encoded.clone();
		Snapshot fromOwned = Delta.decodeOwned(owned, null, 1).applyTo(empty);
		assertThat(fromOwned.rootFingerprint()).isEqualTo(target.rootFingerprint());
		Compaction.Usage usage = fromOwned.slabUsage();
		assertThat(usage.slabs()).isEqualTo(1);
		assertThat(usage.references(owned)).isTrue();
		// the header, kinds and lengths of the encoding are the only bytes that are not entries
		assertThat(usage.wasteBytes()).isEqualTo(encoded.length - target.dataBytes());
	}

	private static Snapshot built(SplittableRandom random, int entries) {
		Snapshot.Builder builder = Snapshot.builder(6);
		for (int i = 0; i < entries; i++) {
			builder.put(b("key-" + i), b(value(random, 200)));
		}
		return builder.build();
	}

	private static Edit overwrite(Snapshot base, SplittableRandom random, int entries, int percent) {
		Snapshot.Editor editor = base.edit();
		for (int i = 0; i < entries; i++) {
			if (random.nextInt(100) < percent) {
				editor.put(b("key-" + i), b(value(random, 200)));
			}
		}
		return editor.commit();
	}

	@Test
	void anEditThatLeavesMostOfTheBaseSlabsDeadCompactsThem() {
		SplittableRandom random = new SplittableRandom(7);
		Snapshot base = built(random, 40_000);
		Compaction.Usage baseUsage = base.slabUsage();
		// the built slabs are then 40% live in the result
		Snapshot edited = overwrite(base, random, 40_000, 60).snapshot();
		Compaction.Usage usage = edited.slabUsage();

		assertThat(usage.wasteBytes()).isLessThan(edited.dataBytes() / 100);
		assertThat(edited.slabWasteBound()).isEqualTo(usage.wasteBytes());
		assertThat(edited.verify()).isTrue();
		Snapshot.Builder same = Snapshot.builder(6);
		edited.forEach((buffer, ko, kl, vo, vl) -> same.put(Arrays.copyOfRange(buffer, ko, ko + kl),
				Arrays.copyOfRange(buffer, vo, vo + vl)));
		assertThat(same.build().rootFingerprint()).isEqualTo(edited.rootFingerprint());
		// the base is untouched: it keeps its slabs
		assertThat(base.verify()).isTrue();
		assertThat(base.slabUsage().slabBytes()).isEqualTo(baseUsage.slabBytes());
	}

	@Test
	void anEditOfAFewEntriesLeavesTheBaseSlabsAndSharesTheUntouchedSegments() {
		SplittableRandom random = new SplittableRandom(8);
		Snapshot base = built(random, 40_000);
		Snapshot edited = overwrite(base, random, 40_000, 10).snapshot();
		Compaction.Usage usage = edited.slabUsage();

		// no compaction: a tenth of the base's bytes are dead in the result, and kept
		assertThat(usage.wasteBytes()).isBetween(base.dataBytes() / 20, base.dataBytes() / 5);
		assertThat(edited.slabWasteBound()).isGreaterThanOrEqualTo(usage.wasteBytes());
		// 625 entries per segment, a tenth of them changed: every segment changed, but every
		// leaf without a change, and every entry kept, is shared (see Trie.heapNotIn)
		assertThat(edited.heapBytesNotIn(base)).isLessThan(base.heapBytes() / 3);
	}

	@Test
	void compactingSlabsThatAreMostlyLiveMovesNothing() {
		SplittableRandom random = new SplittableRandom(9);
		Snapshot base = built(random, 40_000);
		Snapshot edited = overwrite(base, random, 40_000, 20).snapshot();
		Compaction.Usage before = edited.slabUsage();
		Snapshot compacted = edited.compactNow();
		Compaction.Usage after = compacted.slabUsage();

		assertThat(compacted.rootFingerprint()).isEqualTo(edited.rootFingerprint());
		assertThat(compacted.verify()).isTrue();
		assertThat(toMap(compacted)).isEqualTo(toMap(edited));
		assertThat(after.liveBytes()).isEqualTo(before.liveBytes()).isEqualTo(edited.dataBytes());
		// the base's slabs are 80% live: none qualifies, nothing moves
		assertThat(after.slabBytes()).isEqualTo(before.slabBytes());
		for (int s = 0; s < edited.segmentCount(); s++) {
			assertThat(compacted.sharesSegmentWith(edited, s)).isTrue();
		}
		assertThat(compacted.slabWasteBound()).isEqualTo(after.wasteBytes());
	}

	/**
	 * A receiver's life: a snapshot transfer, then many deltas, each decoded in place. Without
	 * compaction the first transfer's buffer and every delta's buffer would stay referenced.
	 */
	@Test
	void aReceiverApplyingManyDeltasKeepsItsSlabsInProportionToItsEntries() {
		SplittableRandom random = new SplittableRandom(11);
		int keys = 60_000;
		Snapshot.Builder builder = Snapshot.builder(6);
		for (int i = 0; i < keys; i++) {
			builder.put(b("key-" + i), b(value(random, 300)));
		}
		Snapshot published = builder.build();
		byte[] first = Delta.diff("geo", 0, Snapshot.empty(6), 1, published).encode();
		Snapshot replica = Delta.decodeOwned(first, null, 1).applyTo(Snapshot.empty(6));
		assertThat(replica.slabUsage().references(first)).isTrue();

		long deltaBytes = 0;
		for (int round = 0; round < 40; round++) {
			Snapshot.Editor editor = published.edit();
			for (int i = 0; i < keys / 20; i++) {
				int key = random.nextInt(keys + keys / 10);
				if (random.nextInt(10) == 0) {
					editor.remove(b("key-" + key));
				}
				else {
					editor.put(b("key-" + key), b(value(random, 300)));
				}
			}
			Edit edit = editor.commit();
			byte[] wire = Delta.of("geo", round + 1, round + 2, edit).encode();
			deltaBytes += wire.length;
			replica = Delta.decodeOwned(wire, null, 1).applyTo(replica);
			published = edit.snapshot();

			Compaction.Usage usage = replica.slabUsage();
			assertThat(replica.slabWasteBound()).as("round %d: the bound bounds", round)
				.isGreaterThanOrEqualTo(usage.wasteBytes());
			assertThat(usage.wasteBytes()).as("round %d: waste within the documented worst case", round)
				.isLessThanOrEqualTo((long) (1.25 * usage.liveBytes()) + Compaction.MIN_WASTE_BYTES);
		}
		assertThat(replica.rootFingerprint()).isEqualTo(published.rootFingerprint());
		assertThat(replica.verify()).isTrue();
		Compaction.Usage usage = replica.slabUsage();
		// 40 rounds of 5% changes: the first transfer is mostly overwritten and was compacted away
		assertThat(usage.references(first)).isFalse();
		// without compaction the replica would reference every one of the 41 buffers it received
		assertThat(usage.slabs()).isLessThan(30);
	}

	/** The waste bound is an upper bound of the waste, over every way a snapshot is derived. */
	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void theWasteBoundNeverUnderestimates(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Snapshot.Builder builder = Snapshot.builder(2);
		Map<String, String> model = new HashMap<>();
		for (int i = random.nextInt(300); i > 0; i--) {
			String k = "k" + random.nextInt(500);
			String v = value(random, random.nextInt(20));
			builder.put(b(k), b(v));
			model.put(k, v);
		}
		Snapshot snapshot = builder.build();
		assertThat(snapshot.slabWasteBound()).isGreaterThanOrEqualTo(snapshot.slabUsage().wasteBytes());
		long version = 1;
		for (int step = 0; step < 12; step++) {
			Snapshot.Editor editor = snapshot.edit();
			for (int i = random.nextInt(60); i > 0; i--) {
				String k = "k" + random.nextInt(500);
				if (random.nextInt(4) == 0) {
					editor.remove(b(k));
					model.remove(k);
				}
				else {
					String v = value(random, random.nextInt(20));
					editor.put(b(k), b(v));
					model.put(k, v);
				}
			}
			Edit edit = editor.commit();
			Snapshot next = switch (random.nextInt(4)) {
				case 0 -> edit.snapshot();
				case 1 -> snapshot.apply(edit.changes());
				case 2 -> Delta.decodeOwned(Delta.of("s", version, version + 1, edit).encode(), null, 1).applyTo(snapshot);
				default -> snapshot.apply(snapshot.diff(edit.snapshot()));
			};
			version++;
			assertThat(toMap(next)).isEqualTo(model);
			assertThat(next.rootFingerprint()).isEqualTo(edit.snapshot().rootFingerprint());
			assertThat(next.slabWasteBound()).as("step %d", step)
				.isGreaterThanOrEqualTo(next.slabUsage().wasteBytes());
			if (random.nextInt(5) == 0) {
				next = next.compactNow();
				assertThat(toMap(next)).isEqualTo(model);
				assertThat(next.verify()).isTrue();
				assertThat(next.slabWasteBound()).isEqualTo(next.slabUsage().wasteBytes());
			}
			snapshot = next;
		}
	}

}
