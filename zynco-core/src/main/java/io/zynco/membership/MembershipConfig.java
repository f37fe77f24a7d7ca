package io.zynco.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link Membership}. Start from {@link #defaults()} and change what differs with the
 * {@code with...} methods; every instance is validated when built, and an invalid value fails
 * with a message naming the setting and the fix. Thread-safe (immutable).
 *
 * @param heartbeatInterval how often a heartbeat goes to every connected member (default
 * 200 ms); shorter than {@code failureTimeoutBase}
 * @param failureTimeoutBase the fixed part of a member's failure timeout, which is
 * {@code failureTimeoutBase + 2 × RTT average} (default 1 s)
 * @param rttAlpha weight of a new round-trip sample in the moving average, in (0, 1]
 * (default 0.125, as TCP's SRTT)
 * @param probeFanOut how many other members are asked whether they hear a suspect (default 3;
 * 0 disables indirect probes)
 * @param maxMembers the largest view accepted, this node included (default 1024)
 * @param reconnectInterval how often a disconnected member, and the seeds while this node
 * knows no member, are dialed again (default 1 s)
 * @param rejoinInterval how often seeds this node is not connected to, and recently removed
 * members, are dialed, so that partitions heal (default 5 s)
 * @param removedRetention how long a removed member is remembered: it is not learned back
 * from other members' views during that time (only its own connection brings it back), and it
 * is dialed every {@code rejoinInterval} (default 60 s)
 */
public record MembershipConfig(Duration heartbeatInterval, Duration failureTimeoutBase, double rttAlpha,
		int probeFanOut, int maxMembers, Duration reconnectInterval, Duration rejoinInterval,
		Duration removedRetention) {

	private static final Duration MAX_DURATION = Duration.ofDays(1);

	private static final MembershipConfig DEFAULTS = new MembershipConfig(Duration.ofMillis(200),
			Duration.ofSeconds(1), 0.125, 3, 1024, Duration.ofSeconds(1), Duration.ofSeconds(5),
			Duration.ofSeconds(60));

	public MembershipConfig {
		checkDuration("heartbeatInterval", heartbeatInterval);
		checkDuration("failureTimeoutBase", failureTimeoutBase);
		checkDuration("reconnectInterval", reconnectInterval);
		checkDuration("rejoinInterval", rejoinInterval);
		checkDuration("removedRetention", removedRetention);
		if (heartbeatInterval.compareTo(failureTimeoutBase) >= 0) {
			throw new IllegalArgumentException("membership heartbeatInterval (" + heartbeatInterval
					+ ") must be shorter than failureTimeoutBase (" + failureTimeoutBase
					+ "), or members are suspected between two heartbeats; a base of 3 to 10 intervals is usual");
		}
		if (!(rttAlpha > 0.0 && rttAlpha <= 1.0)) {
			throw new IllegalArgumentException(
					"membership rttAlpha must be in (0, 1], not " + rttAlpha + "; 0.125 is the usual weight");
		}
		if (probeFanOut < 0) {
			throw new IllegalArgumentException(
					"membership probeFanOut must be >= 0 (0 disables indirect probes), not " + probeFanOut);
		}
		if (maxMembers < 1) {
			throw new IllegalArgumentException(
					"membership maxMembers must be >= 1 (it counts this node), not " + maxMembers);
		}
	}

	/** Defaults: 200 ms heartbeats, 1 s timeout base, alpha 0.125, 3 probes, 1024 members. */
	public static MembershipConfig defaults() {
		return DEFAULTS;
	}

	public MembershipConfig withHeartbeatInterval(Duration heartbeatInterval) {
		return new MembershipConfig(heartbeatInterval, this.failureTimeoutBase, this.rttAlpha, this.probeFanOut,
				this.maxMembers, this.reconnectInterval, this.rejoinInterval, this.removedRetention);
	}

	/**
	 * Both timings at once: set one at a time, a heartbeat interval longer than the current
	 * timeout base (or a base shorter than the current interval) would be refused before the
	 * other value replaced it.
	 */
	public MembershipConfig withTiming(Duration heartbeatInterval, Duration failureTimeoutBase) {
		return new MembershipConfig(heartbeatInterval, failureTimeoutBase, this.rttAlpha, this.probeFanOut,
				this.maxMembers, this.reconnectInterval, this.rejoinInterval, this.removedRetention);
	}

	public MembershipConfig withFailureTimeoutBase(Duration failureTimeoutBase) {
		return new MembershipConfig(this.heartbeatInterval, failureTimeoutBase, this.rttAlpha, this.probeFanOut,
				this.maxMembers, this.reconnectInterval, this.rejoinInterval, this.removedRetention);
	}

	public MembershipConfig withRttAlpha(double rttAlpha) {
		return new MembershipConfig(this.heartbeatInterval, this.failureTimeoutBase, rttAlpha, this.probeFanOut,
				this.maxMembers, this.reconnectInterval, this.rejoinInterval, this.removedRetention);
	}

	public MembershipConfig withProbeFanOut(int probeFanOut) {
		return new MembershipConfig(this.heartbeatInterval, this.failureTimeoutBase, this.rttAlpha, probeFanOut,
				this.maxMembers, this.reconnectInterval, this.rejoinInterval, this.removedRetention);
	}

	public MembershipConfig withMaxMembers(int maxMembers) {
		return new MembershipConfig(this.heartbeatInterval, this.failureTimeoutBase, this.rttAlpha, this.probeFanOut,
				maxMembers, this.reconnectInterval, this.rejoinInterval, this.removedRetention);
	}

	public MembershipConfig withReconnectInterval(Duration reconnectInterval) {
		return new MembershipConfig(this.heartbeatInterval, this.failureTimeoutBase, this.rttAlpha, this.probeFanOut,
				this.maxMembers, reconnectInterval, this.rejoinInterval, this.removedRetention);
	}

	public MembershipConfig withRejoinInterval(Duration rejoinInterval) {
		return new MembershipConfig(this.heartbeatInterval, this.failureTimeoutBase, this.rttAlpha, this.probeFanOut,
				this.maxMembers, this.reconnectInterval, rejoinInterval, this.removedRetention);
	}

	public MembershipConfig withRemovedRetention(Duration removedRetention) {
		return new MembershipConfig(this.heartbeatInterval, this.failureTimeoutBase, this.rttAlpha, this.probeFanOut,
				this.maxMembers, this.reconnectInterval, this.rejoinInterval, removedRetention);
	}

	private static void checkDuration(String name, Duration value) {
		Objects.requireNonNull(value, () -> "membership " + name + " must be set");
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException("membership " + name + " must be positive, not " + value);
		}
		if (value.compareTo(MAX_DURATION) > 0) {
			throw new IllegalArgumentException("membership " + name + " must be at most " + MAX_DURATION + ", not " + value);
		}
	}

}
