package io.zynco.state.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.sun.jna.Function;
import com.sun.jna.Memory;

/**
 * A thread's time slice under Linux's EEVDF scheduler (6.12 and later), read and set with
 * {@code sched_getattr(2)} and {@code sched_setattr(2)} through JNA: for a {@code SCHED_OTHER}
 * or {@code SCHED_BATCH} thread the attribute {@code sched_runtime} is its slice, 0.1 to
 * 100 ms, and 0 means the kernel's default. A thread woken with a shorter slice than the
 * running one preempts it at once; with an equal slice it may wait until the next scheduler
 * tick. Zynco gives its background threads a long slice so that request threads, which keep
 * the default, wake them off the core without delay ({@code io.zynco.state.Yield}).
 * <p>
 * Everything here fails soft: off Linux, on another architecture, without JNA, or where the
 * call is refused, the methods report why and change nothing. A kernel older than 6.12
 * accepts the call but ignores the slice, so {@link #set} reads it back to tell.
 * <p>
 * The {@code sched_attr} layout (version 1, 56 bytes): {@code u32 size, u32 policy,
 * u64 flags, s32 nice, u32 priority, u64 runtime, u64 deadline, u64 period, u32 util_min,
 * u32 util_max}.
 */
public final class ThreadSlices {

	private static final int ATTR_SIZE = 56;

	private static final int OFFSET_POLICY = 4;

	private static final int OFFSET_FLAGS = 8;

	private static final int OFFSET_RUNTIME = 24;

	/**
	 * Threads the thread starts get the default slice, not its own: a background thread that
	 * starts a pool's threads (a {@code ThreadPoolExecutor} starts them in the submitting
	 * thread) must not pass its slice to threads that may serve requests.
	 */
	private static final long SCHED_FLAG_RESET_ON_FORK = 0x01;

	private static final int SCHED_OTHER = 0;

	private static final int SCHED_BATCH = 3;

	/** Syscall numbers of sched_setattr and sched_getattr on this architecture, or -1. */
	private static final long SETATTR;

	private static final long GETATTR;

	static {
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
		if (linux && (arch.equals("amd64") || arch.equals("x86_64"))) {
			SETATTR = 314;
			GETATTR = 315;
		}
		else if (linux && arch.equals("aarch64")) {
			SETATTR = 274;
			GETATTR = 275;
		}
		else {
			SETATTR = -1;
			GETATTR = -1;
		}
	}

	private ThreadSlices() {
	}

	/**
	 * What {@link #set} did: the thread has the slice ({@code reason} null), or not, and
	 * whether that holds for every thread here ({@code platform}: no Linux, no JNA, an old
	 * kernel) or for this thread only (its policy, or it ended).
	 */
	public record Outcome(String reason, boolean platform) {

		static final Outcome DONE = new Outcome(null, false);

		public boolean done() {
			return this.reason == null;
		}

	}

	/**
	 * Sets the slice of a thread of this process ({@code tid} 0: the calling thread), keeping
	 * its policy and nice value.
	 */
	public static Outcome set(int tid, long sliceNanos) {
		if (sliceNanos < 0) {
			throw new IllegalArgumentException("a slice is 0 (the default) or positive: " + sliceNanos);
		}
		if (SETATTR < 0) {
			return new Outcome("thread slices need Linux on x86-64 or AArch64 (this is "
					+ System.getProperty("os.name") + " on " + System.getProperty("os.arch") + ")", true);
		}
		try {
			return Syscalls.set(tid, sliceNanos);
		}
		catch (LinkageError | RuntimeException ex) {
			// no JNA on the class path, or its native library cannot load (no writable temp dir)
			return new Outcome("JNA is unavailable: " + ex, true);
		}
	}

	/**
	 * The slice of a thread of this process in nanoseconds (the kernel reports its default
	 * where none was set), or -1 if unknown.
	 */
	public static long get(int tid) {
		if (GETATTR < 0) {
			return -1;
		}
		try {
			return Syscalls.get(tid);
		}
		catch (LinkageError | RuntimeException ex) {
			return -1;
		}
	}

	/** This process's threads: id to name (the kernel's, cut at 15 characters). Empty off Linux. */
	public static Map<Integer, String> threads() {
		Map<Integer, String> threads = new LinkedHashMap<>();
		Path tasks = Path.of("/proc/self/task");
		if (SETATTR < 0 || !Files.isDirectory(tasks)) {
			return threads;
		}
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
			for (Path dir : dirs) {
				try {
					int tid = Integer.parseInt(dir.getFileName().toString());
					threads.put(tid, Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip());
				}
				catch (IOException | NumberFormatException ex) {
					// the thread ended while we listed: skip it
				}
			}
		}
		catch (IOException ex) {
			// no /proc: nothing to list
		}
		return threads;
	}

	/**
	 * The JNA calls, in a class of their own so that a missing JNA fails only here. Every
	 * argument of the variadic {@code syscall(long, ...)} is passed as a {@code long}.
	 */
	private static final class Syscalls {

		private static final Function SYSCALL = Function.getFunction("c", "syscall");

		static Outcome set(int tid, long sliceNanos) {
			try (Memory attr = new Memory(ATTR_SIZE)) {
				attr.clear();
				if (getattr(tid, attr) != 0) {
					return failed("sched_getattr", tid);
				}
				int policy = attr.getInt(OFFSET_POLICY);
				if (policy != SCHED_OTHER && policy != SCHED_BATCH) {
					return new Outcome("its policy is " + policy + ", not SCHED_OTHER or SCHED_BATCH: left alone", false);
				}
				if (attr.getLong(OFFSET_RUNTIME) == sliceNanos) {
					return Outcome.DONE;
				}
				attr.setInt(0, ATTR_SIZE);
				attr.setLong(OFFSET_FLAGS, SCHED_FLAG_RESET_ON_FORK);
				attr.setLong(OFFSET_RUNTIME, sliceNanos);
				// the nice value read above is written back unchanged
				if (SYSCALL.invokeLong(new Object[] { SETATTR, (long) tid, attr, 0L }) != 0) {
					return failed("sched_setattr", tid);
				}
				attr.clear();
				// 0 asks for the default, which the kernel reports as its current value, not as 0
				if (getattr(tid, attr) != 0 || sliceNanos != 0 && attr.getLong(OFFSET_RUNTIME) != sliceNanos) {
					return new Outcome("this kernel ignores the slice of SCHED_OTHER threads (it needs Linux 6.12 or "
							+ "later; this is " + System.getProperty("os.version") + ")", true);
				}
				return Outcome.DONE;
			}
		}

		/** ESRCH (3): the thread ended; anything else (EPERM, ENOSYS, EINVAL) holds for every thread. */
		private static Outcome failed(String call, int tid) {
			int errno = com.sun.jna.Native.getLastError();
			return new Outcome(call + " failed with errno " + errno, errno != 3 || tid == 0);
		}

		static long get(int tid) {
			try (Memory attr = new Memory(ATTR_SIZE)) {
				attr.clear();
				return (getattr(tid, attr) == 0) ? attr.getLong(OFFSET_RUNTIME) : -1;
			}
		}

		private static long getattr(int tid, Memory attr) {
			return SYSCALL.invokeLong(new Object[] { GETATTR, (long) tid, attr, (long) ATTR_SIZE, 0L });
		}

	}

}
