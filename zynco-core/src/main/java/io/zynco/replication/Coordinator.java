package io.zynco.replication;

import java.util.List;

import io.zynco.protocol.MemberInfo;

/**
 * Decides who coordinates the cluster and which number a new version gets. The built-in
 * {@link #oldestMember()} needs nothing outside the cluster; an implementation backed by an
 * external coordination service (ZooKeeper, etcd, a database row with compare-and-set) can
 * replace it where split-brain under a network partition is not acceptable: it returns the
 * leader that service elected and allocates numbers from it.
 *
 * <p>Called on the node loop: implementations must not block (cache the service's answers
 * and refresh them in the background). Implementations must be thread-safe.
 */
public interface Coordinator {

	/**
	 * The member that coordinates now, chosen among the live members this node sees (this
	 * node included, never empty).
	 */
	MemberInfo leader(List<MemberInfo> liveMembers);

	/**
	 * The number of the next version of a state, on the leader.
	 * @param highestSeen the highest version number of the state this node has seen in the
	 * cluster (its own chain, transfers, heartbeats)
	 * @return a number greater than {@code highestSeen}, never handed out before
	 */
	long nextVersion(String state, long highestSeen);

	/**
	 * The built-in coordinator: the oldest live member (earliest start, ties broken by id)
	 * leads, and numbers follow the highest seen. Under a network partition each side elects
	 * its own leader; see docs/replication.md.
	 */
	static Coordinator oldestMember() {
		return OldestMemberCoordinator.INSTANCE;
	}

}
