package io.zynco.transport;

import java.net.InetSocketAddress;

import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.MemberInfo;

/**
 * Receives control-channel events, always on the node's event loop, one at a time.
 */
public interface ControlListener {

	/** A connection to {@code peer} passed the handshake. A second connection to the same member replaces the first. */
	void onConnected(MemberInfo peer);

	/** A message arrived from an authenticated member. */
	void onMessage(long from, ControlMessage message);

	/** The connection to the member closed. */
	void onDisconnected(long memberId);

	/** A dial to the address failed (refused, timed out, or handshake rejected). */
	default void onConnectFailed(InetSocketAddress address, Throwable cause) {
	}

}
