package io.zynco.replication.transfer;

/**
 * What {@link TransferReceiver#onData} did with one packet. Rejections carry a stable tag for
 * the rejected-input metrics.
 */
public enum PacketOutcome {

	/** A new packet, copied into place. */
	ADDED(null),
	/** A new packet, and the last one missing: the transfer is complete. */
	COMPLETED(null),
	/** A packet already held (or any valid packet after completion); ignored and counted. */
	DUPLICATE(null),
	/** Sequence number outside {@code [0, count)}. */
	BAD_SEQUENCE("bad-sequence"),
	/** Count differs from the one announced in {@code TransferBegin}. */
	BAD_COUNT("bad-count"),
	/** Length differs from the one this sequence number must have, or outside the buffer. */
	BAD_LENGTH("bad-length");

	private final String reason;

	PacketOutcome(String reason) {
		this.reason = reason;
	}

	/** Whether the packet was invalid (and counted as rejected). */
	public boolean isRejected() {
		return this.reason != null;
	}

	/** Lower-case rejection tag, or null if the packet was not rejected. */
	public String reason() {
		return this.reason;
	}

}
