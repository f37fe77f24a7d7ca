package io.zynco.replication;

import java.util.List;

import io.zynco.protocol.MemberInfo;

/** The built-in {@link Coordinator}: the oldest live member leads. Stateless, thread-safe. */
final class OldestMemberCoordinator implements Coordinator {

	static final OldestMemberCoordinator INSTANCE = new OldestMemberCoordinator();

	private OldestMemberCoordinator() {
	}

	@Override
	public MemberInfo leader(List<MemberInfo> liveMembers) {
		MemberInfo oldest = null;
		for (MemberInfo member : liveMembers) {
			if (oldest == null || member.olderThan(oldest)) {
				oldest = member;
			}
		}
		if (oldest == null) {
			throw new IllegalArgumentException("no live member to lead");
		}
		return oldest;
	}

	@Override
	public long nextVersion(String state, long highestSeen) {
		return highestSeen + 1;
	}

	@Override
	public String toString() {
		return "Coordinator.oldestMember()";
	}

}
