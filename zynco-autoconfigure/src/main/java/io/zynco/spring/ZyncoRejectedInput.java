package io.zynco.spring;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import io.zynco.replication.RejectedInputCounter;
import io.zynco.transport.RejectedInput;

/**
 * The node's count of rejected input (a {@link RejectedInputCounter}: each reason logged
 * once), which also tells listeners about each channel and reason the first time it occurs, so
 * that a meter can be registered for it. Thread-safe.
 */
public final class ZyncoRejectedInput implements RejectedInput {

	private final RejectedInputCounter counter = RejectedInputCounter.logging();

	private final Set<String> seen = ConcurrentHashMap.newKeySet();

	private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();

	@Override
	public void reject(String channel, String reason, String detail) {
		this.counter.reject(channel, reason, detail);
		if (this.seen.add(channel + "/" + reason)) {
			this.listeners.forEach((listener) -> listener.accept(channel, reason));
		}
	}

	/** Rejections so far for one channel and reason. */
	public long count(String channel, String reason) {
		return this.counter.count(channel, reason);
	}

	/** All counts, keyed {@code channel/reason}. */
	public Map<String, Long> counts() {
		return this.counter.counts();
	}

	/**
	 * Calls the listener with every channel and reason seen so far, then with each new one
	 * as it occurs (on the thread that rejected the input). It may be called twice for a
	 * reason that occurs while it is added: it must be idempotent.
	 */
	public void onReason(BiConsumer<String, String> listener) {
		this.listeners.add(listener);
		for (String key : this.seen) {
			int slash = key.indexOf('/');
			listener.accept(key.substring(0, slash), key.substring(slash + 1));
		}
	}

}
