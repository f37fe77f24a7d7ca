package io.zynco.transport;

/**
 * Receives authenticated data packets, always on the node's event loop. The payload array is
 * only valid during the call: copy what you keep.
 */
public interface DataListener {

	void onData(long senderId, long transferId, int sequence, int count, byte[] payload, int offset, int length,
			boolean repair);

	/**
	 * Whether a data packet would only repeat what the listener already holds. The channel
	 * asks before it checks the replay window and authenticates the packet, and drops the
	 * packet when the answer is yes: a forged or tampered packet can then only be dropped,
	 * never accepted, and an unauthenticated packet never advances the replay window. Must be
	 * cheap (a bitmap lookup); runs on the node's event loop.
	 */
	default boolean holds(long senderId, long transferId, int sequence) {
		return false;
	}

	/** A multicast announcement of a member (serialized {@code MemberInfo}). */
	default void onAnnounce(long senderId, byte[] memberInfo) {
	}

}
