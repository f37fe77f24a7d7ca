package io.zynco.replication.transfer;

import java.util.Objects;

import io.zynco.protocol.ControlMessage.TransferBegin;

/**
 * What a {@link TransferSender} sends: the identity of the transfer, what it carries (for the
 * {@code TransferBegin}), and the encoded payload. The payload array is held, not copied: do
 * not modify it while the transfer runs. Immutable apart from that array.
 * @param transferId unique per sender
 * @param kind {@link TransferBegin#DELTA} or {@link TransferBegin#SNAPSHOT}
 * @param state the state's name
 * @param baseVersion the version a delta applies to (-1 for a snapshot)
 * @param targetVersion the version the payload produces
 * @param targetRoot the target version's root fingerprint
 * @param payload the encoded delta or snapshot
 */
public record TransferSpec(long transferId, byte kind, String state, long baseVersion, long targetVersion,
		long targetRoot, byte[] payload) {

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
