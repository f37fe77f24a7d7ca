package io.zynco.state;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The laws the rest of Zynco relies on, checked over random content: small key spaces so that
 * two random maps overlap, and enough entries for leaves to split into branches.
 */
class SnapshotLawsTests {

	private static final int SEGMENT_BITS = 2;

	@Provide
	Arbitrary<Map<String, String>> contents() {
		Arbitrary<String> keys = Arbitraries.integers().between(0, 600).map((i) -> "k" + i);
		Arbitrary<String> values = Arbitraries.strings().alpha().numeric().ofMaxLength(12);
		return Arbitraries.maps(keys, values).ofMaxSize(400);
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

	@Property(tries = 200)
	void applyingTheDiffOfTwoSnapshotsToTheFirstGivesTheSecond(@ForAll("contents") Map<String, String> a,
			@ForAll("contents") Map<String, String> b) {
		Snapshot sa = load(a);
		Snapshot sb = load(b);
		Snapshot result = sa.apply(sa.diff(sb));
		assertThat(toMap(result)).isEqualTo(b);
		assertThat(result.rootFingerprint()).isEqualTo(sb.rootFingerprint());
		assertThat(result.verify()).isTrue();
	}

	@Property(tries = 200)
	void equalContentHasEqualRootAndDifferentContentADifferentRoot(@ForAll("contents") Map<String, String> a,
			@ForAll("contents") Map<String, String> b) {
		boolean sameRoot = load(a).rootFingerprint() == load(b).rootFingerprint();
		assertThat(sameRoot).isEqualTo(a.equals(b));
	}

	@Property(tries = 200)
	void aSingleChangedValueChangesTheRoot(@ForAll("contents") Map<String, String> a, @ForAll @IntRange(max = 600) int key) {
		Snapshot base = load(a);
		String k = "k" + key;
		String value = a.containsKey(k) ? a.get(k) + "x" : "fresh";
		Snapshot changed = base.edit().put(b(k), b(value)).commit().snapshot();
		assertThat(changed.rootFingerprint()).isNotEqualTo(base.rootFingerprint());
	}

	@Property(tries = 200)
	void removingThenReAddingRestoresTheRoot(@ForAll("contents") Map<String, String> a) {
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

	@Property(tries = 200)
	void unchangedSegmentsAreTheSameObjectsAfterADelta(@ForAll("contents") Map<String, String> a,
			@ForAll("contents") Map<String, String> b) {
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

	@Property(tries = 200)
	void encodeDecodeRoundTripsAndApplies(@ForAll("contents") Map<String, String> a,
			@ForAll("contents") Map<String, String> b) {
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

	@Property(tries = 100)
	void editChangesEqualTheDiffOfItsResult(@ForAll("contents") Map<String, String> a,
			@ForAll("contents") Map<String, String> b) {
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
