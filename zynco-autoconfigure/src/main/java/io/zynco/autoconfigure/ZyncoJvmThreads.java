package io.zynco.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

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
 */
public class ZyncoJvmThreads implements ReplicationListener {

	private static final Log logger = LogFactory.getLog(ZyncoJvmThreads.class);

	private final int initial;

	public ZyncoJvmThreads() {
		this.initial = Yield.jvmBackgroundThreads();
		logger.info("zynco.scheduling.jvm-threads: " + this.initial + " JVM compiler and GC threads given the "
				+ "background slice; " + Yield.backgroundStatus());
	}

	/** How many threads had the slice after the first pass (for tests and the log). */
	public int initial() {
		return this.initial;
	}

	/** Runs on the node loop after the switch: reads the thread names under /proc, about a millisecond. */
	@Override
	public void switched(ClusterView previous, ClusterView current, boolean rollback) {
		Yield.jvmBackgroundThreads();
	}

}
