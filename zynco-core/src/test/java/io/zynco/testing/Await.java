package io.zynco.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, polling it; fails with a description of what did not
 * happen. Tests use it instead of sleeping for a fixed time.
 */
public final class Await {

	private Await() {
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
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("interrupted waiting for: " + what.get(), ex);
			}
		}
	}

}
