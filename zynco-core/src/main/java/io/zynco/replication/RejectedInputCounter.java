package io.zynco.replication;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

import io.zynco.transport.RejectedInput;

/**
 * Counts rejected input by channel and reason, and logs the first rejection of each reason
 * (with its detail) at WARNING, so that a flood of bad packets costs one log line. The counts
 * feed the {@code zynco.input.rejected} metric: every node counts with one
 * ({@link ZyncoNode#rejectedInput()}), which forwards to a {@link RejectedInput} of the
 * configuration's own when one is set. Thread-safe.
 */
public final class RejectedInputCounter implements RejectedInput {

	private static final System.Logger LOG = System.getLogger(RejectedInputCounter.class.getName());

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private final List<BiConsumer<String, String>> reasonListeners = new CopyOnWriteArrayList<>();

	private final RejectedInput next;

	private RejectedInputCounter(RejectedInput next) {
		this.next = next;
	}

	/** A counter that logs each reason once. */
	public static RejectedInputCounter logging() {
		return new RejectedInputCounter(null);
	}

	/** A counter that forwards every rejection to {@code next} (which logs as it sees fit). */
	public static RejectedInputCounter forwardingTo(RejectedInput next) {
		return new RejectedInputCounter(Objects.requireNonNull(next, "next"));
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
				if (this.next == null) {
					LOG.log(System.Logger.Level.WARNING, "rejected " + channel + " input (" + reason + "): " + detail
							+ "; further rejections for this reason are counted, not logged");
				}
				adder.increment();
				this.reasonListeners.forEach((listener) -> listener.accept(channel, reason));
				forward(channel, reason, detail);
				return;
			}
		}
		adder.increment();
		forward(channel, reason, detail);
	}

	private void forward(String channel, String reason, String detail) {
		if (this.next != null) {
			this.next.reject(channel, reason, detail);
		}
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

	/**
	 * Calls the listener with the channel and reason of every rejection seen so far, then
	 * with each new one when it first occurs (on the rejecting thread, after it was counted),
	 * so that a metrics binder can register one meter per reason. A reason that occurs while
	 * the listener is added may be reported twice: the listener must be idempotent, quick and
	 * must not throw.
	 */
	public void onReason(BiConsumer<String, String> listener) {
		Objects.requireNonNull(listener, "listener");
		this.reasonListeners.add(listener);
		for (String key : this.counts.keySet()) {
			int slash = key.indexOf('/');
			listener.accept(key.substring(0, slash), key.substring(slash + 1));
		}
	}

}
