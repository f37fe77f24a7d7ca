package io.zynco.state.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ParallelTests {

	private final ExecutorService pool = Executors.newFixedThreadPool(3);

	@AfterEach
	void stop() {
		this.pool.shutdownNow();
	}

	@Test
	void runsEveryChunkOnce() {
		AtomicIntegerArray runs = new AtomicIntegerArray(1000);
		Parallel.forEachChunk(1000, this.pool, 4, runs::incrementAndGet);
		for (int c = 0; c < 1000; c++) {
			assertThat(runs.get(c)).as("chunk %d", c).isEqualTo(1);
		}
	}

	@Test
	void finishesOnTheCallerWhenHelpersNeverStart() {
		// an executor that queues and never runs: the caller must not wait for its helpers
		List<Runnable> never = new ArrayList<>();
		AtomicIntegerArray runs = new AtomicIntegerArray(50);
		Parallel.forEachChunk(50, never::add, 4, runs::incrementAndGet);
		assertThat(never).hasSize(3);
		for (int c = 0; c < 50; c++) {
			assertThat(runs.get(c)).isEqualTo(1);
		}
		// helpers that start late find nothing left to do
		never.forEach(Runnable::run);
		for (int c = 0; c < 50; c++) {
			assertThat(runs.get(c)).isEqualTo(1);
		}
	}

	@Test
	void finishesOnTheCallerWhenTheExecutorRejects() {
		AtomicIntegerArray runs = new AtomicIntegerArray(20);
		Parallel.forEachChunk(20, (task) -> {
			throw new RejectedExecutionException("shut down");
		}, 4, runs::incrementAndGet);
		for (int c = 0; c < 20; c++) {
			assertThat(runs.get(c)).isEqualTo(1);
		}
	}

	@Test
	void rethrowsTheFailureOfTheLowestChunk() {
		for (int attempt = 0; attempt < 20; attempt++) {
			assertThatIllegalStateException().isThrownBy(() -> Parallel.forEachChunk(64, this.pool, 4, (c) -> {
				if (c == 7 || c == 40) {
					throw new IllegalStateException("chunk " + c);
				}
			})).withMessage("chunk 7");
		}
	}

}
