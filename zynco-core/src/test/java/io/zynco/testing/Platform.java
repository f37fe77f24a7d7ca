package io.zynco.testing;

import java.util.Locale;

/** What the machine running the tests can do, for tests whose expectation depends on it. */
public final class Platform {

	private Platform() {
	}

	/**
	 * Whether threads can have their own scheduler slice: Linux 6.12 or later (EEVDF custom
	 * slices) on x86-64 or AArch64, as on the CI machines. There every slice call must work;
	 * elsewhere every call must change nothing and say why.
	 */
	public static boolean threadSlices() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "");
		if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
			return false;
		}
		String[] version = System.getProperty("os.version", "0.0").split("[.-]");
		int major = Integer.parseInt(version[0]);
		int minor = (version.length > 1) ? Integer.parseInt(version[1]) : 0;
		return major > 6 || major == 6 && minor >= 12;
	}

	/**
	 * Runs {@code task} on a new thread and waits for it: slice tests change the scheduling
	 * of the thread they run on, which must not be the test runner's.
	 */
	public static void onNewThread(Runnable task) throws InterruptedException {
		Thread thread = new Thread(task);
		thread.start();
		thread.join();
	}

}
