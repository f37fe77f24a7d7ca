package io.zynco.replication;

/**
 * Takes part in every two-phase switch on this node: builds what the next view needs before
 * the node answers PREPARED (the Spring layer builds the next {@code @ZyncoState} beans here),
 * and learns the outcome. Implementations must be thread-safe.
 */
public interface SwitchParticipant {

	/**
	 * Prepares for {@code next}. Runs on a worker thread, never on the node loop. Throwing
	 * refuses the switch, which aborts it on every member.
	 */
	void prepare(ClusterView next) throws Exception;

	/** The node now serves {@code current}; {@code previous} is no longer handed to new requests. */
	default void committed(ClusterView previous, ClusterView current) {
	}

	/** The prepared view will not be served. */
	default void aborted(ClusterView next, String reason) {
	}

}
