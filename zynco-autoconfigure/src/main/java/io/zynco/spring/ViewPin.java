package io.zynco.spring;

import io.zynco.replication.ClusterView;

/**
 * Holds one {@link ClusterView} in use: while a pin is open, the {@code @ZyncoState}
 * instances of its view are not destroyed, and code on a thread the pin is bound to sees that
 * view. Obtained from {@link ZyncoViews#pin()} (bound to the calling thread) or
 * {@link ZyncoViews#acquire()} (not bound). Closing is idempotent; a pin from
 * {@code acquire()} may be closed on any thread, one from {@code pin()} on its own thread.
 * Thread-safe.
 */
public interface ViewPin extends AutoCloseable {

	/** The pinned view. */
	ClusterView view();

	/**
	 * The pinned view's {@linkplain ClusterView#label() label} (as in the {@code Zynco-Versions}
	 * header), computed once per view rather than per request.
	 */
	default String label() {
		return view().label();
	}

	/** Whether {@link #close()} has been called. */
	boolean isReleased();

	/** Releases the pin, and unbinds it from the thread if {@link ZyncoViews#pin()} bound it. */
	@Override
	void close();

}
