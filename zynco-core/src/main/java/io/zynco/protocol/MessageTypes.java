package io.zynco.protocol;

/**
 * Type ids of the wire protocol, in one place: control frames (TCP) and data packets (UDP).
 * Ids are never reused; a retired type keeps its number reserved.
 */
public final class MessageTypes {

	/** Version of the wire protocol this code speaks. */
	public static final int PROTOCOL_VERSION = 1;

	// control frames (TCP)
	public static final byte HELLO = 1;

	public static final byte HELLO_AUTH = 2;

	public static final byte HEARTBEAT = 3;

	public static final byte HEARTBEAT_ACK = 4;

	public static final byte VIEW = 5;

	public static final byte VIEW_REQUEST = 6;

	public static final byte PROBE_REQUEST = 7;

	public static final byte PROBE_REPLY = 8;

	public static final byte TRANSFER_BEGIN = 10;

	public static final byte NACK = 11;

	public static final byte TRANSFER_ACK = 12;

	public static final byte TRANSFER_DROP = 13;

	public static final byte PREPARE = 20;

	public static final byte PREPARED = 21;

	public static final byte COMMIT = 22;

	public static final byte ABORT = 23;

	public static final byte SWITCHED = 24;

	public static final byte PUBLISH_REQUEST = 30;

	public static final byte PUBLISH_RESULT = 31;

	public static final byte PIN = 32;

	public static final byte SWITCH_REQUEST = 33;

	public static final byte SWITCH_RESULT = 34;

	public static final byte PUBLISH_CHUNK = 35;

	public static final byte CATCH_UP_REQUEST = 40;

	public static final byte CATCH_UP_CHUNK = 41;

	// data packets (UDP)
	public static final byte DATA = 1;

	/** A data packet re-sent after a NACK. */
	public static final byte DATA_REPAIR = 2;

	/** Multicast probe sent at start by transport mode {@code auto}. */
	public static final byte PROBE = 3;

	/** Multicast announcement of a member (discovery mode {@code multicast}). */
	public static final byte ANNOUNCE = 4;

	private MessageTypes() {
	}

}
