package io.zynco.spring.event;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ZyncoNode;

/**
 * This node switched back to an older version of a state (a rollback). Listeners of
 * {@link ZyncoSwitchedEvent} receive it too. Thread-safe (immutable).
 */
public class ZyncoRolledBackEvent extends ZyncoSwitchedEvent {

	private static final long serialVersionUID = 1L;

	public ZyncoRolledBackEvent(ZyncoNode node, ClusterView previous, ClusterView current) {
		super(node, previous, current);
	}

	@Override
	public boolean isRollback() {
		return true;
	}

}
