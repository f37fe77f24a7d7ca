package io.zynco.replication;

/** What happens to a state's new version once every member holds it. */
public enum SwitchPolicy {

	/** The cluster switches to it at once (two-phase: prepare, then commit). */
	AUTO,

	/**
	 * Every member receives and verifies it, then the cluster waits for an explicit
	 * {@link ZyncoNode#switchTo switch} (an operator, or code that switches several states
	 * together), which prepares and commits it.
	 */
	MANUAL

}
