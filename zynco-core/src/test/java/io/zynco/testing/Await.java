package io.zynco.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, polling it; fails with a description of what did not
 * happen. Tests use it instead of sleeping for a fixed time.
 */
public final class Await {

	/** Timeout of the overloads that take none. */
	public static final Duration DEFAULT = Duration.ofSeconds(5);

	private Await() {
	}

	public static void until(String what, BooleanSupplier condition) {
		until(DEFAULT, () -> what, condition);
	}

	public static void until(String what, Duration timeout, BooleanSupplier condition) {
		until(timeout, () -> what, condition);
	}

	public static void until(Duration timeout, String what, BooleanSupplier condition) {
		until(timeout, () -> what, condition);
	}

	public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
			}
			pause(what);
		}
	}

	/** Checks that a condition stays false for a while (for "nothing happens" assertions). */
	public static void never(String what, Duration during, BooleanSupplier condition) {
		long deadline = System.nanoTime() + during.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (condition.getAsBoolean()) {
				throw new AssertionError("unexpectedly " + what);
			}
			pause(() -> what);
		}
	}

	private static void pause(Supplier<String> what) {
		try {
			Thread.sleep(5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted waiting for: " + what.get(), ex);
		}
	}

}
