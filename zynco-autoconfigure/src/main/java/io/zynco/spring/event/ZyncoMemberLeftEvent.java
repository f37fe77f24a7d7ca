package io.zynco.spring.event;

import io.zynco.protocol.MemberInfo;
import io.zynco.replication.ZyncoNode;

/** A member left the cluster or was declared failed. Thread-safe (immutable). */
public class ZyncoMemberLeftEvent extends ZyncoMemberEvent {

	private static final long serialVersionUID = 1L;

	private final String reason;

	public ZyncoMemberLeftEvent(ZyncoNode node, MemberInfo member, String reason) {
		super(node, member);
		this.reason = reason;
	}

	/** Why: a graceful leave, a failure timeout, a lost connection. */
	public String getReason() {
		return this.reason;
	}

}
