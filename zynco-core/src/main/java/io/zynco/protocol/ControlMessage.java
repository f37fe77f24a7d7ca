package io.zynco.protocol;

import java.util.List;

/**
 * The messages of the TCP control channel. Each has a one-byte type id in
 * {@link MessageTypes}; their binary layouts are in the codec classes and
 * docs/replication.md. Every message is immutable and thread-safe.
 */
public sealed interface ControlMessage {

	/**
	 * First frame on a new connection, both ways: who I am, for which cluster, and a fresh
	 * nonce for the authentication that follows.
	 */
	record Hello(int protocolVersion, String cluster, MemberInfo member, byte[] nonce) implements ControlMessage {
	}

	/**
	 * Second frame, both ways: HMAC-SHA256 under the cluster secret of the handshake transcript
	 * (both hellos, in dialer-then-acceptor order, and the sender's role), proving the sender
	 * knows the secret.
	 */
	record HelloAuth(byte[] mac) implements ControlMessage {
	}

	/**
	 * Liveness and status, sent periodically on every connection. Carries the sender's view
	 * digest so views can be compared, the id of the last switch it committed, and its states
	 * (active and newest version).
	 */
	record Heartbeat(long sequence, long sentNanos, long viewDigest, boolean ready, long switchId,
			List<StateStatus> states) implements ControlMessage {
	}

	/** Echo of a heartbeat, so the sender can measure the round trip. */
	record HeartbeatAck(long sequence, long echoedSentNanos) implements ControlMessage {
	}

	/** The sender's full member list, sent when views disagree or on request. */
	record View(long coordinatorId, List<MemberInfo> members) implements ControlMessage {
	}

	/** Asks the peer for its {@link View}. */
	record ViewRequest() implements ControlMessage {
	}

	/**
	 * Announces a transfer before its UDP packets: what it carries and how it is cut.
	 * {@code kind} is {@link #DELTA} or {@link #SNAPSHOT}.
	 */
	record TransferBegin(long transferId, byte kind, String state, long baseVersion, long targetVersion,
			long targetRoot, long totalBytes, int packetCount, int packetPayload, long deadlineMillis)
			implements ControlMessage {

		public static final byte DELTA = 1;

		public static final byte SNAPSHOT = 2;

	}

	/** Receiver to sender: these sequence ranges (start inclusive, end exclusive) are missing. */
	record Nack(long transferId, int[] ranges, int receiveBufferFree) implements ControlMessage {
	}

	/** Receiver to sender: the transfer is complete and verified (or failed, with a reason). */
	record TransferAck(long transferId, boolean ok, String reason) implements ControlMessage {
	}

	/** Sender to a receiver: you were dropped from this transfer (too slow); catch up later. */
	record TransferDrop(long transferId, String reason) implements ControlMessage {
	}

	/** Coordinator to members: make sure you hold these versions and are ready to switch. */
	record Prepare(long switchId, List<StateVersion> targets, boolean rollback) implements ControlMessage {
	}

	/** Member to coordinator: prepared (or not, with a reason). */
	record Prepared(long switchId, boolean ok, String reason) implements ControlMessage {
	}

	/** Coordinator to members: switch to the prepared versions now. */
	record Commit(long switchId) implements ControlMessage {
	}

	/** Coordinator to members: forget the prepared switch. */
	record Abort(long switchId, String reason) implements ControlMessage {
	}

	/** Member to member: switch acknowledged (the member now serves the committed versions). */
	record Switched(long switchId) implements ControlMessage {
	}

	/**
	 * Publisher to coordinator: please assign a version to this delta (encoded with a
	 * provisional target version) and distribute it.
	 */
	record PublishRequest(long requestId, byte[] delta) implements ControlMessage {
	}

	/**
	 * Publisher to coordinator: one piece of a delta too large for one {@link PublishRequest}
	 * frame, sent in order on one connection; the piece with {@code last} set completes it and
	 * the coordinator handles the whole as a {@code PublishRequest}.
	 * @param requestId the publish's request id (answered by a {@link PublishResult})
	 * @param offset where the piece starts in the delta
	 * @param total the delta's length, the same in every piece
	 * @param last whether the piece ends the delta
	 * @param payload the piece
	 */
	record PublishChunk(long requestId, long offset, long total, boolean last, byte[] payload)
			implements ControlMessage {
	}

	/** Coordinator to publisher: the version assigned, or why the publish was refused. */
	record PublishResult(long requestId, boolean ok, long version, String reason) implements ControlMessage {
	}

	/** Member to coordinator: switch these states to these versions (an operator's switch or rollback). */
	record SwitchRequest(long requestId, List<StateVersion> targets, boolean rollback) implements ControlMessage {
	}

	/** Coordinator to the requesting member: the outcome of a {@link SwitchRequest}. */
	record SwitchResult(long requestId, boolean ok, long switchId, String reason) implements ControlMessage {
	}

	/** Operator action relayed to the coordinator: pin (or unpin) a state at a version. */
	record Pin(String state, long version, boolean pinned) implements ControlMessage {
	}

	/**
	 * Lagging member to a peer: send me what takes {@code state} from {@code haveVersion}
	 * (0 for the empty state) to {@code wantVersion}, starting at byte {@code offset} of the
	 * answer (answers are deterministic, so a broken catch-up resumes where it stopped, even
	 * from another peer).
	 */
	record CatchUpRequest(long requestId, String state, long haveVersion, long haveRoot, long wantVersion,
			long offset) implements ControlMessage {
	}

	/**
	 * One piece of a catch-up answer: an encoded delta or a slice of a snapshot stream, in
	 * order; {@code last} marks the end; {@code ok} false carries a refusal reason in
	 * {@code reason} and no payload.
	 */
	record CatchUpChunk(long requestId, byte kind, String state, long version, long root, long offset,
			boolean last, boolean ok, String reason, byte[] payload) implements ControlMessage {
	}

	/** Indirect probe: "when did you last hear from this member?" (suspicion check). */
	record ProbeRequest(long requestId, long memberId) implements ControlMessage {
	}

	/** Answer to a {@link ProbeRequest}: milliseconds since the last frame (-1: never, or not connected). */
	record ProbeReply(long requestId, long memberId, long lastHeardMillisAgo) implements ControlMessage {
	}

	/**
	 * A state's status on one member.
	 * @param state the state's name
	 * @param active the active version (-1 if none)
	 * @param activeRoot the active version's root fingerprint
	 * @param newest the newest version held
	 */
	record StateStatus(String state, long active, long activeRoot, long newest) {
	}

}
