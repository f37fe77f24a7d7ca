package io.zynco.membership;

/** Why a member left the local view. Thread-safe (an enum). */
public enum RemovalReason {

	/**
	 * Suspected, then still silent after one more failure timeout, and no other member reported
	 * hearing from it within the timeout.
	 */
	UNREACHABLE,

	/**
	 * A newer process (a different id, started no earlier) connected from the same control
	 * address, so the old one is gone.
	 */
	REPLACED

}
