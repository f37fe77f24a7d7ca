package io.zynco.replication;

import io.zynco.protocol.MemberInfo;

/**
 * Hears what happens to the cluster as seen from this node. Called on the node loop: return
 * quickly and do not block. All methods default to doing nothing.
 */
public interface ReplicationListener {

	/** A version of a state arrived and was verified (root fingerprint matched). */
	default void versionReceived(String state, long version, long bytes, boolean viaCatchUp) {
	}

	/** This node prepared a switch. */
	default void prepared(ClusterView next) {
	}

	/** This node switched (forwards, or back when {@code rollback}). */
	default void switched(ClusterView previous, ClusterView current, boolean rollback) {
	}

	/** A prepared switch was aborted. */
	default void aborted(long switchId, String reason) {
	}

	default void memberJoined(MemberInfo member) {
	}

	default void memberLeft(MemberInfo member, String reason) {
	}

	/** A member is behind the cluster (or this node, when {@code member} is the local one). */
	default void memberLagging(MemberInfo member, String state, long version, long clusterVersion) {
	}

	/** A version left this node's window (count or heap budget); a rollback can no longer reach it. */
	default void versionEvicted(String state, long version) {
	}

	/** A received version failed verification; the node will fetch it again. */
	default void mismatch(String state, long version, String reason) {
	}

}
