package io.zynco.spring.event;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ZyncoNode;

/**
 * This node prepared a switch: it holds the versions of the next view and its
 * {@code @ZyncoState} beans for them are built. The switch itself may still be aborted.
 * Thread-safe (immutable).
 */
public class ZyncoPreparedEvent extends ZyncoEvent {

	private static final long serialVersionUID = 1L;

	private final transient ClusterView next;

	public ZyncoPreparedEvent(ZyncoNode node, ClusterView next) {
		super(node);
		this.next = next;
	}

	/** The view prepared. */
	public ClusterView getNext() {
		return this.next;
	}

}
