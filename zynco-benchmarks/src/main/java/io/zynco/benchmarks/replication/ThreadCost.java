package io.zynco.benchmarks.replication;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * A point in the calling thread's work, for the single-thread profiles: the time, the bytes
 * the thread allocated so far, and the collectors' total time in this JVM. Immutable.
 */
record ThreadCost(long nanos, long allocatedBytes, long gcMillis) {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	/** Now, for the calling thread. */
	static ThreadCost now() {
		return new ThreadCost(System.nanoTime(), THREADS.getCurrentThreadAllocatedBytes(), collectorMillis());
	}

	/** The collectors' total time in this JVM, in milliseconds. */
	static long collectorMillis() {
		long sum = 0;
		for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
			sum += Math.max(0, gc.getCollectionTime());
		}
		return sum;
	}

	/** Seconds from {@code start} to this point. */
	double secondsSince(ThreadCost start) {
		return (this.nanos - start.nanos) / 1e9;
	}

	/** MiB the thread allocated from {@code start} to this point. */
	long allocatedMibSince(ThreadCost start) {
		return (this.allocatedBytes - start.allocatedBytes) >> 20;
	}

	/** Milliseconds the collectors ran from {@code start} to this point. */
	long gcMillisSince(ThreadCost start) {
		return this.gcMillis - start.gcMillis;
	}

}
