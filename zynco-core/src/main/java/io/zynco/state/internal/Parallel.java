package io.zynco.state.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs numbered chunks of work on the calling thread and, if given, on helper tasks of an
 * executor. Chunks are claimed from a shared counter, so the caller never waits for a helper
 * that has not started: a busy (even a saturated, or the caller's own) executor only means
 * the caller runs more chunks itself, and can never deadlock. Thread-safe (stateless).
 */
public final class Parallel {

	private Parallel() {
	}

	/** Worker threads worth using on this machine. */
	public static int defaultParallelism() {
		return Runtime.getRuntime().availableProcessors();
	}

	/**
	 * Runs {@code task.accept(c)} for every chunk {@code c} in {@code [0, chunks)}, once each,
	 * and returns when all have finished. If chunks fail, the failure of the lowest chunk is
	 * rethrown, after every chunk already started has finished; chunks not started by then are
	 * skipped.
	 * @param executor runs helpers; {@code null} to run everything on the caller
	 * @param parallelism threads to use, the caller included
	 */
	public static void forEachChunk(int chunks, Executor executor, int parallelism, IntConsumer task) {
		if (chunks <= 0) {
			return;
		}
		int helpers = (executor == null) ? 0 : Math.min(parallelism, chunks) - 1;
		if (helpers <= 0) {
			for (int c = 0; c < chunks; c++) {
				task.accept(c);
			}
			return;
		}
		Run run = new Run(chunks, task);
		for (int h = 0; h < helpers; h++) {
			try {
				executor.execute(run::work);
			}
			catch (RejectedExecutionException ex) {
				break;
			}
		}
		run.work();
		try {
			run.done.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CancellationException("interrupted while waiting for parallel work");
		}
		run.rethrow();
	}

	private static final class Run {

		final int chunks;

		final IntConsumer task;

		final AtomicInteger next = new AtomicInteger();

		final CountDownLatch done;

		/** Lowest failed chunk and its failure; guarded by this. */
		private int failedChunk = Integer.MAX_VALUE;

		private Throwable failure;

		private volatile boolean failed;

		Run(int chunks, IntConsumer task) {
			this.chunks = chunks;
			this.task = task;
			this.done = new CountDownLatch(chunks);
		}

		void work() {
			int c;
			while ((c = this.next.getAndIncrement()) < this.chunks) {
				try {
					if (!this.failed) {
						this.task.accept(c);
					}
				}
				catch (Throwable ex) {
					fail(c, ex);
				}
				finally {
					this.done.countDown();
				}
			}
		}

		private synchronized void fail(int chunk, Throwable ex) {
			this.failed = true;
			if (chunk < this.failedChunk) {
				this.failedChunk = chunk;
				this.failure = ex;
			}
		}

		synchronized void rethrow() {
			if (this.failure instanceof RuntimeException ex) {
				throw ex;
			}
			if (this.failure instanceof Error error) {
				throw error;
			}
			if (this.failure != null) {
				throw new IllegalStateException(this.failure);
			}
		}

	}

}
