package io.zynco.membership;

import io.zynco.protocol.MemberInfo;

/**
 * Hears changes of the local view. {@link Membership} calls it on the node loop thread, after
 * its own state has changed (so queries made from a callback see the new view); a callback
 * that throws is logged and does not disturb membership. Every method does nothing by
 * default.
 */
public interface MembershipListener {

	/** A listener that ignores everything. */
	MembershipListener NONE = new MembershipListener() {
	};

	/** A member joined the local view (its control connection passed the handshake). */
	default void memberJoined(MemberInfo member) {
	}

	/** A member left the local view, for good: it must connect again to come back. */
	default void memberLeft(MemberInfo member, RemovalReason reason) {
	}

	/** A member became {@link MemberState#SUSPECT}: silent past its timeout, or disconnected. */
	default void memberSuspected(MemberInfo member) {
	}

	/** A suspected member was heard from again, directly or through an indirect probe. */
	default void memberRecovered(MemberInfo member) {
	}

	/**
	 * The coordinator (the oldest live member) changed.
	 * @param previous the coordinator before, possibly this node
	 * @param current the coordinator now, possibly this node
	 */
	default void coordinatorChanged(MemberInfo previous, MemberInfo current) {
	}

}
