package io.zynco.membership;

import java.util.List;

import io.zynco.protocol.ControlMessage.StateStatus;
import io.zynco.protocol.MemberInfo;

/**
 * One member's status as this node sees it, for the operations endpoint and for tests. A
 * snapshot taken on the node loop; thread-safe (immutable).
 *
 * @param member who the member is
 * @param state alive or suspected
 * @param self whether this is the local node (then the times are zero and the rest is local)
 * @param connected whether a control connection to the member is up
 * @param lastHeardNanos node-clock time of the last frame received from the member
 * @param silenceNanos nanoseconds since then, when the status was taken
 * @param rttNanos moving average of the heartbeat round trip, -1 before the first sample
 * @param failureTimeoutNanos the member's failure timeout: base + 2 × RTT average
 * @param ready whether the member reported itself ready in its last heartbeat (false before
 * the first)
 * @param switchId the last switch the member reported committing (0 before its first heartbeat)
 * @param states the states reported in its last heartbeat (empty before the first)
 * @param viewDigest the view digest reported in its last heartbeat (0 before the first)
 */
public record MemberStatus(MemberInfo member, MemberState state, boolean self, boolean connected,
		long lastHeardNanos, long silenceNanos, long rttNanos, long failureTimeoutNanos, boolean ready,
		long switchId, List<StateStatus> states, long viewDigest) {

	public MemberStatus {
		states = List.copyOf(states);
	}

}
