package io.zynco.replication.transfer;

/**
 * A {@code TransferBegin} was refused before anything was allocated: its fields are
 * inconsistent or it announces more than this node accepts. The {@link #reason()} is a stable
 * tag for metrics; the node counts the rejection and answers {@code TransferAck(false, ...)}.
 */
public final class TransferRejectedException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/** Why a transfer was refused; stable names for metric tags ({@link #tag()}). */
	public enum Reason {

		/** The kind is neither delta nor snapshot. */
		BAD_KIND("bad-kind"),
		/** Negative total size, or a size that does not fit one array. */
		BAD_SIZE("bad-size"),
		/** More bytes than the configured maximum. */
		TOO_LARGE("too-large"),
		/** Packet payload not positive, or above the configured maximum. */
		BAD_PACKET_PAYLOAD("bad-packet-payload"),
		/** Packet count inconsistent with the total size and the packet payload. */
		BAD_PACKET_COUNT("bad-packet-count"),
		/** Deadline not positive. */
		BAD_DEADLINE("bad-deadline"),
		/** A required field is missing. */
		BAD_FIELD("bad-field");

		private final String tag;

		Reason(String tag) {
			this.tag = tag;
		}

		/** Lower-case tag, as used for rejected-input metrics. */
		public String tag() {
			return this.tag;
		}

	}

	private final Reason reason;

	public TransferRejectedException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	public Reason reason() {
		return this.reason;
	}

}
