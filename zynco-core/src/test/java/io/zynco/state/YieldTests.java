package io.zynco.state;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.zynco.state.internal.ThreadSlices;
import io.zynco.testing.Platform;

import static org.assertj.core.api.Assertions.assertThat;

class YieldTests {

	@Test
	void theSliceDefaultsTo100MicrosAndZeroTurnsYieldingOff() {
		assertThat(Yield.sliceNanos(null)).isEqualTo(100_000);
		assertThat(Yield.sliceNanos(" ")).isEqualTo(100_000);
		assertThat(Yield.sliceNanos("250")).isEqualTo(250_000);
		assertThat(Yield.sliceNanos(" 0 ")).isZero();
		// the property is not set in the tests' JVM
		assertThat(Yield.enabled()).isTrue();
	}

	@Test
	void aBadSliceFallsBackToTheDefault() {
		assertThat(Yield.sliceNanos("fast")).isEqualTo(100_000);
		assertThat(Yield.sliceNanos("-1")).isEqualTo(100_000);
		assertThat(Yield.sliceNanos("1000001")).isEqualTo(100_000);
	}

	@Test
	void theBackgroundSliceDefaultsTo10MillisAndZeroLeavesThreadsAlone() {
		assertThat(Yield.backgroundSliceNanos(null)).isEqualTo(10_000_000);
		assertThat(Yield.backgroundSliceNanos("100")).isEqualTo(100_000);
		assertThat(Yield.backgroundSliceNanos(" 100000 ")).isEqualTo(100_000_000);
		assertThat(Yield.backgroundSliceNanos("0")).isZero();
	}

	@Test
	void aBackgroundSliceTheKernelWouldRefuseFallsBackToTheDefault() {
		assertThat(Yield.backgroundSliceNanos("99")).isEqualTo(10_000_000);
		assertThat(Yield.backgroundSliceNanos("100001")).isEqualTo(10_000_000);
		assertThat(Yield.backgroundSliceNanos("-5")).isEqualTo(10_000_000);
		assertThat(Yield.backgroundSliceNanos("long")).isEqualTo(10_000_000);
	}

	@Test
	void aBackgroundThreadGetsTheLongSliceWhereThePlatformHasIt() throws Exception {
		AtomicBoolean applied = new AtomicBoolean();
		AtomicLong slice = new AtomicLong();
		Platform.onNewThread(() -> {
			applied.set(Yield.backgroundThread());
			slice.set(ThreadSlices.get(0));
		});
		if (Platform.threadSlices()) {
			assertThat(applied).isTrue();
			assertThat(slice.get()).isEqualTo(10_000_000);
			assertThat(Yield.backgroundSliceNanos()).isEqualTo(10_000_000);
			assertThat(Yield.backgroundStatus()).isEqualTo("background threads have a 10000 µs scheduler slice");
		}
		else {
			assertThat(applied).isFalse();
			assertThat(Yield.backgroundSliceNanos()).isZero();
			assertThat(Yield.backgroundStatus()).startsWith("background threads keep the default scheduler slice: ");
		}
	}

	@Test
	void theJvmsCompilerThreadsGetTheLongSliceOnRequest() {
		int count = Yield.jvmBackgroundThreads();
		if (!Platform.threadSlices()) {
			assertThat(count).isZero();
			return;
		}
		Map<Integer, String> compilers = new HashMap<>(ThreadSlices.threads());
		compilers.values().removeIf((name) -> !name.contains("CompilerThre"));
		// the tests' JVM runs the JIT, so it has at least one compiler thread
		assertThat(compilers).isNotEmpty();
		assertThat(count).isGreaterThanOrEqualTo(compilers.size());
		compilers.forEach((tid, name) -> assertThat(ThreadSlices.get(tid)).as(name).isIn(10_000_000L, -1L));
	}

}
