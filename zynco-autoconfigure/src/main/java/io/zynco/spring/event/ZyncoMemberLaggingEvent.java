package io.zynco.spring.event;

import io.zynco.protocol.MemberInfo;
import io.zynco.replication.ZyncoNode;

/**
 * A member (this node, when {@code getMember()} is {@code getNode().self()}) is behind the
 * cluster on a state and catches up. Thread-safe (immutable).
 */
public class ZyncoMemberLaggingEvent extends ZyncoMemberEvent {

	private static final long serialVersionUID = 1L;

	private final String state;

	private final long version;

	private final long clusterVersion;

	public ZyncoMemberLaggingEvent(ZyncoNode node, MemberInfo member, String state, long version,
			long clusterVersion) {
		super(node, member);
		this.state = state;
		this.version = version;
		this.clusterVersion = clusterVersion;
	}

	public String getState() {
		return this.state;
	}

	/** The version the member serves. */
	public long getVersion() {
		return this.version;
	}

	/** The version the cluster serves. */
	public long getClusterVersion() {
		return this.clusterVersion;
	}

}
