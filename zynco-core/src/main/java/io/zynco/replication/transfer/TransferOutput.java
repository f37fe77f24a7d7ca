package io.zynco.replication.transfer;

import io.zynco.protocol.ControlMessage;

/**
 * Where a {@link TransferSender} sends its packets and control messages. The node adapts it
 * to its {@code DataChannel} (resolving member ids to addresses) and its
 * {@code ControlChannel}. Called only on the thread that drives the sender (the node loop).
 */
public interface TransferOutput {

	/**
	 * Sends one data packet to every receiver of the transfer: one multicast send, or one
	 * unicast send per receiver when the node runs without multicast.
	 * @param repair whether this is a retransmission
	 * @return false if the socket cannot take the packet now (back-pressure); the sender tries
	 * again on a later tick
	 */
	boolean sendToAll(long transferId, int sequence, int count, byte[] buffer, int offset, int length,
			boolean repair);

	/**
	 * Sends one data packet to one receiver (a unicast repair).
	 * @return false if the socket cannot take the packet now (back-pressure)
	 */
	boolean sendTo(long memberId, long transferId, int sequence, int count, byte[] buffer, int offset, int length,
			boolean repair);

	/**
	 * Sends a control message to one member over its reliable connection.
	 * @return false if there is no connection to that member
	 */
	boolean sendControl(long memberId, ControlMessage message);

}
