package io.zynco.version;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;

import io.zynco.state.Snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionChainTests {

	private static byte[] b(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static Snapshot initial(int entries) {
		Snapshot.Builder builder = Snapshot.builder(6);
		for (int i = 0; i < entries; i++) {
			builder.put(b("key-" + i), b("value-value-value-" + i));
		}
		return builder.build();
	}

	private static Snapshot change(Snapshot base, int version, int changes) {
		Snapshot.Editor editor = base.edit();
		for (int i = 0; i < changes; i++) {
			editor.put(b("key-" + (i * 37 % 10_000)), b("v" + version + "-" + i));
		}
		return editor.commit().snapshot();
	}

	@Test
	void evictsTheOldestVersionsBeyondTheCount() {
		List<Long> evicted = new ArrayList<>();
		VersionChain chain = VersionChain.builder().maxVersions(3).evictionListener((v) -> evicted.add(v.number())).build();
		Snapshot s = initial(1_000);
		chain.appendAndActivate(1, s, Version.NO_PARENT, "load", -1);
		for (int v = 2; v <= 5; v++) {
			Snapshot next = change(s, v, 10);
			chain.append(v, next, v - 1, "test", 100);
			chain.activate(v);
			s = next;
		}
		assertThat(chain.versions()).extracting(Version::number).containsExactly(3L, 4L, 5L);
		assertThat(evicted).containsExactly(1L, 2L);
		assertThat(chain.active().number()).isEqualTo(5);
	}

	@Test
	void rollbackTargetsDisappearWhenEvicted() {
		VersionChain chain = VersionChain.builder().maxVersions(3).build();
		Snapshot s = initial(1_000);
		chain.appendAndActivate(1, s, Version.NO_PARENT, "load", -1);
		Snapshot s2 = change(s, 2, 5);
		chain.append(2, s2, 1, "t", 1);
		chain.activate(2);
		assertThat(chain.rollbackTargets()).extracting(Version::number).containsExactly(1L);
		chain.activate(1);
		assertThat(chain.active().snapshot()).isSameAs(s);
		chain.activate(2);
		Snapshot s3 = change(s2, 3, 5);
		chain.append(3, s3, 2, "t", 1);
		chain.activate(3);
		chain.append(4, change(s3, 4, 5), 3, "t", 1);
		chain.activate(4);
		assertThat(chain.rollbackTargets()).extracting(Version::number).containsExactly(3L, 2L);
		assertThatThrownBy(() -> chain.activate(1)).isInstanceOf(NoSuchElementException.class)
			.hasMessageContaining("not in the window");
	}

	@Test
	void neverEvictsTheActiveVersionNorTheNewest() {
		VersionChain chain = VersionChain.builder().maxVersions(2).build();
		Snapshot s = initial(100);
		chain.appendAndActivate(1, s, Version.NO_PARENT, "load", -1);
		chain.append(2, change(s, 2, 3), 1, "t", 1);
		chain.append(3, change(s, 3, 3), 1, "t", 1);
		// 1 is active and 3 is newest; 2 goes
		assertThat(chain.versions()).extracting(Version::number).containsExactly(1L, 3L);
		assertThat(chain.active().number()).isEqualTo(1);
	}

	@Test
	void evictsByMemoryCountingSharedStructureOnce() {
		Snapshot s = initial(10_000);
		long full = s.heapBytes();
		// room for the full copy and a few small deltas, nowhere near two full copies
		VersionChain chain = VersionChain.builder().maxVersions(100).maxHeapBytes(full + full / 10).build();
		chain.appendAndActivate(1, s, Version.NO_PARENT, "load", -1);
		Snapshot current = s;
		for (int v = 2; v <= 40; v++) {
			Snapshot next = change(current, v, 20);
			chain.append(v, next, v - 1, "t", 1);
			chain.activate(v);
			current = next;
			assertThat(chain.heapBytes()).isLessThanOrEqualTo(full + full / 10);
		}
		assertThat(chain.size()).isGreaterThan(2).isLessThan(39);
		// the versions kept cost far less than one copy each
		assertThat(chain.heapBytes()).isLessThan(full * 2);
		assertThat(chain.versions().get(0).heapBytesNotInParent()).isEqualTo(chain.versions().get(0).snapshot().heapBytes());
		assertThat(chain.versions().get(1).heapBytesNotInParent()).isLessThan(full / 20);
	}

	@Test
	void evictsByMemoryWithCostsMeasuredBeforeAppending() {
		Snapshot s = initial(10_000);
		long full = s.heapBytes();
		VersionChain measuredFirst = VersionChain.builder().maxVersions(100).maxHeapBytes(full + full / 10).build();
		VersionChain measuredByChain = VersionChain.builder().maxVersions(100).maxHeapBytes(full + full / 10).build();
		measuredFirst.appendAndActivate(1, s, Version.NO_PARENT, "load", -1);
		measuredByChain.appendAndActivate(1, s, Version.NO_PARENT, "load", -1);
		Snapshot current = s;
		for (int v = 2; v <= 40; v++) {
			Snapshot next = change(current, v, 20);
			measuredFirst.append(v, next, v - 1, "t", 1, VersionChain.ParentCost.measure(next, current));
			measuredFirst.activate(v);
			measuredByChain.append(v, next, v - 1, "t", 1);
			measuredByChain.activate(v);
			current = next;
			assertThat(measuredFirst.heapBytes()).isEqualTo(measuredByChain.heapBytes())
				.isLessThanOrEqualTo(full + full / 10);
		}
		// the same evictions: the budget holds a few versions, not all 40
		assertThat(measuredFirst.versions()).extracting(Version::number)
			.isEqualTo(measuredByChain.versions().stream().map(Version::number).toList())
			.hasSizeBetween(3, 38);
	}

	@Test
	void remeasuresACostMeasuredAgainstAnotherSnapshotThanTheParent() {
		Snapshot s = initial(1_000);
		Snapshot next = change(s, 2, 10);
		VersionChain chain = VersionChain.builder().build();
		chain.appendAndActivate(1, s, Version.NO_PARENT, "load", -1);
		// measured against a snapshot that is not version 1's: the chain measures itself
		Version v2 = chain.append(2, next, 1, "t", 1, new VersionChain.ParentCost(initial(1_000), 1));
		assertThat(v2.heapBytesNotInParent()).isEqualTo(next.heapBytesNotIn(s)).isGreaterThan(1);
		// no parent in the window: a measure does not apply, the version costs its full size
		Version v3 = chain.append(3, next, 99, "t", 1, VersionChain.ParentCost.measure(next, s));
		assertThat(v3.heapBytesNotInParent()).isEqualTo(next.heapBytes());
		assertThat(chain.heapBytes()).isEqualTo(s.heapBytes() + next.heapBytesNotIn(s) + next.heapBytes());
	}

	@Test
	void versionNumbersOnlyIncrease() {
		VersionChain chain = VersionChain.builder().build();
		chain.append(5, initial(10), Version.NO_PARENT, "load", -1);
		assertThatIllegalArgumentException().isThrownBy(() -> chain.append(5, initial(10), Version.NO_PARENT, "x", -1))
			.withMessageContaining("only increase");
	}

	@Test
	void rejectsANonsensicalConfiguration() {
		assertThatIllegalArgumentException().isThrownBy(() -> VersionChain.builder().maxVersions(1))
			.withMessageContaining("at least 2");
		assertThatIllegalArgumentException().isThrownBy(() -> VersionChain.builder().maxHeapBytes(0))
			.withMessageContaining("positive");
	}

}
