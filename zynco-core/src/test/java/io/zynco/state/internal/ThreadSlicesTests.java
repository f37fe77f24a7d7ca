package io.zynco.state.internal;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.zynco.testing.Platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The scheduler slice through {@code sched_setattr(2)}. Where the platform supports it
 * (Linux 6.12 or later on x86-64 or AArch64, as on the CI machines) every call must work;
 * elsewhere every call must change nothing and say why.
 */
class ThreadSlicesTests {

	@Test
	void setsAndReadsTheCallingThreadsSlice() throws Exception {
		AtomicReference<ThreadSlices.Outcome> outcome = new AtomicReference<>();
		AtomicLong slice = new AtomicLong();
		Platform.onNewThread(() -> {
			outcome.set(ThreadSlices.set(0, 5_000_000));
			slice.set(ThreadSlices.get(0));
		});
		if (Platform.threadSlices()) {
			assertThat(outcome.get().done()).as(String.valueOf(outcome.get().reason())).isTrue();
			assertThat(slice.get()).isEqualTo(5_000_000);
		}
		else {
			assertThat(outcome.get().done()).isFalse();
			assertThat(outcome.get().reason()).isNotBlank();
		}
	}

	@Test
	void threadsStartedByAThreadWithASliceGetTheDefault() throws Exception {
		AtomicLong parent = new AtomicLong();
		AtomicLong child = new AtomicLong();
		Platform.onNewThread(() -> {
			ThreadSlices.set(0, 20_000_000);
			parent.set(ThreadSlices.get(0));
			Thread started = new Thread(() -> child.set(ThreadSlices.get(0)));
			started.start();
			try {
				started.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		if (Platform.threadSlices()) {
			assertThat(parent.get()).isEqualTo(20_000_000);
			assertThat(child.get()).isPositive().isNotEqualTo(20_000_000);
		}
		else {
			assertThat(child.get()).isEqualTo(parent.get());
		}
	}

	@Test
	void setsTheSliceOfAnotherThreadFoundByName() throws Exception {
		CountDownLatch named = new CountDownLatch(1);
		CountDownLatch set = new CountDownLatch(1);
		AtomicLong seen = new AtomicLong();
		Thread thread = new Thread(() -> {
			named.countDown();
			try {
				set.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			seen.set(ThreadSlices.get(0));
		}, "slice-probe-thread-with-a-long-name");
		thread.start();
		named.await(30, TimeUnit.SECONDS);
		Map<Integer, String> threads = ThreadSlices.threads();
		Integer tid = threads.entrySet()
			.stream()
			.filter((e) -> e.getValue().equals("slice-probe-thr"))
			.map(Map.Entry::getKey)
			.findFirst()
			.orElse(null);
		if (!Platform.threadSlices()) {
			set.countDown();
			thread.join();
			return;
		}
		// the kernel keeps the first 15 characters of the name
		assertThat(tid).as("threads: %s", threads).isNotNull();
		assertThat(ThreadSlices.set(tid, 7_000_000).done()).isTrue();
		set.countDown();
		thread.join();
		assertThat(seen.get()).isEqualTo(7_000_000);
	}

	@Test
	void zeroGivesTheDefaultSliceBack() throws Exception {
		AtomicReference<ThreadSlices.Outcome> outcome = new AtomicReference<>();
		AtomicLong before = new AtomicLong();
		AtomicLong after = new AtomicLong();
		Platform.onNewThread(() -> {
			before.set(ThreadSlices.get(0));
			ThreadSlices.set(0, 30_000_000);
			outcome.set(ThreadSlices.set(0, 0));
			after.set(ThreadSlices.get(0));
		});
		if (Platform.threadSlices()) {
			assertThat(outcome.get().done()).as(String.valueOf(outcome.get().reason())).isTrue();
			assertThat(after.get()).isEqualTo(before.get()).isNotEqualTo(30_000_000);
		}
		else {
			assertThat(outcome.get().done()).isFalse();
		}
	}

	@Test
	void refusesANegativeSlice() {
		assertThatIllegalArgumentException().isThrownBy(() -> ThreadSlices.set(0, -1)).withMessageContaining("-1");
	}

	@Test
	void aThreadThatIsGoneIsNotAPlatformFailure() {
		// pid_max is at most 2^22: this id names no thread
		ThreadSlices.Outcome outcome = ThreadSlices.set(Integer.MAX_VALUE - 1, 5_000_000);
		assertThat(outcome.done()).isFalse();
		if (Platform.threadSlices()) {
			assertThat(outcome.platform()).as(outcome.reason()).isFalse();
		}
	}

}
