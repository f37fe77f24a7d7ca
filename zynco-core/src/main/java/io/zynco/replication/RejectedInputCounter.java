package io.zynco.replication;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.zynco.transport.RejectedInput;

/**
 * Counts rejected input by channel and reason, and logs the first rejection of each reason
 * (with its detail) at WARNING, so that a flood of bad packets costs one log line. The counts
 * feed the {@code zynco.input.rejected} metric. Thread-safe.
 */
public final class RejectedInputCounter implements RejectedInput {

	private static final System.Logger LOG = System.getLogger(RejectedInputCounter.class.getName());

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private RejectedInputCounter() {
	}

	/** A counter that logs each reason once. */
	public static RejectedInputCounter logging() {
		return new RejectedInputCounter();
	}

	@Override
	public void reject(String channel, String reason, String detail) {
		String key = channel + "/" + reason;
		LongAdder adder = this.counts.get(key);
		if (adder == null) {
			LongAdder fresh = new LongAdder();
			adder = this.counts.putIfAbsent(key, fresh);
			if (adder == null) {
				adder = fresh;
				LOG.log(System.Logger.Level.WARNING, "rejected " + channel + " input (" + reason + "): " + detail
						+ "; further rejections for this reason are counted, not logged");
			}
		}
		adder.increment();
	}

	/** Rejections so far for one channel and reason. */
	public long count(String channel, String reason) {
		LongAdder adder = this.counts.get(channel + "/" + reason);
		return (adder != null) ? adder.sum() : 0;
	}

	/** All counts, keyed {@code channel/reason}. */
	public Map<String, Long> counts() {
		Map<String, Long> snapshot = new TreeMap<>();
		this.counts.forEach((k, v) -> snapshot.put(k, v.sum()));
		return snapshot;
	}

	/** Total rejections on all channels. */
	public long total() {
		long total = 0;
		for (LongAdder adder : this.counts.values()) {
			total += adder.sum();
		}
		return total;
	}

}
