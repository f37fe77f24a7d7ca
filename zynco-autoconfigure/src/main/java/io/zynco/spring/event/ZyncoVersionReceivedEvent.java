package io.zynco.spring.event;

import io.zynco.replication.ZyncoNode;

/**
 * A new version of a state arrived on this node and was verified (its root fingerprint
 * matched); it is not served until the cluster switches to it. Thread-safe (immutable).
 */
public class ZyncoVersionReceivedEvent extends ZyncoEvent {

	private static final long serialVersionUID = 1L;

	private final String state;

	private final long version;

	private final long bytes;

	private final boolean viaCatchUp;

	public ZyncoVersionReceivedEvent(ZyncoNode node, String state, long version, long bytes, boolean viaCatchUp) {
		super(node);
		this.state = state;
		this.version = version;
		this.bytes = bytes;
		this.viaCatchUp = viaCatchUp;
	}

	public String getState() {
		return this.state;
	}

	public long getVersion() {
		return this.version;
	}

	/** Bytes that travelled (the delta or snapshot). */
	public long getBytes() {
		return this.bytes;
	}

	/** Whether the version came by catch-up from a peer rather than a cluster transfer. */
	public boolean isViaCatchUp() {
		return this.viaCatchUp;
	}

}
