package io.zynco.transport.netty;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.zynco.transport.RejectedInput;

/** Counts rejections by {@code channel/reason} for assertions. */
final class RecordingRejectedInput implements RejectedInput {

	private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

	@Override
	public void reject(String channel, String reason, String detail) {
		this.counts.computeIfAbsent(channel + "/" + reason, (k) -> new AtomicInteger()).incrementAndGet();
	}

	int count(String channel, String reason) {
		AtomicInteger count = this.counts.get(channel + "/" + reason);
		return (count != null) ? count.get() : 0;
	}

	int total() {
		return this.counts.values().stream().mapToInt(AtomicInteger::get).sum();
	}

	@Override
	public String toString() {
		return this.counts.toString();
	}

}
