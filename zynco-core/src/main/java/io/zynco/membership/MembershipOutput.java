package io.zynco.membership;

import java.net.InetSocketAddress;
import java.util.Objects;

import io.zynco.protocol.ControlMessage;
import io.zynco.transport.ControlChannel;

/**
 * What {@link Membership} asks of the transport. Called on the node loop thread only.
 * Implementations should not call back into {@link Membership} synchronously (post the event
 * to the loop instead); membership tolerates it, but the order of events is clearer without.
 */
public interface MembershipOutput {

	/**
	 * Queues a message for a connected member.
	 * @return false if there is no authenticated connection to that member
	 */
	boolean send(long memberId, ControlMessage message);

	/** Dials a control address, unless already connected to it or dialing it. */
	void connect(InetSocketAddress address);

	/** Closes the connection to a member, if any. */
	void disconnect(long memberId);

	/** An output that sends through a control channel. */
	static MembershipOutput of(ControlChannel channel) {
		Objects.requireNonNull(channel, "channel");
		return new MembershipOutput() {

			@Override
			public boolean send(long memberId, ControlMessage message) {
				return channel.send(memberId, message);
			}

			@Override
			public void connect(InetSocketAddress address) {
				channel.connect(address);
			}

			@Override
			public void disconnect(long memberId) {
				channel.disconnect(memberId);
			}

		};
	}

}
