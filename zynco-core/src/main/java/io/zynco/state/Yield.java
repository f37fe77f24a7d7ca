package io.zynco.state;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongPredicate;

import io.zynco.state.internal.ThreadSlices;

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
 * <p>
 * <b>Background threads.</b> Yield points cover loops; JIT compilation, a collector's
 * concurrent phase or an application's code without them still hold the core. On Linux 6.12
 * and later the scheduler lets a woken thread preempt the running one at once if its time
 * slice is shorter. {@link #backgroundThread()} gives the calling thread a long slice
 * ({@value #DEFAULT_BACKGROUND_SLICE_MICROS} µs by default, system property
 * {@code zynco.background-slice-micros}, {@code 0} leaves threads alone), so request threads,
 * which keep the default slice (0.75 to 3 ms), preempt it when they wake. Its share of the CPU
 * does not change. Zynco's own threads (the node's workers, the scope's and the
 * events' threads) call it when they start; {@link #jvmBackgroundThreads()} does the same for
 * the JVM's compiler and concurrent collector threads, on request. Measured here: a thread
 * woken every 0.7 ms beside a thread that is busy for 10 ms out of every 20 on the same core
 * waited 4.1 to 4.5 ms at p99; with the busy thread's slice at 10 ms, 0.11 to 0.14 ms.
 */
public final class Yield {

	/** The default slice, in microseconds. */
	public static final long DEFAULT_SLICE_MICROS = 100;

	/** The system property that sets the slice, in microseconds; 0 turns yielding off. */
	public static final String SLICE_PROPERTY = "zynco.yield-slice-micros";

	/** The default slice of background threads, in microseconds. */
	public static final long DEFAULT_BACKGROUND_SLICE_MICROS = 10_000;

	/**
	 * The system property that sets the slice of background threads, in microseconds from
	 * 100 to 100,000; 0 leaves every thread's slice as it is.
	 */
	public static final String BACKGROUND_SLICE_PROPERTY = "zynco.background-slice-micros";

	/**
	 * The JVM's own background threads, by the start of their names: the JIT compilers, G1's
	 * concurrent marking and refinement, ZGC's and Shenandoah's concurrent workers, and the
	 * service and sweeper threads.
	 */
	private static final List<String> JVM_BACKGROUND_THREADS = List.of("C1 CompilerThre", "C2 CompilerThre",
			"G1 Conc#", "G1 Main Marker", "G1 Refine#", "G1 Service", "ZWorker", "ZDirector", "ZDriver",
			"Shenandoah", "Sweeper thread", "VM Periodic Tas");

	private static final long BACKGROUND_SLICE_NANOS = backgroundSliceNanos(
			System.getProperty(BACKGROUND_SLICE_PROPERTY));

	/** Why background threads keep the default slice: null until a call fails for every thread. */
	private static volatile String unavailable;

	/** Whether a thread got the background slice. */
	private static volatile boolean applied;

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

	/**
	 * Declares the calling thread a background thread: gives it the long slice described
	 * above. Call it first thing in a thread that runs long CPU-bound work beside request
	 * threads (an application's reload or publish thread, for instance). Changes nothing, and
	 * returns false, where the slice is not available or is turned off; the first failure is
	 * logged once, with its reason.
	 * @return whether the calling thread now has the background slice
	 */
	public static boolean backgroundThread() {
		if (BACKGROUND_SLICE_NANOS <= 0 || unavailable != null) {
			return false;
		}
		return background(0, Thread.currentThread().getName());
	}

	/**
	 * A factory of daemon threads named {@code name} that declare themselves
	 * {@linkplain #backgroundThread() background threads} before their first task: for the
	 * executors of Zynco's own background work, and an application's.
	 */
	public static ThreadFactory backgroundThreads(String name) {
		return (task) -> {
			Thread thread = new Thread(() -> {
				backgroundThread();
				task.run();
			}, name);
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Gives the JVM's own background threads (JIT compilers, concurrent collector threads)
	 * the long slice, as {@link #backgroundThread()} does for the calling thread. The JVM
	 * starts and stops compiler threads as it goes, so call it again from time to time (the
	 * Spring Boot starter does every {@code zynco.scheduling.jvm-threads-interval} where
	 * {@code zynco.scheduling.jvm-threads} is on).
	 * @return the number of threads that have the slice now
	 */
	public static int jvmBackgroundThreads() {
		if (BACKGROUND_SLICE_NANOS <= 0 || unavailable != null) {
			return 0;
		}
		int count = 0;
		for (Map.Entry<Integer, String> thread : ThreadSlices.threads().entrySet()) {
			String name = thread.getValue();
			if (JVM_BACKGROUND_THREADS.stream().anyMatch(name::startsWith) && background(thread.getKey(), name)) {
				count++;
			}
		}
		return count;
	}

	/**
	 * The slice background threads get, in nanoseconds; 0 when they keep the default (turned
	 * off, or not available here: see {@link #backgroundStatus()}).
	 */
	public static long backgroundSliceNanos() {
		return (unavailable == null) ? BACKGROUND_SLICE_NANOS : 0;
	}

	/** One line for a log or an endpoint: the background slice in effect, or why there is none. */
	public static String backgroundStatus() {
		if (BACKGROUND_SLICE_NANOS <= 0) {
			return "background threads keep the default scheduler slice (" + BACKGROUND_SLICE_PROPERTY + "=0)";
		}
		String reason = unavailable;
		if (reason != null) {
			return "background threads keep the default scheduler slice: " + reason;
		}
		return applied ? "background threads have a " + BACKGROUND_SLICE_NANOS / 1_000 + " µs scheduler slice"
				: "background threads get a " + BACKGROUND_SLICE_NANOS / 1_000 + " µs scheduler slice when they start";
	}

	private static boolean background(int tid, String name) {
		ThreadSlices.Outcome outcome = ThreadSlices.set(tid, BACKGROUND_SLICE_NANOS);
		if (outcome.done()) {
			applied = true;
			return true;
		}
		if (outcome.platform()) {
			synchronized (Yield.class) {
				if (unavailable == null) {
					// it fails for every thread here: say it once and stop trying
					unavailable = outcome.reason();
					System.getLogger(Yield.class.getName()).log(System.Logger.Level.INFO, "thread '" + name
							+ "' keeps the default scheduler slice, and so will every other: " + outcome.reason());
				}
			}
		}
		return false;
	}

	static long backgroundSliceNanos(String property) {
		return micros(BACKGROUND_SLICE_PROPERTY, property, DEFAULT_BACKGROUND_SLICE_MICROS,
				(micros) -> micros == 0 || micros >= 100 && micros <= 100_000,
				"0 or a number of microseconds from 100 to 100000") * 1_000;
	}

	static long sliceNanos(String property) {
		return micros(SLICE_PROPERTY, property, DEFAULT_SLICE_MICROS, (micros) -> micros >= 0 && micros <= 1_000_000,
				"a number of microseconds from 0 to 1000000") * 1_000;
	}

	/**
	 * A system property's value in microseconds: the default if it is unset, or, with a
	 * warning, if it is not {@code valid}.
	 */
	private static long micros(String name, String property, long defaultMicros, LongPredicate valid, String expected) {
		if (property == null || property.isBlank()) {
			return defaultMicros;
		}
		try {
			long micros = Long.parseLong(property.trim());
			if (valid.test(micros)) {
				return micros;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		System.getLogger(Yield.class.getName()).log(System.Logger.Level.WARNING,
				name + "=" + property + " is not " + expected + "; using " + defaultMicros);
		return defaultMicros;
	}

	private static final class Slice {

		int points;

		long started = System.nanoTime();

	}

}
