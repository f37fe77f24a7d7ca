package io.zynco.transport;

/**
 * Receives authenticated data packets, always on the node's event loop. The payload array is
 * only valid during the call: copy what you keep.
 */
public interface DataListener {

	void onData(long senderId, long transferId, int sequence, int count, byte[] payload, int offset, int length,
			boolean repair);

	/** A multicast announcement of a member (serialized {@code MemberInfo}). */
	default void onAnnounce(long senderId, byte[] memberInfo) {
	}

}
