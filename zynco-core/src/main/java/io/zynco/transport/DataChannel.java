package io.zynco.transport;

import java.net.InetSocketAddress;

/**
 * The node's UDP socket for transfer data: one multicast send reaches every member, or, in
 * unicast mode, the same packet goes to each member in turn. Packets are authenticated (and
 * optionally encrypted) by the implementation. Must be called on the node's event loop.
 */
public interface DataChannel extends AutoCloseable {

	/** The mode chosen at start; never changes afterwards. */
	TransportMode mode();

	/** The local UDP address (unicast data port). */
	InetSocketAddress localAddress();

	/** Binds the socket (and joins the group in multicast mode; {@code auto} probes first). */
	void start() throws InterruptedException;

	/**
	 * Sends one data packet to every member: a single multicast send, or one unicast send per
	 * address in {@code members} in unicast mode.
	 * @return false if the socket's outbound buffer is full (try again later)
	 */
	boolean sendToAll(Iterable<InetSocketAddress> members, long transferId, int sequence, int count, byte[] buffer,
			int offset, int length, boolean repair);

	/** Sends one data packet to one member (a unicast repair). */
	boolean sendTo(InetSocketAddress member, long transferId, int sequence, int count, byte[] buffer, int offset,
			int length, boolean repair);

	/** Multicasts an announcement (discovery); a no-op in unicast mode. */
	void announce(byte[] memberInfo);

	/** Largest payload a data packet may carry with the configured packet size. */
	int maxPayload();

	/**
	 * How full the receive queues of this channel's sockets are, measured by the kernel: the
	 * fullest socket's queued bytes as a fraction of its receive buffer, 0 when empty and 1
	 * when the kernel drops. Negative if this platform or transport does not tell (then a node
	 * estimates its backlog from its own stalls).
	 */
	default double receiveBufferOccupancy() {
		return -1;
	}

	/**
	 * Datagrams the kernel dropped on this channel's sockets because a receive buffer was full,
	 * since they opened; negative if this platform or transport does not tell.
	 */
	default long receiveBufferDrops() {
		return -1;
	}

	@Override
	void close();

}
