package io.zynco.replication.transfer;

import java.util.Objects;
import java.util.function.IntSupplier;

import io.zynco.protocol.ControlMessage.TransferBegin;

/**
 * What a {@link TransferSender} sends: the identity of the transfer, what it carries (for the
 * {@code TransferBegin}), and the encoded payload. The payload array is held, not copied: do
 * not modify it while the transfer runs. Immutable apart from that array.
 * <p>
 * The payload may still be being written when the transfer starts (a large delta encoded
 * while its first packets go out): {@code readyBytes} then says how many bytes from the start
 * are final, and the sender sends a packet only once all its bytes are. It is read on the
 * sender's thread; the writer must publish each count after the bytes below it (a volatile
 * write, as {@code Delta.Encoding#written()} does), and the bytes below a count must not
 * change any more.
 * @param transferId unique per sender
 * @param kind {@link TransferBegin#DELTA} or {@link TransferBegin#SNAPSHOT}
 * @param state the state's name
 * @param baseVersion the version a delta applies to (-1 for a snapshot)
 * @param targetVersion the version the payload produces
 * @param targetRoot the target version's root fingerprint
 * @param payload the encoded delta or snapshot
 * @param readyBytes how many bytes of the payload from its start are final, while it is being
 * written; {@code null} when the whole payload is
 */
public record TransferSpec(long transferId, byte kind, String state, long baseVersion, long targetVersion,
		long targetRoot, byte[] payload, IntSupplier readyBytes) {

	/** A transfer of a payload that is wholly written. */
	public TransferSpec(long transferId, byte kind, String state, long baseVersion, long targetVersion, long targetRoot,
			byte[] payload) {
		this(transferId, kind, state, baseVersion, targetVersion, targetRoot, payload, null);
	}

	public TransferSpec {
		Objects.requireNonNull(state, "state");
		Objects.requireNonNull(payload, "payload");
		if (kind != TransferBegin.DELTA && kind != TransferBegin.SNAPSHOT) {
			throw new IllegalArgumentException("kind must be DELTA or SNAPSHOT, not " + kind);
		}
	}

	@Override
	public String toString() {
		return "TransferSpec[" + this.transferId + ", " + (this.kind == TransferBegin.DELTA ? "delta" : "snapshot")
				+ " of '" + this.state + "' " + this.baseVersion + " -> " + this.targetVersion + ", "
				+ this.payload.length + " bytes]";
	}

}
