package io.zynco.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Flyweight over one UDP data packet held in a {@code byte[]}: named offsets, big-endian
 * accessors, a header writer and a validator, none of which allocate. Wrap a buffer, read or
 * write fields, wrap the next one (aeron {@code HeaderFlyweight} style).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      magic 0x5A59 ("ZY")      |  version (1)  |   type (1)    |  0
 * +---------------+---------------+---------------+---------------+
 * |   flags (0)   | auth mode (1) |         reserved (0)          |  4
 * +---------------+---------------+-------------------------------+
 * |                         sender id (8)                         |  8
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                       packet counter (8)                      | 16
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                        transfer id (8)                        | 24
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                          sequence (4)                         | 32
 * +---------------------------------------------------------------+
 * |                            count (4)                          | 36
 * +---------------------------------------------------------------+
 * |                       payload length (4)                      | 40
 * +---------------------------------------------------------------+
 * |             payload (payload length bytes) ...                | 44
 * +---------------------------------------------------------------+
 * |                 authentication tag (16)                       |
 * |                                                               |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 * <li><b>type</b>: {@link MessageTypes#DATA}, {@link MessageTypes#DATA_REPAIR},
 * {@link MessageTypes#PROBE} or {@link MessageTypes#ANNOUNCE}</li>
 * <li><b>flags</b> and <b>reserved</b>: zero in version 1, rejected otherwise</li>
 * <li><b>auth mode</b>: {@link PacketAuthenticator.Mode#wireId()} of the sender's
 * authenticator; a receiver rejects any other mode than its own</li>
 * <li><b>sender id</b>: the sending member's id</li>
 * <li><b>packet counter</b>: per sender, starts at 1 and increases by one per packet; the
 * anti-replay window runs over it, and with AES-GCM it is part of the nonce</li>
 * <li><b>transfer id</b>, <b>sequence</b>, <b>count</b>: which transfer, which packet of it
 * (0-based), how many packets it has; a {@code PROBE} carries its probe id in the transfer
 * id, an {@code ANNOUNCE} carries zeros</li>
 * <li><b>payload length</b>: must equal the datagram length minus {@value #OVERHEAD}</li>
 * <li><b>tag</b>: HMAC-SHA256 over header and payload truncated to 16 bytes, or the AES-GCM
 * tag (payload encrypted, header as associated data), or 16 zero bytes with no
 * authentication</li>
 * </ul>
 * Not thread-safe: one flyweight per thread.
 */
public final class DataPacket {

	/** The first two bytes of every data packet: "ZY". */
	public static final short MAGIC = 0x5A59;

	public static final int MAGIC_OFFSET = 0;

	public static final int VERSION_OFFSET = 2;

	public static final int TYPE_OFFSET = 3;

	public static final int FLAGS_OFFSET = 4;

	public static final int AUTH_MODE_OFFSET = 5;

	public static final int RESERVED_OFFSET = 6;

	public static final int SENDER_ID_OFFSET = 8;

	public static final int COUNTER_OFFSET = 16;

	public static final int TRANSFER_ID_OFFSET = 24;

	public static final int SEQUENCE_OFFSET = 32;

	public static final int COUNT_OFFSET = 36;

	public static final int PAYLOAD_LENGTH_OFFSET = 40;

	/** Length of the header; the payload starts here. */
	public static final int HEADER_LENGTH = 44;

	/** Length of the authentication tag after the payload. */
	public static final int TAG_LENGTH = 16;

	/** Header and tag: a packet's size minus its payload. */
	public static final int OVERHEAD = HEADER_LENGTH + TAG_LENGTH;

	/** Largest UDP payload over IPv4 (65,535 - 20 - 8). */
	public static final int MAX_PACKET_SIZE = 65_507;

	/** Smallest packet size this code accepts as a configuration. */
	public static final int MIN_PACKET_SIZE = 256;

	private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

	private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

	private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

	private byte[] buffer;

	private int offset;

	/** Points the flyweight at a packet starting at {@code offset}. */
	public DataPacket wrap(byte[] buffer, int offset) {
		this.buffer = Objects.requireNonNull(buffer, "buffer");
		this.offset = offset;
		return this;
	}

	public byte[] buffer() {
		return this.buffer;
	}

	public int offset() {
		return this.offset;
	}

	public short magic() {
		return (short) SHORT.get(this.buffer, this.offset + MAGIC_OFFSET);
	}

	public int version() {
		return this.buffer[this.offset + VERSION_OFFSET] & 0xFF;
	}

	public byte type() {
		return this.buffer[this.offset + TYPE_OFFSET];
	}

	public int flags() {
		return this.buffer[this.offset + FLAGS_OFFSET] & 0xFF;
	}

	public byte authMode() {
		return this.buffer[this.offset + AUTH_MODE_OFFSET];
	}

	public int reserved() {
		return (short) SHORT.get(this.buffer, this.offset + RESERVED_OFFSET) & 0xFFFF;
	}

	public long senderId() {
		return (long) LONG.get(this.buffer, this.offset + SENDER_ID_OFFSET);
	}

	public long counter() {
		return (long) LONG.get(this.buffer, this.offset + COUNTER_OFFSET);
	}

	public long transferId() {
		return (long) LONG.get(this.buffer, this.offset + TRANSFER_ID_OFFSET);
	}

	public int sequence() {
		return (int) INT.get(this.buffer, this.offset + SEQUENCE_OFFSET);
	}

	public int count() {
		return (int) INT.get(this.buffer, this.offset + COUNT_OFFSET);
	}

	public int payloadLength() {
		return (int) INT.get(this.buffer, this.offset + PAYLOAD_LENGTH_OFFSET);
	}

	/** Index of the payload's first byte in {@link #buffer()}. */
	public int payloadOffset() {
		return this.offset + HEADER_LENGTH;
	}

	/** Index of the tag's first byte in {@link #buffer()} (after the payload). */
	public int tagOffset() {
		return this.offset + HEADER_LENGTH + payloadLength();
	}

	/** Whole packet length according to its payload length field. */
	public int frameLength() {
		return OVERHEAD + payloadLength();
	}

	/**
	 * Writes a version-1 header (flags and reserved zero) at the wrapped offset; the caller
	 * then copies the payload to {@link #payloadOffset()} and seals the packet.
	 * @return this flyweight
	 */
	public DataPacket writeHeader(byte type, byte authMode, long senderId, long counter, long transferId,
			int sequence, int count, int payloadLength) {
		byte[] b = this.buffer;
		int o = this.offset;
		SHORT.set(b, o + MAGIC_OFFSET, MAGIC);
		b[o + VERSION_OFFSET] = (byte) MessageTypes.PROTOCOL_VERSION;
		b[o + TYPE_OFFSET] = type;
		b[o + FLAGS_OFFSET] = 0;
		b[o + AUTH_MODE_OFFSET] = authMode;
		SHORT.set(b, o + RESERVED_OFFSET, (short) 0);
		LONG.set(b, o + SENDER_ID_OFFSET, senderId);
		LONG.set(b, o + COUNTER_OFFSET, counter);
		LONG.set(b, o + TRANSFER_ID_OFFSET, transferId);
		INT.set(b, o + SEQUENCE_OFFSET, sequence);
		INT.set(b, o + COUNT_OFFSET, count);
		INT.set(b, o + PAYLOAD_LENGTH_OFFSET, payloadLength);
		return this;
	}

	/**
	 * Checks the structure of a received packet of {@code length} bytes at the wrapped offset
	 * (not its authentication). Allocates nothing.
	 * @param maxPacketSize the configured packet size
	 * @return null if the header is well-formed, else why not
	 */
	public RejectReason validate(int length, int maxPacketSize) {
		if (length < OVERHEAD) {
			return RejectReason.TRUNCATED;
		}
		if (length > maxPacketSize) {
			return RejectReason.TOO_LONG;
		}
		if (magic() != MAGIC) {
			return RejectReason.BAD_MAGIC;
		}
		if (version() != MessageTypes.PROTOCOL_VERSION) {
			return RejectReason.BAD_VERSION;
		}
		byte type = type();
		if (type != MessageTypes.DATA && type != MessageTypes.DATA_REPAIR && type != MessageTypes.PROBE
				&& type != MessageTypes.ANNOUNCE) {
			return RejectReason.BAD_TYPE;
		}
		if (flags() != 0 || reserved() != 0 || counter() <= 0) {
			return RejectReason.BAD_FIELD;
		}
		if (payloadLength() != length - OVERHEAD) {
			return RejectReason.BAD_LENGTH;
		}
		return null;
	}

}
