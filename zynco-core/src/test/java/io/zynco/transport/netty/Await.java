package io.zynco.transport.netty;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes: tests wait on facts, not sleeps. */
final class Await {

	static final Duration DEFAULT = Duration.ofSeconds(5);

	private Await() {
	}

	static void until(String what, BooleanSupplier condition) {
		until(what, DEFAULT, condition);
	}

	static void until(String what, Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what);
			}
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("interrupted waiting until " + what, ex);
			}
		}
	}

	/** Checks that a condition stays false for a while (for "nothing happens" assertions). */
	static void never(String what, Duration during, BooleanSupplier condition) {
		long deadline = System.nanoTime() + during.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (condition.getAsBoolean()) {
				throw new AssertionError("unexpectedly " + what);
			}
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("interrupted", ex);
			}
		}
	}

}
