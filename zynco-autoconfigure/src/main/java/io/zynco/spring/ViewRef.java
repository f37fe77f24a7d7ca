package io.zynco.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.zynco.replication.ClusterView;

/**
 * One view as this node uses it: how many pins hold it, whether it is still active, and the
 * {@code @ZyncoState} instances already routed to for it (a cache in front of the scope's
 * registry). Once retired and unpinned it is closed, and can never be pinned again: that is
 * what lets the scope destroy its instances without racing a request that arrives at the
 * moment of the switch. Thread-safe (lock-free).
 */
final class ViewRef {

	private static final int CLOSED = -1;

	final ClusterView view;

	/** {@link ClusterView#label()}, once: every request's response header names it. */
	final String label;

	/** Bean name to instance, for this view; filled by the scope. */
	final Map<String, Object> instances = new ConcurrentHashMap<>();

	private final AtomicInteger pins = new AtomicInteger();

	private volatile boolean retired;

	ViewRef(ClusterView view) {
		this.view = view;
		this.label = view.label();
	}

	/** Adds a pin unless the view is closed. */
	boolean tryAcquire() {
		for (;;) {
			int n = this.pins.get();
			if (n == CLOSED) {
				return false;
			}
			if (this.pins.compareAndSet(n, n + 1)) {
				return true;
			}
		}
	}

	/** Removes a pin; returns whether none is left. */
	boolean release() {
		int left = this.pins.decrementAndGet();
		if (left < 0) {
			throw new IllegalStateException("pin count of " + this.view + " went below zero");
		}
		return left == 0;
	}

	/** Closes the view if no pin holds it; afterwards {@link #tryAcquire()} fails. */
	boolean tryClose() {
		return this.pins.compareAndSet(0, CLOSED);
	}

	boolean isClosed() {
		return this.pins.get() == CLOSED;
	}

	int pins() {
		return Math.max(this.pins.get(), 0);
	}

	void retire() {
		this.retired = true;
	}

	boolean isRetired() {
		return this.retired;
	}

	@Override
	public String toString() {
		return "ViewRef[" + this.view.label() + ", pins=" + this.pins.get() + (this.retired ? ", retired" : "") + "]";
	}

}
