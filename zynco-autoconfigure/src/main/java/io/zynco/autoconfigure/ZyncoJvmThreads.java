package io.zynco.autoconfigure;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicationListener;
import io.zynco.state.Yield;

/**
 * Gives the JVM's JIT compiler and concurrent GC threads the long scheduler slice of
 * background threads ({@link Yield#jvmBackgroundThreads()}) when the context starts and after
 * every switch, since the JVM starts compiler threads as it goes ({@code
 * zynco.scheduling.jvm-threads=true}). A switch makes the JIT compile what it ran for the first
 * times; with the slice, a request thread woken on the compiler's core preempts it at once
 * instead of waiting for the scheduler's next tick.
 * <p>
 * A pass reads every thread's name under {@code /proc} (0.6 ms for 23 threads here, more in a
 * large application), so it runs on a background thread of its own, not on the node loop, and
 * a switch that finds a pass pending does not queue another.
 */
public class ZyncoJvmThreads implements ReplicationListener, DisposableBean {

	private static final Log logger = LogFactory.getLog(ZyncoJvmThreads.class);

	private final int initial;

	private final AtomicBoolean pending = new AtomicBoolean();

	private final ExecutorService executor = Executors
		.newSingleThreadExecutor(Yield.backgroundThreads("zynco-jvm-threads"));

	public ZyncoJvmThreads() {
		this.initial = Yield.jvmBackgroundThreads();
		logger.info("zynco.scheduling.jvm-threads: " + this.initial + " JVM compiler and GC threads given the "
				+ "background slice; " + Yield.backgroundStatus());
	}

	/** How many threads had the slice after the first pass (for tests and the log). */
	public int initial() {
		return this.initial;
	}

	@Override
	public void switched(ClusterView previous, ClusterView current, boolean rollback) {
		if (this.pending.compareAndSet(false, true)) {
			try {
				this.executor.execute(() -> {
					this.pending.set(false);
					Yield.jvmBackgroundThreads();
				});
			}
			catch (RejectedExecutionException ex) {
				// the context is closing
			}
		}
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
