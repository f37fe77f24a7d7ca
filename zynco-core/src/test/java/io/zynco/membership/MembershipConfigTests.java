package io.zynco.membership;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class MembershipConfigTests {

	private final MembershipConfig defaults = MembershipConfig.defaults();

	@Test
	void hasTheDocumentedDefaults() {
		assertThat(this.defaults.heartbeatInterval()).isEqualTo(Duration.ofMillis(200));
		assertThat(this.defaults.failureTimeoutBase()).isEqualTo(Duration.ofSeconds(1));
		assertThat(this.defaults.rttAlpha()).isEqualTo(0.125);
		assertThat(this.defaults.probeFanOut()).isEqualTo(3);
		assertThat(this.defaults.maxMembers()).isEqualTo(1024);
		assertThat(this.defaults.reconnectInterval()).isEqualTo(Duration.ofSeconds(1));
		assertThat(this.defaults.rejoinInterval()).isEqualTo(Duration.ofSeconds(5));
		assertThat(this.defaults.removedRetention()).isEqualTo(Duration.ofSeconds(60));
	}

	@Test
	void withersChangeOneSetting() {
		MembershipConfig config = this.defaults.withProbeFanOut(0).withMaxMembers(16);
		assertThat(config.probeFanOut()).isZero();
		assertThat(config.maxMembers()).isEqualTo(16);
		assertThat(config.heartbeatInterval()).isEqualTo(this.defaults.heartbeatInterval());
	}

	@Test
	void rejectsNonPositiveOrHugeDurations() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.defaults.withHeartbeatInterval(Duration.ZERO))
			.withMessage("membership heartbeatInterval must be positive, not PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> this.defaults.withRejoinInterval(Duration.ofSeconds(-1)))
			.withMessageContaining("rejoinInterval must be positive");
		assertThatIllegalArgumentException().isThrownBy(() -> this.defaults.withRemovedRetention(Duration.ofDays(2)))
			.withMessageContaining("removedRetention must be at most PT24H");
		assertThatNullPointerException().isThrownBy(() -> this.defaults.withReconnectInterval(null))
			.withMessage("membership reconnectInterval must be set");
	}

	@Test
	void rejectsAHeartbeatIntervalNotShorterThanTheTimeoutBase() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.defaults.withHeartbeatInterval(Duration.ofSeconds(1)))
			.withMessageContaining("heartbeatInterval (PT1S) must be shorter than failureTimeoutBase (PT1S)");
	}

	@Test
	void setsBothTimingsAtOnce() {
		// one at a time, the 4 s interval would be refused against the default 1 s base
		MembershipConfig slow = this.defaults.withTiming(Duration.ofSeconds(4), Duration.ofSeconds(20));
		assertThat(slow.heartbeatInterval()).isEqualTo(Duration.ofSeconds(4));
		assertThat(slow.failureTimeoutBase()).isEqualTo(Duration.ofSeconds(20));
		assertThat(slow.probeFanOut()).isEqualTo(this.defaults.probeFanOut());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.defaults.withTiming(Duration.ofSeconds(2), Duration.ofSeconds(2)))
			.withMessageContaining("must be shorter than failureTimeoutBase");
	}

	@Test
	void rejectsOutOfRangeNumbers() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.defaults.withRttAlpha(0))
			.withMessageContaining("rttAlpha must be in (0, 1]");
		assertThatIllegalArgumentException().isThrownBy(() -> this.defaults.withRttAlpha(Double.NaN))
			.withMessageContaining("rttAlpha");
		assertThatIllegalArgumentException().isThrownBy(() -> this.defaults.withProbeFanOut(-1))
			.withMessageContaining("probeFanOut must be >= 0");
		assertThatIllegalArgumentException().isThrownBy(() -> this.defaults.withMaxMembers(0))
			.withMessageContaining("maxMembers must be >= 1");
	}

}
