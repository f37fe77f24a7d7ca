package io.zynco.spring.event;

import io.zynco.replication.ZyncoNode;

/**
 * A version that arrived on this node failed verification and was not kept; the node fetches
 * it again. Worth an alert when it repeats. Thread-safe (immutable).
 */
public class ZyncoVersionMismatchEvent extends ZyncoEvent {

	private static final long serialVersionUID = 1L;

	private final String state;

	private final long version;

	private final String reason;

	public ZyncoVersionMismatchEvent(ZyncoNode node, String state, long version, String reason) {
		super(node);
		this.state = state;
		this.version = version;
		this.reason = reason;
	}

	public String getState() {
		return this.state;
	}

	public long getVersion() {
		return this.version;
	}

	public String getReason() {
		return this.reason;
	}

}
