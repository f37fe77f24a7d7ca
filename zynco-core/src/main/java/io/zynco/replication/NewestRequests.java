package io.zynco.replication;

import java.util.HashMap;
import java.util.Map;

/**
 * The newest catch-up request of each member for each state, kept by the node that answers
 * them. A member's request ids only increase, and the answers are encoded on the worker pool,
 * so an older request's encode can finish after a newer one's: its answer must then be dropped
 * rather than replace the newer answer, which the member waits for (it ignores answers to
 * requests it has given up). Keys are registered states only, so the map stays as small as
 * members times states.
 *
 * <p>
 * Not thread-safe: confined to the node loop.
 */
final class NewestRequests {

	private final Map<Long, Map<String, Long>> newest = new HashMap<>();

	/**
	 * Records a request.
	 * @return false if the member has already sent a newer request for the state (this one is
	 * stale on arrival)
	 */
	boolean record(long member, String state, long requestId) {
		Map<String, Long> states = this.newest.computeIfAbsent(member, (m) -> new HashMap<>());
		Long known = states.get(state);
		if (known != null && known > requestId) {
			return false;
		}
		states.put(state, requestId);
		return true;
	}

	/** Whether this request is still the member's newest for the state. */
	boolean isNewest(long member, String state, long requestId) {
		Map<String, Long> states = this.newest.get(member);
		Long known = (states != null) ? states.get(state) : null;
		return known == null || known == requestId;
	}

	/** Forgets a member that left. */
	void forget(long member) {
		this.newest.remove(member);
	}

}
