package io.zynco.transport;

import java.net.InetSocketAddress;
import java.util.Set;

import io.zynco.protocol.ControlMessage;

/**
 * The node's TCP control connections to its peers (a full mesh), after an authenticated
 * handshake. Implementations call their {@link ControlListener} on the node's event loop.
 * Thread-safe.
 */
public interface ControlChannel extends AutoCloseable {

	/** The address this node accepts control connections on (after {@link #start()}). */
	InetSocketAddress localAddress();

	/** Binds the server socket. */
	void start() throws InterruptedException;

	/**
	 * Dials a peer unless already connected or dialing; the listener hears
	 * {@code onConnected} after the handshake, or {@code onConnectFailed}.
	 */
	void connect(InetSocketAddress address);

	/**
	 * Queues a message for a connected member.
	 * @return false if there is no authenticated connection to that member
	 */
	boolean send(long memberId, ControlMessage message);

	/** Closes the connection to a member, if any. */
	void disconnect(long memberId);

	/** Ids of members with an authenticated connection. */
	Set<Long> connectedMembers();

	/** Whether the connection to the member can take more writes now (back-pressure). */
	boolean isWritable(long memberId);

	@Override
	void close();

}
