package io.zynco.spring.event;

import org.springframework.context.ApplicationEvent;

import io.zynco.replication.ZyncoNode;

/**
 * Something that happened to this node's Zynco cluster. Published after the fact, in the
 * order it happened, on a Zynco event thread (never on the node's protocol thread), so a
 * listener may take its time without holding the cluster back. Thread-safe (immutable).
 */
public abstract class ZyncoEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	protected ZyncoEvent(ZyncoNode node) {
		super(node);
	}

	/** The node the event happened on. */
	public ZyncoNode getNode() {
		return (ZyncoNode) getSource();
	}

}
