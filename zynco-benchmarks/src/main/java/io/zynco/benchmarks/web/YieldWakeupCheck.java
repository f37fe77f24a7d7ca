package io.zynco.benchmarks.web;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.zynco.state.Yield;

/**
 * How long a thread woken every millisecond waits for a CPU that a busy loop occupies, with
 * and without {@link Yield#point()} in the loop, and with the loop's thread declared a
 * {@link Yield#backgroundThread() background thread} (a long scheduler slice, Linux 6.12 and
 * later): the effects behind both, measured without Spring or the network. Run it on one CPU, so that both threads share it:
 * {@code taskset -c 0 java -cp zynco-benchmarks/target/benchmarks.jar
 * io.zynco.benchmarks.web.YieldWakeupCheck}. The busy loop runs 10 ms bursts 20 ms apart; the
 * sleeper records how late it wakes from each 1 ms park, 3,000 times per configuration. The
 * yielding configuration needs the default {@code zynco.yield-slice-micros}, the background
 * one the default {@code zynco.background-slice-micros}.
 */
public final class YieldWakeupCheck {

	private static final int SAMPLES = 3_000;

	private YieldWakeupCheck() {
	}

	public static void main(String[] args) throws InterruptedException {
		System.out.printf(Locale.ROOT, "CPUs available: %d (run under taskset -c 0 for one)%n",
				Runtime.getRuntime().availableProcessors());
		System.out.println("| busy loop | wake-up lateness p50 | p99 | p99.9 | max |");
		System.out.println("|---|---|---|---|---|");
		for (int round = 0; round < 2; round++) {
			run("no busy loop", null, false);
			run("busy, no yield points", false, false);
			run("busy, Yield.point() per step", true, false);
			run("busy, no yield points, background slice", false, true);
		}
	}

	private static void run(String name, Boolean yielding, boolean background) throws InterruptedException {
		long[] lateness = new long[SAMPLES];
		Thread busy = null;
		long[] sink = new long[1];
		if (yielding != null) {
			boolean yieldPoints = yielding;
			busy = new Thread(() -> {
				if (background && !Yield.backgroundThread()) {
					System.out.println("(no background slice here: " + Yield.backgroundStatus() + ")");
				}
				while (!Thread.currentThread().isInterrupted()) {
					long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
					long x = sink[0];
					while (System.nanoTime() < until) {
						for (int i = 0; i < 200; i++) {
							x = x * 6364136223846793005L + 1442695040888963407L;
						}
						if (yieldPoints) {
							Yield.point();
						}
					}
					sink[0] = x;
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
				}
			}, "busy");
			busy.setDaemon(true);
			busy.start();
		}
		for (int i = 0; i < SAMPLES; i++) {
			long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
			lateness[i] = System.nanoTime() - at;
		}
		if (busy != null) {
			busy.interrupt();
			busy.join(1_000);
		}
		Arrays.sort(lateness);
		System.out.printf(Locale.ROOT, "| %s | %.3f ms | %.3f ms | %.3f ms | %.3f ms |%n", name,
				lateness[SAMPLES / 2] / 1e6, lateness[SAMPLES * 99 / 100] / 1e6, lateness[SAMPLES * 999 / 1000] / 1e6,
				lateness[SAMPLES - 1] / 1e6);
	}

}
