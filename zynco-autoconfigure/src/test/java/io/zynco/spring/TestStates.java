package io.zynco.spring;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.zynco.replication.ClusterView;
import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

/** States, @ZyncoState beans and settings shared by the tests of the Spring layer. */
public final class TestStates {

	/** A node alone on loopback: unicast data, no secret (so no packet authentication). */
	public static final String[] NODE_PROPERTIES = { "zynco.transfer.mode=unicast",
			"zynco.membership.heartbeat-interval=50ms", "zynco.membership.failure-timeout=500ms",
			"zynco.switching.prepare-timeout=5s" };

	public static final Duration TIMEOUT = Duration.ofSeconds(10);

	public static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8())
		.withSegmentBits(4);

	public static final StateType<String, Long> RULES = StateType.of("rules", Codec.utf8(), Codec.int64())
		.withSegmentBits(4);

	private TestStates() {
	}

	/** Declares the two states. */
	@Configuration(proxyBeanMethods = false)
	public static class StatesConfiguration {

		@Bean
		StateType<String, String> faresType() {
			return FARES;
		}

		@Bean
		StateType<String, Long> rulesType() {
			return RULES;
		}

		@Bean
		Tracker tracker() {
			return new Tracker();
		}

	}

	/** Records the life of @ZyncoState instances, by instance id. Thread-safe. */
	public static class Tracker {

		final List<Integer> created = new CopyOnWriteArrayList<>();

		final List<Integer> destroyed = new CopyOnWriteArrayList<>();

		void created(int id) {
			this.created.add(id);
		}

		void destroyed(int id) {
			this.destroyed.add(id);
		}

		public List<Integer> created() {
			return this.created;
		}

		public List<Integer> destroyed() {
			return this.destroyed;
		}

	}

	private static final AtomicInteger ids = new AtomicInteger();

	/**
	 * An index built from one version of "fares"; refuses a table with a "poison" entry.
	 */
	@ZyncoState("fares")
	public static class FareIndex implements DisposableBean {

		private final int id = ids.incrementAndGet();

		private final Map<String, String> fares = new TreeMap<>();

		private final long version;

		private final Tracker tracker;

		public FareIndex(StateView<String, String> fares, ClusterView view, Tracker tracker) {
			fares.forEach(this.fares::put);
			if (this.fares.containsKey("poison")) {
				throw new IllegalStateException("the fare table holds a poisoned entry");
			}
			this.version = view.version("fares").number();
			this.tracker = tracker;
			tracker.created(this.id);
		}

		private volatile boolean destroyed;

		public String fare(String route) {
			checkAlive();
			return this.fares.get(route);
		}

		public long version() {
			checkAlive();
			return this.version;
		}

		private void checkAlive() {
			if (this.destroyed) {
				throw new IllegalStateException("instance " + this.id + " of version " + this.version + " was destroyed");
			}
		}

		/** Identity of the instance behind the proxy (a proxy returns itself for {@code this}). */
		public int id() {
			return this.id;
		}

		@Override
		public void destroy() {
			this.destroyed = true;
			this.tracker.destroyed(this.id);
		}

	}

	/** Built from "rules" only. */
	@ZyncoState("rules")
	public static class RuleBook {

		private final int id = ids.incrementAndGet();

		private final long version;

		private final StateView<String, Long> rules;

		public RuleBook(StateView<String, Long> rules, ClusterView view) {
			this.rules = rules;
			this.version = view.version("rules").number();
		}

		public long version() {
			return this.version;
		}

		public Long limit(String name) {
			return this.rules.get(name);
		}

		public int id() {
			return this.id;
		}

	}

}
