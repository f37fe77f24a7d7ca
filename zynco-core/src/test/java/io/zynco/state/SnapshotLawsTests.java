package io.zynco.state;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The laws the rest of Zynco relies on, checked over random content (one case per seed): small
 * key spaces so that two random maps overlap, and enough entries for leaves to split into
 * branches.
 */
class SnapshotLawsTests {

	private static final int SEGMENT_BITS = 2;

	static LongStream seeds() {
		return Seeds.of(200);
	}

	/** 0 to 400 entries over keys k0..k600 with short alphanumeric values; a fifth are empty or tiny. */
	static Map<String, String> contents(SplittableRandom random) {
		int size = (random.nextInt(5) == 0) ? random.nextInt(3) : random.nextInt(401);
		Map<String, String> map = new HashMap<>();
		for (int i = 0; i < size; i++) {
			StringBuilder value = new StringBuilder();
			int length = random.nextInt(13);
			for (int c = 0; c < length; c++) {
				value.append("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".charAt(random.nextInt(62)));
			}
			map.put("k" + random.nextInt(601), value.toString());
		}
		return map;
	}

	private static byte[] b(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static Snapshot load(Map<String, String> content) {
		Snapshot.Builder builder = Snapshot.builder(SEGMENT_BITS);
		content.forEach((k, v) -> builder.put(b(k), b(v)));
		return builder.build();
	}

	private static Map<String, String> toMap(Snapshot snapshot) {
		Map<String, String> map = new HashMap<>();
		snapshot.forEach((buffer, ko, kl, vo, vl) -> map.put(new String(buffer, ko, kl, StandardCharsets.UTF_8),
				new String(buffer, vo, vl, StandardCharsets.UTF_8)));
		return map;
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void applyingTheDiffOfTwoSnapshotsToTheFirstGivesTheSecond(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Map<String, String> a = contents(random);
		Map<String, String> b = contents(random);
		Snapshot sa = load(a);
		Snapshot sb = load(b);
		Snapshot result = sa.apply(sa.diff(sb));
		assertThat(toMap(result)).isEqualTo(b);
		assertThat(result.rootFingerprint()).isEqualTo(sb.rootFingerprint());
		assertThat(result.verify()).isTrue();
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void equalContentHasEqualRootAndDifferentContentADifferentRoot(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Map<String, String> a = contents(random);
		Map<String, String> b = contents(random);
		boolean sameRoot = load(a).rootFingerprint() == load(b).rootFingerprint();
		assertThat(sameRoot).isEqualTo(a.equals(b));
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void aSingleChangedValueChangesTheRoot(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Map<String, String> a = contents(random);
		int key = random.nextInt(601);
		Snapshot base = load(a);
		String k = "k" + key;
		String value = a.containsKey(k) ? a.get(k) + "x" : "fresh";
		Snapshot changed = base.edit().put(b(k), b(value)).commit().snapshot();
		assertThat(changed.rootFingerprint()).isNotEqualTo(base.rootFingerprint());
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void removingThenReAddingRestoresTheRoot(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Map<String, String> a = contents(random);
		Snapshot base = load(a);
		List<String> keys = a.keySet().stream().limit(50).toList();
		Snapshot.Editor remove = base.edit();
		keys.forEach((k) -> remove.remove(b(k)));
		Snapshot removed = remove.commit().snapshot();
		Snapshot.Editor readd = removed.edit();
		keys.forEach((k) -> readd.put(b(k), b(a.get(k))));
		Snapshot restored = readd.commit().snapshot();
		assertThat(restored.rootFingerprint()).isEqualTo(base.rootFingerprint());
		assertThat(toMap(restored)).isEqualTo(a);
		if (!keys.isEmpty()) {
			assertThat(removed.rootFingerprint()).isNotEqualTo(base.rootFingerprint());
		}
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void unchangedSegmentsAreTheSameObjectsAfterADelta(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Map<String, String> a = contents(random);
		Map<String, String> b = contents(random);
		Snapshot sa = load(a);
		Snapshot sb = load(b);
		Delta delta = Delta.diff("laws", 1, sa, 2, sb);
		Snapshot result = Delta.decode(delta.encode()).applyTo(sa);
		for (int s = 0; s < sa.segmentCount(); s++) {
			if (sa.segmentFingerprint(s) == sb.segmentFingerprint(s) && sa.segmentSize(s) == sb.segmentSize(s)) {
				assertThat(result.sharesSegmentWith(sa, s)).as("segment %d", s).isTrue();
			}
		}
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void encodeDecodeRoundTripsAndApplies(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Map<String, String> a = contents(random);
		Map<String, String> b = contents(random);
		Snapshot sa = load(a);
		Snapshot sb = load(b);
		Delta delta = Delta.diff("laws", 3, sa, 9, sb);
		byte[] encoded = delta.encode();
		assertThat(encoded).hasSize(delta.encodedLength());
		Delta decoded = Delta.decode(encoded);
		assertThat(decoded.encode()).isEqualTo(encoded);
		assertThat(decoded.baseVersion()).isEqualTo(3);
		assertThat(decoded.targetVersion()).isEqualTo(9);
		assertThat(decoded.stateName()).isEqualTo("laws");
		assertThat(toMap(decoded.applyTo(sa))).isEqualTo(b);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void editChangesEqualTheDiffOfItsResult(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Map<String, String> a = contents(random);
		Map<String, String> b = contents(random);
		Snapshot sa = load(a);
		Snapshot.Editor editor = sa.edit();
		a.keySet().forEach((k) -> editor.remove(b(k)));
		b.forEach((k, v) -> editor.put(b(k), b(v)));
		Edit edit = editor.commit();
		Delta fromEdit = Delta.of("laws", 1, 2, edit);
		Delta fromDiff = Delta.diff("laws", 1, sa, 2, load(b));
		assertThat(fromEdit.encode()).isEqualTo(fromDiff.encode());
	}

}
