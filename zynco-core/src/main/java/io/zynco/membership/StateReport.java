package io.zynco.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.zynco.protocol.ControlMessage.StateStatus;

/**
 * What a member reports, in its heartbeats, about one state: the version it serves and that
 * version's root fingerprint, and the newest version it holds. The public counterpart of the
 * wire record {@link StateStatus}, for operators (the starter's endpoint shows it per member).
 * Thread-safe (immutable).
 *
 * @param state the state's name
 * @param active the version the member serves, or -1 if it reported none
 * @param activeRoot the root fingerprint of that version
 * @param newest the newest version the member holds (it may not serve it yet), or -1
 */
public record StateReport(String state, long active, long activeRoot, long newest) {

	public StateReport {
		Objects.requireNonNull(state, "state");
	}

	/** The report carried by a heartbeat's status. */
	public static StateReport of(StateStatus status) {
		return new StateReport(status.state(), status.active(), status.activeRoot(), status.newest());
	}

	/** The reports carried by a heartbeat's statuses, in order. */
	public static List<StateReport> of(List<StateStatus> statuses) {
		List<StateReport> reports = new ArrayList<>(statuses.size());
		statuses.forEach((status) -> reports.add(of(status)));
		return List.copyOf(reports);
	}

}
