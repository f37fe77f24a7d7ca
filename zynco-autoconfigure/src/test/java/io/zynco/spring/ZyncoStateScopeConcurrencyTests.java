package io.zynco.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.zynco.autoconfigure.ZyncoAutoConfiguration;
import io.zynco.replication.ReplicatedState;
import io.zynco.spring.TestStates.FareIndex;
import io.zynco.spring.TestStates.StatesConfiguration;
import io.zynco.spring.TestStates.Tracker;

import static io.zynco.spring.TestStates.FARES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readers pinning views while the node switches as fast as it can, with old instances
 * destroyed as early as the scope allows: no reader sees two versions within a pin, or an
 * instance that was destroyed.
 */
class ZyncoStateScopeConcurrencyTests {

	private static final int SWITCHES = 30;

	private static final int READERS = 4;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
		.withPropertyValues(TestStates.NODE_PROPERTIES)
		.withPropertyValues("zynco.scope.retain-inactive=false", "zynco.chain.max-versions=2")
		.withUserConfiguration(StatesConfiguration.class, FareIndex.class);

	@Test
	void pinnedReadersNeverSeeATornViewOrADestroyedInstance() {
		this.runner.run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			FareIndex index = context.getBean(FareIndex.class);
			ReplicatedState<String, String> fares = views.state(FARES);
			AtomicBoolean done = new AtomicBoolean();
			AtomicLong reads = new AtomicLong();
			Queue<String> problems = new ConcurrentLinkedQueue<>();
			ExecutorService pool = Executors.newFixedThreadPool(READERS);
			try {
				List<Future<?>> readers = new ArrayList<>();
				for (int r = 0; r < READERS; r++) {
					readers.add(pool.submit(() -> {
						while (!done.get()) {
							try (ViewPin pin = views.pin()) {
								long pinned = pin.view().version("fares").number();
								long first = index.version();
								String fare = index.fare("route");
								long second = index.version();
								if (first != pinned || second != pinned
										|| (pinned > 0 && !String.valueOf(pinned).equals(fare))) {
									problems.add("pinned " + pinned + " but saw " + first + "/" + fare + "/" + second);
								}
								reads.incrementAndGet();
							}
							catch (RuntimeException ex) {
								problems.add(ex.toString());
							}
						}
					}));
				}
				for (int i = 0; i < SWITCHES; i++) {
					long version = fares.active().number() + 1;
					// each version's fare names the version it belongs to (numbers increase by one here)
					long published = fares.publish((edit) -> edit.put("route", String.valueOf(version)))
						.get(10, TimeUnit.SECONDS);
					assertThat(published).isEqualTo(version);
				}
				done.set(true);
				for (Future<?> reader : readers) {
					reader.get(10, TimeUnit.SECONDS);
				}
			}
			finally {
				done.set(true);
				pool.shutdownNow();
			}
			assertThat(problems).isEmpty();
			assertThat(reads.get()).as("reads overlapping the switches").isGreaterThan(SWITCHES);
			// every superseded instance is destroyed once unpinned: only the active one is left
			Tracker tracker = context.getBean(Tracker.class);
			await().atMost(TestStates.TIMEOUT)
				.untilAsserted(() -> assertThat(tracker.destroyed()).hasSize(tracker.created().size() - 1));
			assertThat(tracker.created()).hasSize(SWITCHES + 1);
		});
	}

}
