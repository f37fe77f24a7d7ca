package io.zynco.state;

/**
 * Cooperative yield points for CPU-bound loops that run beside request threads: Zynco's own
 * (building a version from edits or a delta, encoding and decoding deltas, diffing two
 * versions, iterating one with {@link StateView#forEach} or {@link ChangeSet#forEach},
 * measuring memory) and an application's, such as the constructor of a {@code @ZyncoState}
 * bean that copies a large map: call {@link #point()} in each step of such a loop. A thread
 * that has run through yield points for a whole slice ({@value #DEFAULT_SLICE_MICROS} µs by
 * default) calls {@link Thread#yield()}.
 * <p>
 * Why: on a host with few cores, a request thread woken on a core that such a loop occupies
 * may wait for the loop until the scheduler's next tick, whatever the loop thread's nice
 * value: measured here (Linux 6.18, EEVDF, {@code HZ=250}, two vCPUs), a thread woken every
 * millisecond beside a 10 ms busy loop on the same core waited 3.4 ms at p99 and 5 ms at
 * most, at nice 0 as at nice 19; with the loop yielding every 100 µs, 0.13 ms at p99 and
 * 0.4 ms at most. A yield with nobody waiting returns at once (a system call, about a
 * microsecond), so the cost is about 1% of the loop's time.
 * <p>
 * The slice is set by the system property {@code zynco.yield-slice-micros}
 * ({@code 0} turns yielding off). Thread-safe: each thread keeps its own slice.
 */
public final class Yield {

	/** The default slice, in microseconds. */
	public static final long DEFAULT_SLICE_MICROS = 100;

	/** The system property that sets the slice, in microseconds; 0 turns yielding off. */
	public static final String SLICE_PROPERTY = "zynco.yield-slice-micros";

	/** Points between two looks at the clock: each point is a few microseconds of work or less. */
	private static final int CHECK_EVERY = 16;

	private static final long SLICE_NANOS = sliceNanos(System.getProperty(SLICE_PROPERTY));

	private static final ThreadLocal<Slice> SLICES = ThreadLocal.withInitial(Slice::new);

	private Yield() {
	}

	/** Whether yield points yield at all (the slice is positive). */
	public static boolean enabled() {
		return SLICE_NANOS > 0;
	}

	/**
	 * A yield point: yields the processor if this thread has passed yield points without
	 * yielding for a whole slice. Put one in each loop step of a few microseconds or less.
	 */
	public static void point() {
		if (SLICE_NANOS <= 0) {
			return;
		}
		Slice slice = SLICES.get();
		if (++slice.points < CHECK_EVERY) {
			return;
		}
		slice.points = 0;
		long now = System.nanoTime();
		if (now - slice.started >= SLICE_NANOS) {
			// a thread returning to work after a pause yields once early: harmless
			Thread.yield();
			slice.started = System.nanoTime();
		}
	}

	static long sliceNanos(String property) {
		if (property == null || property.isBlank()) {
			return DEFAULT_SLICE_MICROS * 1_000;
		}
		try {
			long micros = Long.parseLong(property.trim());
			if (micros >= 0 && micros <= 1_000_000) {
				return micros * 1_000;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		System.getLogger(Yield.class.getName()).log(System.Logger.Level.WARNING, SLICE_PROPERTY + "=" + property
				+ " is not a number of microseconds from 0 to 1000000; using " + DEFAULT_SLICE_MICROS);
		return DEFAULT_SLICE_MICROS * 1_000;
	}

	private static final class Slice {

		int points;

		long started = System.nanoTime();

	}

}
