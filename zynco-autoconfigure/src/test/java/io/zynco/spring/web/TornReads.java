package io.zynco.spring.web;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.state.Codec;
import io.zynco.state.StateType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the torn-read tests ({@link ZyncoTornReadHttpTests}, {@link ZyncoTornReadReactiveTests})
 * share: the self-describing versions of state {@code torn} (entries {@code a} and {@code b}
 * both hold the version's publish counter), the cluster's churn of publishes, rollbacks and
 * switches forward, and the record of the bean instances.
 */
final class TornReads {

	static final StateType<String, Long> TORN = StateType.of("torn", Codec.utf8(), Codec.int64()).withSegmentBits(2);

	private TornReads() {
	}

	/**
	 * Publishes the next counter value in both entries and records it for the version.
	 * @param expected version -> the value both entries hold in it
	 */
	static void publish(ReplicatedState<String, Long> state, AtomicLong counter, Map<Long, Long> expected)
			throws Exception {
		long value = counter.incrementAndGet();
		// recorded before the version can be served: the readers look it up by version number
		long version = state.publish((edit) -> {
			edit.put("a", value);
			edit.put("b", value);
		}).get(10, TimeUnit.SECONDS);
		Long previous = expected.putIfAbsent(version, value);
		assertThat(previous).as("version %d published twice", version).isNull();
	}

	/**
	 * Runs {@code operations} operations in turn: a publish, a rollback to a random older
	 * version of the window (when there is one), a switch forward to the latest.
	 */
	static Churn churn(ZyncoNode node, ReplicatedState<String, Long> state, AtomicLong counter,
			Map<Long, Long> expected, int operations, Random random) throws Exception {
		String name = TORN.name();
		int publishes = 0;
		int rollbacks = 0;
		int forwards = 0;
		for (int op = 0; op < operations; op++) {
			switch (op % 3) {
				case 0 -> {
					publish(state, counter, expected);
					publishes++;
				}
				case 1 -> {
					long active = state.active().number();
					List<Long> older = state.chain()
						.versions()
						.stream()
						.map((version) -> version.number())
						.filter((number) -> number < active)
						.toList();
					if (!older.isEmpty()) {
						long target = older.get(random.nextInt(older.size()));
						node.rollback(name, target).get(10, TimeUnit.SECONDS);
						rollbacks++;
					}
				}
				default -> {
					long latest = state.chain().latest().number();
					node.switchTo(Map.of(name, latest)).get(10, TimeUnit.SECONDS);
					forwards++;
				}
			}
		}
		return new Churn(publishes, rollbacks, forwards);
	}

	/** The operations a {@link #churn} ran. */
	record Churn(int publishes, int rollbacks, int forwards) {
	}

	/** Records the instances of the torn bean: built, destroyed, alive (id -> version). */
	static class Lives {

		final AtomicInteger built = new AtomicInteger();

		final AtomicInteger destroyed = new AtomicInteger();

		final Map<Integer, Long> alive = new ConcurrentHashMap<>();

		/** Calls on an instance after it was destroyed (the reactive test counts them). */
		final AtomicInteger usedAfterDestroy = new AtomicInteger();

	}

}
