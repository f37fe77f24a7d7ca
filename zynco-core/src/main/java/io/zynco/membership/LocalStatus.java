package io.zynco.membership;

import java.util.List;
import java.util.Objects;

import io.zynco.protocol.ControlMessage.StateStatus;

/**
 * What this node reports about itself in every heartbeat: whether it is ready to serve, the
 * last switch it committed, and each state's versions. The node supplies it to {@link Membership} on each heartbeat.
 * Thread-safe (immutable).
 *
 * @param ready whether this node is ready to serve (false while it catches up)
 * @param switchId the id of the last switch this node committed (0 before the first)
 * @param states each state's active and newest version on this node
 */
public record LocalStatus(boolean ready, long switchId, List<StateStatus> states) {

	/** Ready, with no state: for a node that holds no state yet, and for tests. */
	public static final LocalStatus READY_WITHOUT_STATES = new LocalStatus(true, 0, List.of());

	public LocalStatus {
		states = List.copyOf(Objects.requireNonNull(states, "states"));
	}

}
