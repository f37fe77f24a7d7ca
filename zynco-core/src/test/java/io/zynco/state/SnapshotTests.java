package io.zynco.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SnapshotTests {

	private static byte[] b(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static Snapshot load(int segmentBits, Map<String, String> content) {
		Snapshot.Builder builder = Snapshot.builder(segmentBits);
		content.forEach((k, v) -> builder.put(b(k), b(v)));
		return builder.build();
	}

	private static Map<String, String> toMap(Snapshot snapshot) {
		Map<String, String> map = new HashMap<>();
		snapshot.forEach((buffer, ko, kl, vo, vl) -> map.put(new String(buffer, ko, kl, StandardCharsets.UTF_8),
				new String(buffer, vo, vl, StandardCharsets.UTF_8)));
		return map;
	}

	private static Map<String, String> randomContent(Random random, int size) {
		Map<String, String> map = new HashMap<>();
		for (int i = 0; i < size; i++) {
			map.put("key-" + random.nextInt(size * 4), "value-" + random.nextLong());
		}
		return map;
	}

	/**
	 * A delta's leaves get their fingerprints incrementally when it changes few of their
	 * entries and afresh when it rewrites most: both must give the root of a fresh build.
	 */
	@Test
	void aDeltaRewritingMostOfEachLeafAndOneChangingAFewGiveTheRootsOfFreshBuilds() {
		Map<String, String> content = randomContent(new Random(5), 20_000);
		Snapshot base = load(3, content);
		Random random = new Random(6);
		for (double share : new double[] { 0.001, 0.1, 0.45, 0.55, 0.9, 1.0 }) {
			Map<String, String> next = new HashMap<>(content);
			Snapshot.Editor edit = base.edit();
			for (String key : content.keySet()) {
				if (random.nextDouble() < share) {
					if (random.nextInt(4) == 0) {
						next.remove(key);
						edit.remove(b(key));
					}
					else {
						String value = "other-" + random.nextLong();
						next.put(key, value);
						edit.put(b(key), b(value));
					}
				}
			}
			Edit committed = edit.commit();
			Snapshot applied = base.apply(committed.changes());
			Snapshot fresh = load(3, next);
			assertThat(committed.snapshot().rootFingerprint()).as("share %s", share).isEqualTo(fresh.rootFingerprint());
			assertThat(applied.rootFingerprint()).as("share %s", share).isEqualTo(fresh.rootFingerprint());
			assertThat(applied.verify()).as("share %s", share).isTrue();
			assertThat(toMap(applied)).isEqualTo(next);
		}
	}

	@Test
	void readsWhatWasLoaded() {
		Map<String, String> content = randomContent(new Random(1), 5_000);
		Snapshot snapshot = load(4, content);
		assertThat(snapshot.size()).isEqualTo(content.size());
		content.forEach((k, v) -> assertThat(snapshot.get(b(k))).isEqualTo(b(v)));
		assertThat(snapshot.get(b("absent"))).isNull();
		assertThat(toMap(snapshot)).isEqualTo(content);
		assertThat(snapshot.verify()).isTrue();
	}

	@Test
	void lastPutOfAKeyWinsInABuilder() {
		Snapshot snapshot = Snapshot.builder(2).put(b("k"), b("1")).put(b("k"), b("2")).build();
		assertThat(snapshot.size()).isEqualTo(1);
		assertThat(snapshot.get(b("k"))).isEqualTo(b("2"));
	}

	@Test
	void rootDoesNotDependOnInsertionOrder() {
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < 3_000; i++) {
			keys.add("k" + i);
		}
		Snapshot.Builder forward = Snapshot.builder(3);
		keys.forEach((k) -> forward.put(b(k), b("v" + k)));
		Collections.shuffle(keys, new Random(7));
		Snapshot.Builder shuffled = Snapshot.builder(3);
		keys.forEach((k) -> shuffled.put(b(k), b("v" + k)));
		assertThat(shuffled.build().rootFingerprint()).isEqualTo(forward.build().rootFingerprint());
	}

	@Test
	void incrementalEditsReachTheSameRootAsALoad() {
		Random random = new Random(3);
		Map<String, String> content = randomContent(random, 4_000);
		Snapshot snapshot = Snapshot.empty(2);
		List<Map.Entry<String, String>> entries = new ArrayList<>(content.entrySet());
		for (int i = 0; i < entries.size(); i += 250) {
			Snapshot.Editor editor = snapshot.edit();
			entries.subList(i, Math.min(i + 250, entries.size())).forEach((e) -> editor.put(b(e.getKey()), b(e.getValue())));
			snapshot = editor.commit().snapshot();
		}
		assertThat(snapshot.rootFingerprint()).isEqualTo(load(2, content).rootFingerprint());
		assertThat(snapshot.verify()).isTrue();
		// now shrink it below the leaf size again: branches collapse
		Snapshot.Editor editor = snapshot.edit();
		entries.subList(10, entries.size()).forEach((e) -> editor.remove(b(e.getKey())));
		Snapshot small = editor.commit().snapshot();
		Map<String, String> expected = new HashMap<>();
		entries.subList(0, 10).forEach((e) -> expected.put(e.getKey(), e.getValue()));
		assertThat(toMap(small)).isEqualTo(expected);
		assertThat(small.rootFingerprint()).isEqualTo(load(2, expected).rootFingerprint());
	}

	@Test
	void editWithoutEffectiveChangeMakesNoNewSnapshot() {
		Snapshot base = load(4, Map.of("a", "1", "b", "2"));
		Edit edit = base.edit().put(b("a"), b("1")).remove(b("zzz")).commit();
		assertThat(edit.changed()).isFalse();
		assertThat(edit.snapshot()).isSameAs(base);
		assertThat(edit.changes().isEmpty()).isTrue();
	}

	@Test
	void editReportsOnlyEffectiveChanges() {
		Snapshot base = load(4, Map.of("a", "1", "b", "2", "c", "3"));
		Edit edit = base.edit()
			.put(b("a"), b("1"))
			.put(b("b"), b("changed"))
			.remove(b("c"))
			.remove(b("absent"))
			.put(b("d"), b("new"))
			.commit();
		assertThat(edit.changes().puts()).isEqualTo(2);
		assertThat(edit.changes().removes()).isEqualTo(1);
		assertThat(toMap(edit.snapshot())).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "changed", "d", "new"));
		assertThat(toMap(base)).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2", "c", "3"));
	}

	@Test
	void laterOperationOnAKeyWinsInAnEdit() {
		Snapshot base = load(4, Map.of("a", "1"));
		Snapshot result = base.edit().put(b("a"), b("2")).remove(b("a")).put(b("b"), b("x")).remove(b("b")).put(b("b"), b("y"))
			.commit()
			.snapshot();
		assertThat(toMap(result)).containsExactlyInAnyOrderEntriesOf(Map.of("b", "y"));
	}

	@Test
	void editSharesUntouchedSegments() {
		Snapshot base = load(6, randomContent(new Random(5), 20_000));
		Snapshot result = base.edit().put(b("key-1"), b("changed")).commit().snapshot();
		int shared = 0;
		for (int s = 0; s < base.segmentCount(); s++) {
			if (result.sharesSegmentWith(base, s)) {
				shared++;
			}
		}
		assertThat(shared).isEqualTo(base.segmentCount() - 1);
		assertThat(result.heapBytesNotIn(base)).isLessThan(base.heapBytes() / 20);
	}

	@Test
	void diffBetweenIdenticalContentIsEmpty() {
		Map<String, String> content = randomContent(new Random(9), 2_000);
		assertThat(load(3, content).diff(load(3, content)).isEmpty()).isTrue();
	}

	@Test
	void diffRefusesDifferentSegmentCounts() {
		assertThatIllegalArgumentException().isThrownBy(() -> Snapshot.empty(2).diff(Snapshot.empty(3)))
			.withMessageContaining("segment");
	}

	@Test
	void emptyKeysAndValuesAreEntriesToo() {
		Snapshot snapshot = Snapshot.builder(0).put(new byte[0], new byte[0]).build();
		assertThat(snapshot.size()).isEqualTo(1);
		assertThat(snapshot.get(new byte[0])).isEmpty();
		assertThat(snapshot.rootFingerprint()).isNotEqualTo(Snapshot.empty(0).rootFingerprint());
	}

	@Test
	void typedViewDecodesWithCodecs() {
		StateType<String, Long> type = StateType.of("prices", Codec.utf8(), Codec.int64());
		Snapshot snapshot = type.builder().put("a", 1L).put("b", 2L).build();
		StateView<String, Long> view = type.view(snapshot);
		assertThat(view.get("a")).isEqualTo(1L);
		assertThat(view.get("c")).isNull();
		Map<String, Long> seen = new HashMap<>();
		view.forEach(seen::put);
		assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L));
		Edit edit = type.edit(snapshot).put("a", 5L).remove("b").commit();
		assertThat(type.view(edit.snapshot()).get("a")).isEqualTo(5L);
		assertThat(type.view(edit.snapshot()).containsKey("b")).isFalse();
	}

	@Test
	void stateNamesAreValidated() {
		assertThatIllegalArgumentException().isThrownBy(() -> StateType.of("Fares!", Codec.utf8(), Codec.utf8()))
			.withMessageContaining("lower-case");
		assertThatIllegalArgumentException().isThrownBy(() -> StateType.of("ok", Codec.utf8(), Codec.utf8()).withSegmentBits(17))
			.withMessageContaining("0..16");
	}


	@Test
	void changeSetBuilderKeepsTheLastOperationOnAKey() {
		Snapshot base = load(3, Map.of("a", "1", "b", "2"));
		ChangeSet changes = ChangeSet.builder()
			.put(b("a"), b("x"))
			.remove(b("a"))
			.remove(b("b"))
			.put(b("b"), b("y"))
			.put(b("c"), b("z"))
			.build();
		assertThat(changes.size()).isEqualTo(3);
		assertThat(changes.puts()).isEqualTo(2);
		assertThat(toMap(base.apply(changes))).containsExactlyInAnyOrderEntriesOf(Map.of("b", "y", "c", "z"));
	}

}
