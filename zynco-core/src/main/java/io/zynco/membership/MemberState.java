package io.zynco.membership;

/**
 * Where a member in the local view stands. A member that is removed is no longer in the view
 * and has no state; {@link MembershipListener#memberLeft} reports it. Thread-safe (an enum).
 */
public enum MemberState {

	/** Heard from within its failure timeout (directly, or through an indirect probe). */
	ALIVE,

	/**
	 * Silent past its failure timeout, or its connection closed: still in the view (it still
	 * counts as live, and may still be the coordinator) while the node probes it through other
	 * members and tries to reconnect. Removed after one more failure timeout unless a frame or
	 * a positive probe reply arrives first.
	 */
	SUSPECT

}
