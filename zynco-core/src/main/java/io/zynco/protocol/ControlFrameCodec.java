package io.zynco.protocol;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import io.zynco.protocol.ControlMessage.Abort;
import io.zynco.protocol.ControlMessage.CatchUpChunk;
import io.zynco.protocol.ControlMessage.CatchUpRequest;
import io.zynco.protocol.ControlMessage.Commit;
import io.zynco.protocol.ControlMessage.Heartbeat;
import io.zynco.protocol.ControlMessage.HeartbeatAck;
import io.zynco.protocol.ControlMessage.Hello;
import io.zynco.protocol.ControlMessage.HelloAuth;
import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.Pin;
import io.zynco.protocol.ControlMessage.Prepare;
import io.zynco.protocol.ControlMessage.Prepared;
import io.zynco.protocol.ControlMessage.ProbeReply;
import io.zynco.protocol.ControlMessage.ProbeRequest;
import io.zynco.protocol.ControlMessage.PublishChunk;
import io.zynco.protocol.ControlMessage.PublishRequest;
import io.zynco.protocol.ControlMessage.PublishResult;
import io.zynco.protocol.ControlMessage.StateStatus;
import io.zynco.protocol.ControlMessage.SwitchRequest;
import io.zynco.protocol.ControlMessage.SwitchResult;
import io.zynco.protocol.ControlMessage.Switched;
import io.zynco.protocol.ControlMessage.TransferAck;
import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.protocol.ControlMessage.TransferDrop;
import io.zynco.protocol.ControlMessage.View;
import io.zynco.protocol.ControlMessage.ViewRequest;

/**
 * Binary codec of the control frames (TCP). A frame on the wire is
 *
 * <pre>
 * +----------------+---------+--------------------------------+
 * | length (4, BE) | type (1)| body (length - 1 bytes)        |
 * +----------------+---------+--------------------------------+
 * </pre>
 *
 * This class writes and reads {@code type | body}; the length prefix is added and stripped
 * by the pipeline ({@code LengthFieldPrepender}, {@code LengthFieldBasedFrameDecoder}), which
 * also enforces the maximum frame length. Type ids are in {@link MessageTypes}.
 *
 * <h2>Field encodings</h2> All integers are big-endian and fixed width.
 * <ul>
 * <li>{@code (8)}, {@code (4)}, {@code (2)}, {@code (1)}: a signed integer of that many bytes
 * ({@code u16} for ports, {@code u8} for the protocol version: unsigned)</li>
 * <li>{@code bool}: one byte, 0 or 1; anything else is rejected</li>
 * <li>{@code str}: {@code u16 length} then that many bytes of well-formed UTF-8, so at most
 * {@value #MAX_STRING_BYTES} bytes; the length {@code 0xFFFF} encodes {@code null} (allowed
 * everywhere except the handshake and {@link MemberInfo} fields)</li>
 * <li>{@code bytes}: {@code u32 length} then the bytes; {@code 0xFFFFFFFF} encodes
 * {@code null} (allowed for {@link CatchUpChunk#payload()} only)</li>
 * <li>{@code list<X>}: {@code u32 count} then the items</li>
 * </ul>
 * Every length and count is checked against the bytes that remain before anything is
 * allocated; a frame must be consumed exactly (no trailing bytes).
 *
 * <h2>Bodies</h2> Fields appear in the order of the record components.
 *
 * <pre>
 * MEMBER (MemberInfo, embedded)
 * +--------+-----------+---------------------+-----------+------------------+---------------+
 * | id (8) | name (str)| startedAtMillis (8) | host (str)| controlPort (u16)| dataPort (u16)|
 * +--------+-----------+---------------------+-----------+------------------+---------------+
 *
 * HELLO (1)
 * +-------------------------+---------------+-----------------+------------+
 * | protocolVersion (u8)    | cluster (str) | member (MEMBER) | nonce (16) |
 * +-------------------------+---------------+-----------------+------------+
 *
 * HELLO_AUTH (2)
 * +--------------------------------+
 * | mac (32, HMAC-SHA256)          |
 * +--------------------------------+
 *
 * HEARTBEAT (3)
 * +--------------+---------------+----------------+------------+--------------+------------------------+
 * | sequence (8) | sentNanos (8) | viewDigest (8) | ready bool | switchId (8) | states (list&lt;STATUS&gt;) |
 * +--------------+---------------+----------------+------------+--------------+------------------------+
 * STATUS
 * +-------------+------------+----------------+------------+
 * | state (str) | active (8) | activeRoot (8) | newest (8) |
 * +-------------+------------+----------------+------------+
 *
 * HEARTBEAT_ACK (4)
 * +--------------+---------------------+
 * | sequence (8) | echoedSentNanos (8) |
 * +--------------+---------------------+
 *
 * VIEW (5)
 * +-------------------+-------------------------+
 * | coordinatorId (8) | members (list&lt;MEMBER&gt;) |
 * +-------------------+-------------------------+
 *
 * VIEW_REQUEST (6): empty body
 *
 * PROBE_REQUEST (7)
 * +---------------+--------------+
 * | requestId (8) | memberId (8) |
 * +---------------+--------------+
 *
 * PROBE_REPLY (8)
 * +---------------+--------------+-------------------------+
 * | requestId (8) | memberId (8) | lastHeardMillisAgo (8)  |
 * +---------------+--------------+-------------------------+
 *
 * TRANSFER_BEGIN (10)
 * +----------------+----------+-------------+-----------------+-------------------+
 * | transferId (8) | kind (1) | state (str) | baseVersion (8) | targetVersion (8) |
 * +----------------+----------+-------------+-----------------+-------------------+
 * | targetRoot (8) | totalBytes (8) | packetCount (4) | packetPayload (4) | deadlineMillis (8) |
 * +----------------+----------------+-----------------+-------------------+--------------------+
 *
 * NACK (11)
 * +----------------+-------------------+---------------------------------+-----------------------+
 * | transferId (8) | rangeCount N (u32)| N x (start (4), end (4))        | receiveBufferFree (4) |
 * +----------------+-------------------+---------------------------------+-----------------------+
 *   (ranges[] holds the pairs flat: start0, end0, start1, end1, ...; its length must be even)
 *
 * TRANSFER_ACK (12)                        TRANSFER_DROP (13)
 * +----------------+---------+-----------+  +----------------+-----------+
 * | transferId (8) | ok bool | reason str|  | transferId (8) | reason str|
 * +----------------+---------+-----------+  +----------------+-----------+
 *
 * PREPARE (20)
 * +--------------+--------------------------------+---------------+
 * | switchId (8) | targets (list&lt;STATE_VERSION&gt;) | rollback bool |
 * +--------------+--------------------------------+---------------+
 * STATE_VERSION
 * +-------------+-------------+----------+
 * | state (str) | version (8) | root (8) |
 * +-------------+-------------+----------+
 *
 * PREPARED (21)                            COMMIT (22), SWITCHED (24)
 * +--------------+---------+------------+  +--------------+
 * | switchId (8) | ok bool | reason str |  | switchId (8) |
 * +--------------+---------+------------+  +--------------+
 *
 * ABORT (23)
 * +--------------+------------+
 * | switchId (8) | reason str |
 * +--------------+------------+
 *
 * PUBLISH_REQUEST (30)                     PUBLISH_RESULT (31)
 * +---------------+---------------+         +---------------+---------+-------------+------------+
 * | requestId (8) | delta (bytes) |         | requestId (8) | ok bool | version (8) | reason str |
 * +---------------+---------------+         +---------------+---------+-------------+------------+
 *
 * PIN (32)
 * +-------------+-------------+-------------+
 * | state (str) | version (8) | pinned bool |
 * +-------------+-------------+-------------+
 *
 * SWITCH_REQUEST (33)
 * +---------------+--------------------------------+---------------+
 * | requestId (8) | targets (list&lt;STATE_VERSION&gt;) | rollback bool |
 * +---------------+--------------------------------+---------------+
 *
 * SWITCH_RESULT (34)
 * +---------------+---------+--------------+------------+
 * | requestId (8) | ok bool | switchId (8) | reason str |
 * +---------------+---------+--------------+------------+
 *
 * PUBLISH_CHUNK (35)
 * +---------------+------------+-----------+-----------+-----------------+
 * | requestId (8) | offset (8) | total (8) | last bool | payload (bytes) |
 * +---------------+------------+-----------+-----------+-----------------+
 *
 * CATCH_UP_REQUEST (40)
 * +---------------+-------------+-----------------+--------------+-----------------+------------+
 * | requestId (8) | state (str) | haveVersion (8) | haveRoot (8) | wantVersion (8) | offset (8) |
 * +---------------+-------------+-----------------+--------------+-----------------+------------+
 *
 * CATCH_UP_CHUNK (41)
 * +---------------+----------+-------------+-------------+----------+------------+
 * | requestId (8) | kind (1) | state (str) | version (8) | root (8) | offset (8) |
 * +---------------+----------+-------------+-------------+----------+------------+
 * | last bool | ok bool | reason (str) | payload (bytes, may be null) |
 * +-----------+---------+--------------+------------------------------+
 * </pre>
 *
 * Decoding never trusts a length: a string, byte array or list that announces more than what
 * is left of the frame is rejected with {@link RejectReason#TRUNCATED} before anything is
 * allocated, so a frame can make the decoder allocate at most about its own size. Stateless
 * and thread-safe.
 */
public final class ControlFrameCodec {

	/** Default largest {@code length} of a frame (type and body): 16 MiB. */
	public static final int DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

	/** Size of the length prefix. */
	public static final int LENGTH_FIELD_LENGTH = 4;

	/** Largest UTF-8 encoding of a string field ({@code 0xFFFF} is the null marker). */
	public static final int MAX_STRING_BYTES = 0xFFFE;

	/** Length of the nonce in {@link Hello}. */
	public static final int NONCE_LENGTH = 16;

	/** Length of the MAC in {@link HelloAuth} (HMAC-SHA256). */
	public static final int MAC_LENGTH = 32;

	private static final int NULL_STRING = 0xFFFF;

	private static final int NULL_BYTES = -1;

	private static final int MEMBER_MIN_LENGTH = 8 + 2 + 8 + 2 + 2 + 2;

	private static final int STATUS_MIN_LENGTH = 2 + 3 * 8;

	private static final int STATE_VERSION_MIN_LENGTH = 2 + 2 * 8;

	private ControlFrameCodec() {
	}

	/** The type id of a message. */
	public static byte type(ControlMessage message) {
		Objects.requireNonNull(message, "message");
		if (message instanceof Heartbeat) {
			return MessageTypes.HEARTBEAT;
		}
		if (message instanceof HeartbeatAck) {
			return MessageTypes.HEARTBEAT_ACK;
		}
		if (message instanceof Nack) {
			return MessageTypes.NACK;
		}
		if (message instanceof Hello) {
			return MessageTypes.HELLO;
		}
		if (message instanceof HelloAuth) {
			return MessageTypes.HELLO_AUTH;
		}
		if (message instanceof View) {
			return MessageTypes.VIEW;
		}
		if (message instanceof ViewRequest) {
			return MessageTypes.VIEW_REQUEST;
		}
		if (message instanceof ProbeRequest) {
			return MessageTypes.PROBE_REQUEST;
		}
		if (message instanceof ProbeReply) {
			return MessageTypes.PROBE_REPLY;
		}
		if (message instanceof TransferBegin) {
			return MessageTypes.TRANSFER_BEGIN;
		}
		if (message instanceof TransferAck) {
			return MessageTypes.TRANSFER_ACK;
		}
		if (message instanceof TransferDrop) {
			return MessageTypes.TRANSFER_DROP;
		}
		if (message instanceof Prepare) {
			return MessageTypes.PREPARE;
		}
		if (message instanceof Prepared) {
			return MessageTypes.PREPARED;
		}
		if (message instanceof Commit) {
			return MessageTypes.COMMIT;
		}
		if (message instanceof Abort) {
			return MessageTypes.ABORT;
		}
		if (message instanceof Switched) {
			return MessageTypes.SWITCHED;
		}
		if (message instanceof PublishRequest) {
			return MessageTypes.PUBLISH_REQUEST;
		}
		if (message instanceof PublishResult) {
			return MessageTypes.PUBLISH_RESULT;
		}
		if (message instanceof PublishChunk) {
			return MessageTypes.PUBLISH_CHUNK;
		}
		if (message instanceof Pin) {
			return MessageTypes.PIN;
		}
		if (message instanceof SwitchRequest) {
			return MessageTypes.SWITCH_REQUEST;
		}
		if (message instanceof SwitchResult) {
			return MessageTypes.SWITCH_RESULT;
		}
		if (message instanceof CatchUpRequest) {
			return MessageTypes.CATCH_UP_REQUEST;
		}
		if (message instanceof CatchUpChunk) {
			return MessageTypes.CATCH_UP_CHUNK;
		}
		throw new IllegalArgumentException("no type id for " + message.getClass().getName());
	}

	// ---------------------------------------------------------------- encoding

	/**
	 * Writes {@code type | body} of a message.
	 * @throws IllegalArgumentException if a field cannot be encoded (a string longer than
	 * {@value #MAX_STRING_BYTES} UTF-8 bytes, a wrong nonce or MAC length, an odd number of
	 * NACK bounds, a protocol version above 255)
	 * @throws NullPointerException if a field that may not be null is
	 */
	public static void encode(ControlMessage message, ByteBuf out) {
		byte type = type(message);
		out.writeByte(type);
		switch (type) {
			case MessageTypes.HEARTBEAT -> {
				Heartbeat m = (Heartbeat) message;
				out.writeLong(m.sequence()).writeLong(m.sentNanos()).writeLong(m.viewDigest());
				writeBoolean(out, m.ready());
				out.writeLong(m.switchId());
				List<StateStatus> states = m.states();
				out.writeInt(states.size());
				for (StateStatus s : states) {
					writeString(out, s.state());
					out.writeLong(s.active()).writeLong(s.activeRoot()).writeLong(s.newest());
				}
			}
			case MessageTypes.HEARTBEAT_ACK -> {
				HeartbeatAck m = (HeartbeatAck) message;
				out.writeLong(m.sequence()).writeLong(m.echoedSentNanos());
			}
			case MessageTypes.NACK -> {
				Nack m = (Nack) message;
				int[] ranges = m.ranges();
				if ((ranges.length & 1) != 0) {
					throw new IllegalArgumentException("NACK ranges hold start/end pairs, but there are " + ranges.length
							+ " bounds");
				}
				out.writeLong(m.transferId()).writeInt(ranges.length / 2);
				for (int bound : ranges) {
					out.writeInt(bound);
				}
				out.writeInt(m.receiveBufferFree());
			}
			case MessageTypes.HELLO -> {
				Hello m = (Hello) message;
				if (m.protocolVersion() < 0 || m.protocolVersion() > 255) {
					throw new IllegalArgumentException("protocol version " + m.protocolVersion() + " is not a u8");
				}
				out.writeByte(m.protocolVersion());
				writeString(out, Objects.requireNonNull(m.cluster(), "cluster"));
				writeMember(out, Objects.requireNonNull(m.member(), "member"));
				writeFixed(out, m.nonce(), NONCE_LENGTH, "hello nonce");
			}
			case MessageTypes.HELLO_AUTH -> writeFixed(out, ((HelloAuth) message).mac(), MAC_LENGTH, "hello MAC");
			case MessageTypes.VIEW -> {
				View m = (View) message;
				out.writeLong(m.coordinatorId());
				out.writeInt(m.members().size());
				for (MemberInfo member : m.members()) {
					writeMember(out, member);
				}
			}
			case MessageTypes.VIEW_REQUEST -> {
			}
			case MessageTypes.PROBE_REQUEST -> {
				ProbeRequest m = (ProbeRequest) message;
				out.writeLong(m.requestId()).writeLong(m.memberId());
			}
			case MessageTypes.PROBE_REPLY -> {
				ProbeReply m = (ProbeReply) message;
				out.writeLong(m.requestId()).writeLong(m.memberId()).writeLong(m.lastHeardMillisAgo());
			}
			case MessageTypes.TRANSFER_BEGIN -> {
				TransferBegin m = (TransferBegin) message;
				out.writeLong(m.transferId()).writeByte(m.kind());
				writeString(out, m.state());
				out.writeLong(m.baseVersion())
					.writeLong(m.targetVersion())
					.writeLong(m.targetRoot())
					.writeLong(m.totalBytes())
					.writeInt(m.packetCount())
					.writeInt(m.packetPayload())
					.writeLong(m.deadlineMillis());
			}
			case MessageTypes.TRANSFER_ACK -> {
				TransferAck m = (TransferAck) message;
				out.writeLong(m.transferId());
				writeBoolean(out, m.ok());
				writeString(out, m.reason());
			}
			case MessageTypes.TRANSFER_DROP -> {
				TransferDrop m = (TransferDrop) message;
				out.writeLong(m.transferId());
				writeString(out, m.reason());
			}
			case MessageTypes.PREPARE -> {
				Prepare m = (Prepare) message;
				out.writeLong(m.switchId());
				writeTargets(out, m.targets());
				writeBoolean(out, m.rollback());
			}
			case MessageTypes.PREPARED -> {
				Prepared m = (Prepared) message;
				out.writeLong(m.switchId());
				writeBoolean(out, m.ok());
				writeString(out, m.reason());
			}
			case MessageTypes.COMMIT -> out.writeLong(((Commit) message).switchId());
			case MessageTypes.ABORT -> {
				Abort m = (Abort) message;
				out.writeLong(m.switchId());
				writeString(out, m.reason());
			}
			case MessageTypes.SWITCHED -> out.writeLong(((Switched) message).switchId());
			case MessageTypes.PUBLISH_REQUEST -> {
				PublishRequest m = (PublishRequest) message;
				out.writeLong(m.requestId());
				writeBytes(out, Objects.requireNonNull(m.delta(), "delta"));
			}
			case MessageTypes.PUBLISH_CHUNK -> {
				PublishChunk m = (PublishChunk) message;
				out.writeLong(m.requestId()).writeLong(m.offset()).writeLong(m.total());
				writeBoolean(out, m.last());
				writeBytes(out, Objects.requireNonNull(m.payload(), "payload"));
			}
			case MessageTypes.PUBLISH_RESULT -> {
				PublishResult m = (PublishResult) message;
				out.writeLong(m.requestId());
				writeBoolean(out, m.ok());
				out.writeLong(m.version());
				writeString(out, m.reason());
			}
			case MessageTypes.PIN -> {
				Pin m = (Pin) message;
				writeString(out, m.state());
				out.writeLong(m.version());
				writeBoolean(out, m.pinned());
			}
			case MessageTypes.SWITCH_REQUEST -> {
				SwitchRequest m = (SwitchRequest) message;
				out.writeLong(m.requestId());
				writeTargets(out, m.targets());
				writeBoolean(out, m.rollback());
			}
			case MessageTypes.SWITCH_RESULT -> {
				SwitchResult m = (SwitchResult) message;
				out.writeLong(m.requestId());
				writeBoolean(out, m.ok());
				out.writeLong(m.switchId());
				writeString(out, m.reason());
			}
			case MessageTypes.CATCH_UP_REQUEST -> {
				CatchUpRequest m = (CatchUpRequest) message;
				out.writeLong(m.requestId());
				writeString(out, m.state());
				out.writeLong(m.haveVersion()).writeLong(m.haveRoot()).writeLong(m.wantVersion()).writeLong(m.offset());
			}
			case MessageTypes.CATCH_UP_CHUNK -> {
				CatchUpChunk m = (CatchUpChunk) message;
				out.writeLong(m.requestId()).writeByte(m.kind());
				writeString(out, m.state());
				out.writeLong(m.version()).writeLong(m.root()).writeLong(m.offset());
				writeBoolean(out, m.last());
				writeBoolean(out, m.ok());
				writeString(out, m.reason());
				writeBytes(out, m.payload());
			}
			default -> throw new IllegalStateException("unhandled type " + type);
		}
	}

	/** The encoding of {@code type | body} as a new array (handshake transcripts, tests). */
	public static byte[] encodeToArray(ControlMessage message) {
		ByteBuf buffer = Unpooled.buffer(64);
		try {
			encode(message, buffer);
			return ByteBufUtil.getBytes(buffer);
		}
		finally {
			buffer.release();
		}
	}

	/** A member on its own (the payload of a multicast announcement): the MEMBER layout. */
	public static byte[] encodeMemberInfo(MemberInfo member) {
		ByteBuf buffer = Unpooled.buffer(MEMBER_MIN_LENGTH + member.name().length() + member.host().length() + 8);
		try {
			writeMember(buffer, member);
			return ByteBufUtil.getBytes(buffer);
		}
		finally {
			buffer.release();
		}
	}

	private static void writeBoolean(ByteBuf out, boolean value) {
		out.writeByte(value ? 1 : 0);
	}

	private static void writeString(ByteBuf out, String value) {
		if (value == null) {
			out.writeShort(NULL_STRING);
			return;
		}
		int length = ByteBufUtil.utf8Bytes(value);
		if (length > MAX_STRING_BYTES) {
			throw new IllegalArgumentException(
					"a string field holds at most " + MAX_STRING_BYTES + " UTF-8 bytes, not " + length);
		}
		out.writeShort(length);
		ByteBufUtil.writeUtf8(out, value);
	}

	private static void writeBytes(ByteBuf out, byte[] value) {
		if (value == null) {
			out.writeInt(NULL_BYTES);
			return;
		}
		out.writeInt(value.length).writeBytes(value);
	}

	private static void writeFixed(ByteBuf out, byte[] value, int length, String what) {
		Objects.requireNonNull(value, what);
		if (value.length != length) {
			throw new IllegalArgumentException(what + " must be " + length + " bytes, not " + value.length);
		}
		out.writeBytes(value);
	}

	private static void writeTargets(ByteBuf out, List<StateVersion> targets) {
		out.writeInt(targets.size());
		for (StateVersion target : targets) {
			writeString(out, target.state());
			out.writeLong(target.version()).writeLong(target.root());
		}
	}

	private static void writeMember(ByteBuf out, MemberInfo member) {
		out.writeLong(member.id());
		writeString(out, member.name());
		out.writeLong(member.startedAtMillis());
		writeString(out, member.host());
		out.writeShort(member.controlPort()).writeShort(member.dataPort());
	}

	// ---------------------------------------------------------------- decoding

	/**
	 * Decodes one frame, {@code type | body}, consuming all of its readable bytes.
	 * @throws InvalidFrameException if the frame is not a valid control frame; its reason
	 * says why
	 */
	public static ControlMessage decode(ByteBuf frame) {
		if (!frame.isReadable()) {
			throw reject(RejectReason.TRUNCATED, "empty control frame (no type byte)");
		}
		byte type = frame.readByte();
		ControlMessage message = switch (type) {
			case MessageTypes.HEARTBEAT -> {
				long sequence = readLong(frame, "heartbeat");
				long sentNanos = readLong(frame, "heartbeat");
				long viewDigest = readLong(frame, "heartbeat");
				boolean ready = readBoolean(frame, "heartbeat ready");
				long switchId = readLong(frame, "heartbeat");
				int count = readCount(frame, STATUS_MIN_LENGTH, "heartbeat states");
				List<StateStatus> states = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					String state = readString(frame, true, "heartbeat state name");
					states.add(new StateStatus(state, readLong(frame, "heartbeat state"), readLong(frame, "heartbeat state"),
							readLong(frame, "heartbeat state")));
				}
				yield new Heartbeat(sequence, sentNanos, viewDigest, ready, switchId, Collections.unmodifiableList(states));
			}
			case MessageTypes.HEARTBEAT_ACK -> new HeartbeatAck(readLong(frame, "heartbeat ack"),
					readLong(frame, "heartbeat ack"));
			case MessageTypes.NACK -> {
				long transferId = readLong(frame, "nack");
				int pairs = readCount(frame, 8, "nack ranges");
				int[] ranges = new int[pairs * 2];
				for (int i = 0; i < ranges.length; i++) {
					ranges[i] = frame.readInt();
				}
				yield new Nack(transferId, ranges, readInt(frame, "nack"));
			}
			case MessageTypes.HELLO -> {
				int version = readUnsignedByte(frame, "hello");
				if (version != MessageTypes.PROTOCOL_VERSION) {
					// checked first: another version may lay out the rest differently
					frame.skipBytes(frame.readableBytes());
					throw reject(RejectReason.WRONG_VERSION, "peer speaks protocol version " + version + ", this node "
							+ MessageTypes.PROTOCOL_VERSION);
				}
				String cluster = readString(frame, false, "hello cluster");
				MemberInfo member = readMember(frame, "hello member");
				yield new Hello(version, cluster, member, readFixed(frame, NONCE_LENGTH, "hello nonce"));
			}
			case MessageTypes.HELLO_AUTH -> new HelloAuth(readFixed(frame, MAC_LENGTH, "hello MAC"));
			case MessageTypes.VIEW -> {
				long coordinatorId = readLong(frame, "view");
				int count = readCount(frame, MEMBER_MIN_LENGTH, "view members");
				List<MemberInfo> members = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					members.add(readMember(frame, "view member"));
				}
				yield new View(coordinatorId, Collections.unmodifiableList(members));
			}
			case MessageTypes.VIEW_REQUEST -> new ViewRequest();
			case MessageTypes.PROBE_REQUEST -> new ProbeRequest(readLong(frame, "probe request"),
					readLong(frame, "probe request"));
			case MessageTypes.PROBE_REPLY -> new ProbeReply(readLong(frame, "probe reply"),
					readLong(frame, "probe reply"), readLong(frame, "probe reply"));
			case MessageTypes.TRANSFER_BEGIN -> {
				long transferId = readLong(frame, "transfer begin");
				byte kind = readByte(frame, "transfer begin");
				String state = readString(frame, true, "transfer begin state");
				yield new TransferBegin(transferId, kind, state, readLong(frame, "transfer begin"),
						readLong(frame, "transfer begin"), readLong(frame, "transfer begin"),
						readLong(frame, "transfer begin"), readInt(frame, "transfer begin"),
						readInt(frame, "transfer begin"), readLong(frame, "transfer begin"));
			}
			case MessageTypes.TRANSFER_ACK -> new TransferAck(readLong(frame, "transfer ack"),
					readBoolean(frame, "transfer ack ok"), readString(frame, true, "transfer ack reason"));
			case MessageTypes.TRANSFER_DROP -> new TransferDrop(readLong(frame, "transfer drop"),
					readString(frame, true, "transfer drop reason"));
			case MessageTypes.PREPARE -> new Prepare(readLong(frame, "prepare"), readTargets(frame, "prepare"),
					readBoolean(frame, "prepare rollback"));
			case MessageTypes.PREPARED -> new Prepared(readLong(frame, "prepared"), readBoolean(frame, "prepared ok"),
					readString(frame, true, "prepared reason"));
			case MessageTypes.COMMIT -> new Commit(readLong(frame, "commit"));
			case MessageTypes.ABORT -> new Abort(readLong(frame, "abort"), readString(frame, true, "abort reason"));
			case MessageTypes.SWITCHED -> new Switched(readLong(frame, "switched"));
			case MessageTypes.PUBLISH_REQUEST -> new PublishRequest(readLong(frame, "publish request"),
					readBytes(frame, false, "publish request delta"));
			case MessageTypes.PUBLISH_CHUNK -> new PublishChunk(readLong(frame, "publish chunk"),
					readLong(frame, "publish chunk"), readLong(frame, "publish chunk"),
					readBoolean(frame, "publish chunk last"), readBytes(frame, false, "publish chunk payload"));
			case MessageTypes.PUBLISH_RESULT -> new PublishResult(readLong(frame, "publish result"),
					readBoolean(frame, "publish result ok"), readLong(frame, "publish result"),
					readString(frame, true, "publish result reason"));
			case MessageTypes.PIN -> new Pin(readString(frame, true, "pin state"), readLong(frame, "pin"),
					readBoolean(frame, "pin pinned"));
			case MessageTypes.SWITCH_REQUEST -> new SwitchRequest(readLong(frame, "switch request"),
					readTargets(frame, "switch request"), readBoolean(frame, "switch request rollback"));
			case MessageTypes.SWITCH_RESULT -> new SwitchResult(readLong(frame, "switch result"),
					readBoolean(frame, "switch result ok"), readLong(frame, "switch result"),
					readString(frame, true, "switch result reason"));
			case MessageTypes.CATCH_UP_REQUEST -> new CatchUpRequest(readLong(frame, "catch-up request"),
					readString(frame, true, "catch-up request state"), readLong(frame, "catch-up request"),
					readLong(frame, "catch-up request"), readLong(frame, "catch-up request"),
					readLong(frame, "catch-up request"));
			case MessageTypes.CATCH_UP_CHUNK -> {
				long requestId = readLong(frame, "catch-up chunk");
				byte kind = readByte(frame, "catch-up chunk");
				String state = readString(frame, true, "catch-up chunk state");
				long version = readLong(frame, "catch-up chunk");
				long root = readLong(frame, "catch-up chunk");
				long offset = readLong(frame, "catch-up chunk");
				boolean last = readBoolean(frame, "catch-up chunk last");
				boolean ok = readBoolean(frame, "catch-up chunk ok");
				String reason = readString(frame, true, "catch-up chunk reason");
				yield new CatchUpChunk(requestId, kind, state, version, root, offset, last, ok, reason,
						readBytes(frame, true, "catch-up chunk payload"));
			}
			default -> throw reject(RejectReason.UNKNOWN_TYPE, "unknown control frame type " + (type & 0xFF));
		};
		if (frame.isReadable()) {
			throw reject(RejectReason.TRAILING_BYTES,
					frame.readableBytes() + " bytes after the last field of frame type " + (type & 0xFF));
		}
		return message;
	}

	/** Decodes an array holding exactly one frame, {@code type | body}. */
	public static ControlMessage decode(byte[] frame) {
		return decode(Unpooled.wrappedBuffer(frame));
	}

	/**
	 * Decodes a member encoded by {@link #encodeMemberInfo(MemberInfo)}.
	 * @throws InvalidFrameException if the bytes are not exactly one valid member
	 */
	public static MemberInfo decodeMemberInfo(byte[] bytes, int offset, int length) {
		ByteBuf in = Unpooled.wrappedBuffer(bytes, offset, length);
		MemberInfo member = readMember(in, "member");
		if (in.isReadable()) {
			throw reject(RejectReason.TRAILING_BYTES, in.readableBytes() + " bytes after an encoded member");
		}
		return member;
	}

	private static InvalidFrameException reject(RejectReason reason, String message) {
		return new InvalidFrameException(reason, message);
	}

	private static void require(ByteBuf in, int length, String what) {
		if (in.readableBytes() < length) {
			throw reject(RejectReason.TRUNCATED, "frame ends inside the " + what + " (needs " + length + " bytes, "
					+ in.readableBytes() + " left)");
		}
	}

	private static long readLong(ByteBuf in, String what) {
		require(in, 8, what);
		return in.readLong();
	}

	private static int readInt(ByteBuf in, String what) {
		require(in, 4, what);
		return in.readInt();
	}

	private static byte readByte(ByteBuf in, String what) {
		require(in, 1, what);
		return in.readByte();
	}

	private static int readUnsignedByte(ByteBuf in, String what) {
		require(in, 1, what);
		return in.readUnsignedByte();
	}

	private static boolean readBoolean(ByteBuf in, String what) {
		require(in, 1, what);
		byte value = in.readByte();
		if (value != 0 && value != 1) {
			throw reject(RejectReason.BAD_FIELD, "the " + what + " flag is " + value + ", not 0 or 1");
		}
		return value == 1;
	}

	/** A u32 count of items of at least {@code minItemLength} bytes each, bounded by what is left. */
	private static int readCount(ByteBuf in, int minItemLength, String what) {
		require(in, 4, what + " count");
		long count = in.readUnsignedInt();
		if (count > in.readableBytes() / minItemLength) {
			throw reject(RejectReason.TRUNCATED,
					"frame announces " + count + " " + what + " in " + in.readableBytes() + " bytes");
		}
		return (int) count;
	}

	private static String readString(ByteBuf in, boolean nullable, String what) {
		require(in, 2, what + " length");
		int length = in.readUnsignedShort();
		if (length == NULL_STRING) {
			if (!nullable) {
				throw reject(RejectReason.BAD_FIELD, "the " + what + " may not be null");
			}
			return null;
		}
		require(in, length, what);
		try {
			String value = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(in.nioBuffer(in.readerIndex(), length))
				.toString();
			in.skipBytes(length);
			return value;
		}
		catch (CharacterCodingException ex) {
			throw reject(RejectReason.BAD_UTF8, "the " + what + " is not well-formed UTF-8");
		}
	}

	private static byte[] readBytes(ByteBuf in, boolean nullable, String what) {
		require(in, 4, what + " length");
		int length = in.readInt();
		if (length == NULL_BYTES) {
			if (!nullable) {
				throw reject(RejectReason.BAD_FIELD, "the " + what + " may not be null");
			}
			return null;
		}
		if (length < 0) {
			throw reject(RejectReason.BAD_LENGTH, "the " + what + " length " + Integer.toUnsignedString(length)
					+ " is not valid");
		}
		require(in, length, what);
		byte[] value = new byte[length];
		in.readBytes(value);
		return value;
	}

	private static byte[] readFixed(ByteBuf in, int length, String what) {
		require(in, length, what);
		byte[] value = new byte[length];
		in.readBytes(value);
		return value;
	}

	private static List<StateVersion> readTargets(ByteBuf in, String what) {
		int count = readCount(in, STATE_VERSION_MIN_LENGTH, what + " targets");
		List<StateVersion> targets = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			targets.add(new StateVersion(readString(in, true, what + " target state"), readLong(in, what + " target"),
					readLong(in, what + " target")));
		}
		return Collections.unmodifiableList(targets);
	}

	private static MemberInfo readMember(ByteBuf in, String what) {
		long id = readLong(in, what + " id");
		String name = readString(in, false, what + " name");
		long startedAtMillis = readLong(in, what + " start time");
		String host = readString(in, false, what + " host");
		require(in, 4, what + " ports");
		int controlPort = in.readUnsignedShort();
		int dataPort = in.readUnsignedShort();
		return new MemberInfo(id, name, startedAtMillis, host, controlPort, dataPort);
	}

}
