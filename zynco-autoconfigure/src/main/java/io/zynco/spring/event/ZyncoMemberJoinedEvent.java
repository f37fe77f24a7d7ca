package io.zynco.spring.event;

import io.zynco.protocol.MemberInfo;
import io.zynco.replication.ZyncoNode;

/** A member joined the cluster. Thread-safe (immutable). */
public class ZyncoMemberJoinedEvent extends ZyncoMemberEvent {

	private static final long serialVersionUID = 1L;

	public ZyncoMemberJoinedEvent(ZyncoNode node, MemberInfo member) {
		super(node, member);
	}

}
