package io.zynco.protocol;

/**
 * Why a control frame, a handshake or a data packet was rejected. Each reason has a stable,
 * lower-case {@link #tag()} that is passed to {@code io.zynco.transport.RejectedInput} and
 * becomes a metric tag: never rename one.
 */
public enum RejectReason {

	/** Shorter than its fixed part or than a length it announces. */
	TRUNCATED("truncated"),

	/** Bytes left over after the last field of a frame. */
	TRAILING_BYTES("trailing-bytes"),

	/** Longer than the configured maximum (frame or packet). */
	TOO_LONG("too-long"),

	/** A length field that is negative or disagrees with the size of what carries it. */
	BAD_LENGTH("bad-length"),

	/** A control frame type this node does not know. */
	UNKNOWN_TYPE("unknown-type"),

	/** A field outside its allowed range (a boolean that is not 0 or 1, a missing value, ...). */
	BAD_FIELD("bad-field"),

	/** A string that is not well-formed UTF-8. */
	BAD_UTF8("bad-utf8"),

	/** A handshake for another cluster. */
	WRONG_CLUSTER("wrong-cluster"),

	/** A handshake speaking another protocol version. */
	WRONG_VERSION("wrong-version"),

	/** A handshake whose MAC does not prove knowledge of the cluster secret. */
	BAD_AUTH("bad-auth"),

	/** A frame that is not allowed at this point of the connection (anything but the handshake before it completes). */
	UNEXPECTED_FRAME("unexpected-frame"),

	/** The handshake did not complete in time. */
	HANDSHAKE_TIMEOUT("handshake-timeout"),

	/** A node dialed itself (its seed list names its own address). */
	SELF_CONNECTION("self-connection"),

	/** The TLS handshake or a TLS record failed. */
	TLS("tls"),

	/** A data packet that does not start with the data magic number. */
	BAD_MAGIC("bad-magic"),

	/** A data packet of another protocol version. */
	BAD_VERSION("bad-version"),

	/** A data packet type this node does not know. */
	BAD_TYPE("bad-type"),

	/** A data packet sealed with another authentication mode than ours. */
	WRONG_AUTH_MODE("wrong-auth-mode"),

	/** A data packet whose authentication tag does not verify (tampered, or another key). */
	BAD_MAC("bad-mac"),

	/** A data packet whose counter was already accepted from that sender. */
	REPLAYED("replayed"),

	/** A data packet whose counter is older than the anti-replay window. */
	TOO_OLD("too-old");

	private final String tag;

	RejectReason(String tag) {
		this.tag = tag;
	}

	/** The stable metric tag. */
	public String tag() {
		return this.tag;
	}

}
