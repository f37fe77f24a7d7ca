package io.zynco.spring.event;

import io.zynco.replication.ZyncoNode;

/**
 * A switch this node had prepared, or was preparing, was aborted: a member refused to
 * prepare, or the prepare timed out. The view served is unchanged. Thread-safe (immutable).
 */
public class ZyncoSwitchAbortedEvent extends ZyncoEvent {

	private static final long serialVersionUID = 1L;

	private final long switchId;

	private final String reason;

	public ZyncoSwitchAbortedEvent(ZyncoNode node, long switchId, String reason) {
		super(node);
		this.switchId = switchId;
		this.reason = reason;
	}

	public long getSwitchId() {
		return this.switchId;
	}

	/** Why the switch was aborted, naming the member at fault. */
	public String getReason() {
		return this.reason;
	}

}
