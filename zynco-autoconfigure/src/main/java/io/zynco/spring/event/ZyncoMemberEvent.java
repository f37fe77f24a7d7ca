package io.zynco.spring.event;

import io.zynco.protocol.MemberInfo;
import io.zynco.replication.ZyncoNode;

/** A change to the cluster's membership as this node sees it. Thread-safe (immutable). */
public abstract class ZyncoMemberEvent extends ZyncoEvent {

	private static final long serialVersionUID = 1L;

	private final transient MemberInfo member;

	protected ZyncoMemberEvent(ZyncoNode node, MemberInfo member) {
		super(node);
		this.member = member;
	}

	/** The member concerned. */
	public MemberInfo getMember() {
		return this.member;
	}

}
