package io.zynco.benchmarks.replication;

import java.util.concurrent.TimeUnit;

/**
 * The time limit of a benchmark child JVM: a daemon thread that halts the JVM with exit code 3
 * after {@code --max-seconds}, so that no child outlives a parent that died without stopping
 * it. Shared by {@link NodeProcess}, {@link TcpFanout} and {@link MulticastFloor}.
 */
final class Watchdog {

	private Watchdog() {
	}

	/** Starts the thread; {@code who} names the child in the line it prints before halting. */
	static void start(String who, int maxSeconds) {
		Thread watchdog = new Thread(() -> {
			try {
				Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
				System.err.println(who + ": --max-seconds " + maxSeconds + " reached, exiting");
				Runtime.getRuntime().halt(3);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
	}

}
