package io.zynco.state;

import org.junit.jupiter.api.Test;

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

}
