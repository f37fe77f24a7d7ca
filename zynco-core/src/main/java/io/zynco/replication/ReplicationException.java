package io.zynco.replication;

/**
 * A replication request (publish, switch, rollback) that did not happen, with a reason an
 * operator can act on. {@link #reason()} is a stable tag for metrics and HTTP mapping.
 */
public final class ReplicationException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/** Why a request failed. */
	public enum Reason {

		/** The publish was based on a version that is no longer the cluster's. */
		STALE_BASE,
		/** Another publish or switch of the state is in progress. */
		BUSY,
		/** No such state, or no such version in the window. */
		NOT_FOUND,
		/** A member refused to prepare, or the prepare timed out: the switch was aborted. */
		ABORTED,
		/** The coordinator changed or left while the request was in flight. */
		COORDINATOR_CHANGED,
		/** The node is not running. */
		NOT_RUNNING,
		/** The request itself was invalid. */
		INVALID,
		/** The state is pinned at a version. */
		PINNED

	}

	private final Reason reason;

	public ReplicationException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	public Reason reason() {
		return this.reason;
	}

}
