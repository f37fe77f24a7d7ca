package io.zynco.autoconfigure;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

import io.zynco.spring.InvalidZyncoConfigurationException;
import io.zynco.state.Yield;

/**
 * Gives the JVM's JIT compiler and concurrent GC threads the long scheduler slice of
 * background threads ({@link Yield#jvmBackgroundThreads()}) when the context starts and then
 * every {@code zynco.scheduling.jvm-threads-interval}, since the JVM starts compiler threads as
 * it goes ({@code zynco.scheduling.jvm-threads=true}). With the slice, a request thread woken
 * on a compiler's or collector's core preempts it at once instead of waiting for the
 * scheduler's next tick.
 * <p>
 * A pass reads every thread's name under {@code /proc} (0.6 ms for 23 threads here, more in a
 * large application), on a background thread of its own, on a fixed period that has nothing
 * to do with switches. An earlier version ran a pass after every switch: the switch-under-load
 * benchmark then found the JIT compiling the pass's own code (the {@code /proc} directory
 * walk, the file reads, JNA) in 18 of its 20 switch windows, 91 ms of C2 time against 3 ms in
 * control windows of the same length, because code that runs once per switch reaches C2 only
 * after hundreds of switches. A periodic pass does that work where no switch is.
 */
public class ZyncoJvmThreads implements DisposableBean {

	private static final Log logger = LogFactory.getLog(ZyncoJvmThreads.class);

	private final int initial;

	private final AtomicLong passes = new AtomicLong(1);

	private final ScheduledExecutorService executor = Executors
		.newSingleThreadScheduledExecutor(Yield.backgroundThreads("zynco-jvm-threads"));

	/**
	 * Makes the first pass on the calling thread, then one every {@code interval}.
	 * @param interval the time between two passes, positive
	 */
	public ZyncoJvmThreads(Duration interval) {
		if (interval == null || interval.isZero() || interval.isNegative()) {
			throw new InvalidZyncoConfigurationException("zynco.scheduling.jvm-threads-interval", interval,
					"the interval must be positive",
					"Set zynco.scheduling.jvm-threads-interval to a duration such as 10s.");
		}
		this.initial = Yield.jvmBackgroundThreads();
		logger.info("zynco.scheduling.jvm-threads: " + this.initial + " JVM compiler and GC threads given the "
				+ "background slice, again every " + interval + "; " + Yield.backgroundStatus());
		long nanos = interval.toNanos();
		this.executor.scheduleWithFixedDelay(() -> {
			Yield.jvmBackgroundThreads();
			this.passes.incrementAndGet();
		}, nanos, nanos, TimeUnit.NANOSECONDS);
	}

	/** How many threads had the slice after the first pass (for tests and the log). */
	public int initial() {
		return this.initial;
	}

	/** How many passes have run, the first one included. */
	public long passes() {
		return this.passes.get();
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
