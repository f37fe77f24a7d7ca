package io.zynco.spring.event;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ZyncoNode;

/**
 * This node switched from one view to the next: new requests see {@link #getCurrent()}.
 * A {@link ZyncoRolledBackEvent} when the switch was a rollback. Thread-safe (immutable).
 */
public class ZyncoSwitchedEvent extends ZyncoEvent {

	private static final long serialVersionUID = 1L;

	private final transient ClusterView previous;

	private final transient ClusterView current;

	public ZyncoSwitchedEvent(ZyncoNode node, ClusterView previous, ClusterView current) {
		super(node);
		this.previous = previous;
		this.current = current;
	}

	/** The view served before the switch. */
	public ClusterView getPrevious() {
		return this.previous;
	}

	/** The view served now. */
	public ClusterView getCurrent() {
		return this.current;
	}

	/** Whether the switch was a rollback to an older version. */
	public boolean isRollback() {
		return false;
	}

}
