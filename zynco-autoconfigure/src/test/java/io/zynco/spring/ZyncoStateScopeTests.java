package io.zynco.spring;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.zynco.autoconfigure.ZyncoAutoConfiguration;
import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ReplicationException;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.TestStates.FareIndex;
import io.zynco.spring.TestStates.RuleBook;
import io.zynco.spring.TestStates.StatesConfiguration;
import io.zynco.spring.TestStates.Tracker;
import io.zynco.spring.event.ZyncoEvent;
import io.zynco.spring.event.ZyncoPreparedEvent;
import io.zynco.spring.event.ZyncoRolledBackEvent;
import io.zynco.spring.event.ZyncoSwitchAbortedEvent;
import io.zynco.spring.event.ZyncoSwitchedEvent;
import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

import static io.zynco.spring.TestStates.FARES;
import static io.zynco.spring.TestStates.RULES;
import static io.zynco.spring.TestStates.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@code zynco} scope on a single node: one instance per version of a bean's states,
 * built before the switch, routed by pin, destroyed when no longer in use.
 */
class ZyncoStateScopeTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
		.withPropertyValues(TestStates.NODE_PROPERTIES)
		.withUserConfiguration(StatesConfiguration.class, FareIndex.class, RuleBook.class);

	private static long publish(ReplicatedState<String, String> state, String key, String value) throws Exception {
		return state.publish((edit) -> edit.put(key, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
	}

	private static <T> T onOtherThread(java.util.function.Supplier<T> task) {
		return CompletableFuture.supplyAsync(task).join();
	}

	@Test
	void buildsAnInstanceOfTheFirstViewAtStart() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			Tracker tracker = context.getBean(Tracker.class);
			assertThat(tracker.created()).hasSize(1);
			FareIndex index = context.getBean(FareIndex.class);
			assertThat(index.version()).isZero();
			assertThat(index.id()).isEqualTo(tracker.created().get(0));
		});
	}

	@Test
	void instanceFollowsTheVersionWhileAPinKeepsTheOldOne() {
		this.runner.run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			FareIndex index = context.getBean(FareIndex.class);
			ReplicatedState<String, String> fares = views.state(FARES);
			long v1 = publish(fares, "LHR-JFK", "100");
			assertThat(index.version()).isEqualTo(v1);
			assertThat(index.fare("LHR-JFK")).isEqualTo("100");
			int first = index.id();
			long v2;
			try (ViewPin pin = views.pin()) {
				assertThat(pin.view().version("fares").number()).isEqualTo(v1);
				v2 = publish(fares, "LHR-JFK", "120");
				// this thread is pinned: same instance, same version, whatever the cluster did
				assertThat(index.id()).isEqualTo(first);
				assertThat(index.fare("LHR-JFK")).isEqualTo("100");
				assertThat(views.current().version("fares").number()).isEqualTo(v1);
				// another thread is not pinned: it sees the active view
				assertThat(onOtherThread(() -> index.fare("LHR-JFK"))).isEqualTo("120");
				assertThat(onOtherThread(index::version)).isEqualTo(v2);
			}
			assertThat(index.version()).isEqualTo(v2);
			assertThat(index.fare("LHR-JFK")).isEqualTo("120");
			assertThat(index.id()).isNotEqualTo(first);
		});
	}

	@Test
	void nestedPinsSeeTheOuterView() {
		this.runner.run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			ReplicatedState<String, String> fares = views.state(FARES);
			try (ViewPin outer = views.pin()) {
				publish(fares, "a", "1");
				try (ViewPin inner = views.pin()) {
					assertThat(inner.view()).isSameAs(outer.view());
				}
				assertThat(views.isPinned()).isTrue();
				assertThat(views.current()).isSameAs(outer.view());
			}
			assertThat(views.isPinned()).isFalse();
			assertThat(views.current().version("fares").number()).isPositive();
		});
	}

	@Test
	void wrappedTaskRunsWithTheSubmittersView() {
		this.runner.run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			FareIndex index = context.getBean(FareIndex.class);
			ReplicatedState<String, String> fares = views.state(FARES);
			long v1 = publish(fares, "LHR-JFK", "100");
			java.util.concurrent.Callable<Long> task;
			try (ViewPin pin = views.pin()) {
				assertThat(pin.view().version("fares").number()).isEqualTo(v1);
				task = views.wrap(index::version);
			}
			publish(fares, "LHR-JFK", "120");
			// the task holds its own pin of v1 although the submitter's pin is closed
			assertThat(CompletableFuture.supplyAsync(() -> {
				try {
					return task.call();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}).join()).isEqualTo(v1);
		});
	}

	@Test
	void aConstructorThatThrowsAbortsTheSwitch() {
		this.runner.withUserConfiguration(EventsConfiguration.class).run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			ZyncoNode node = context.getBean(ZyncoNode.class);
			FareIndex index = context.getBean(FareIndex.class);
			ReplicatedState<String, String> fares = views.state(FARES);
			long v1 = publish(fares, "LHR-JFK", "100");
			assertThatThrownBy(() -> publish(fares, "poison", "!")).isInstanceOf(ExecutionException.class)
				.cause()
				.isInstanceOf(ReplicationException.class)
				.hasMessageContaining("could not be built")
				.hasMessageContaining("FareIndex'")
				.hasMessageContaining("poisoned entry")
				.satisfies((ex) -> assertThat(((ReplicationException) ex).reason())
					.isEqualTo(ReplicationException.Reason.ABORTED));
			assertThat(node.view().version("fares").number()).isEqualTo(v1);
			assertThat(views.active().version("fares").number()).isEqualTo(v1);
			assertThat(index.version()).isEqualTo(v1);
			assertThat(index.fare("poison")).isNull();
			List<ZyncoEvent> events = context.getBean(EventsConfiguration.class).events;
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(events).filteredOn(ZyncoSwitchAbortedEvent.class::isInstance)
					.singleElement()
					.satisfies((event) -> assertThat(((ZyncoSwitchAbortedEvent) event).getReason())
						.contains("poisoned entry")));
		});
	}

	@Test
	void oldInstancesAreDestroyedOnceUnpinnedWhenNotRetained() {
		this.runner.withPropertyValues("zynco.scope.retain-inactive=false").run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			ZyncoStateScope scope = context.getBean(ZyncoStateScope.class);
			Tracker tracker = context.getBean(Tracker.class);
			FareIndex index = context.getBean(FareIndex.class);
			ReplicatedState<String, String> fares = views.state(FARES);
			int v0 = index.id();
			publish(fares, "a", "1");
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(tracker.destroyed()).containsExactly(v0));
			int v1 = index.id();
			ViewPin pin = views.acquire();
			publish(fares, "a", "2");
			scope.sweep();
			assertThat(tracker.destroyed()).containsExactly(v0);
			// the pin is released on another thread, as an async request's is
			CompletableFuture.runAsync(pin::close).join();
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(tracker.destroyed()).containsExactly(v0, v1));
			assertThat(scope.instanceCounts()).containsEntry("scopedTarget.testStates.FareIndex", 1);
		});
	}

	@Test
	void retainedInstancesLiveWhileTheirVersionIsInTheWindowAndServeRollbacks() {
		this.runner.withPropertyValues("zynco.chain.max-versions=2").withUserConfiguration(EventsConfiguration.class)
			.run((context) -> {
				ZyncoViews views = context.getBean(ZyncoViews.class);
				ZyncoStateScope scope = context.getBean(ZyncoStateScope.class);
				Tracker tracker = context.getBean(Tracker.class);
				FareIndex index = context.getBean(FareIndex.class);
				ReplicatedState<String, String> fares = views.state(FARES);
				int v0 = index.id();
				long v1 = publish(fares, "a", "1");
				int atV1 = index.id();
				scope.sweep();
				assertThat(tracker.destroyed()).isEmpty();
				publish(fares, "a", "2");
				// the window holds v1 and v2 now: v0 left it
				await().atMost(TIMEOUT).untilAsserted(() -> assertThat(tracker.destroyed()).containsExactly(v0));
				ClusterView rolledBack = views.node().rollback("fares", v1).get(10, TimeUnit.SECONDS);
				assertThat(rolledBack.version("fares").number()).isEqualTo(v1);
				// a rollback within the window reuses the retained instance: nothing is rebuilt
				assertThat(index.id()).isEqualTo(atV1);
				assertThat(index.fare("a")).isEqualTo("1");
				List<ZyncoEvent> events = context.getBean(EventsConfiguration.class).events;
				await().atMost(TIMEOUT)
					.untilAsserted(() -> assertThat(events).filteredOn(ZyncoRolledBackEvent.class::isInstance)
						.singleElement()
						.satisfies((event) -> assertThat(((ZyncoSwitchedEvent) event).getCurrent()).isSameAs(rolledBack)));
			});
	}

	@Test
	void aBeanIsRebuiltOnlyWhenItsOwnStatesSwitch() {
		this.runner.run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			RuleBook rules = context.getBean(RuleBook.class);
			FareIndex index = context.getBean(FareIndex.class);
			int before = rules.id();
			publish(views.state(FARES), "a", "1");
			assertThat(rules.id()).isEqualTo(before);
			int fareIndex = index.id();
			long r1 = views.state(RULES).publish((edit) -> edit.put("max-stops", 2L)).get(10, TimeUnit.SECONDS);
			assertThat(rules.id()).isNotEqualTo(before);
			assertThat(rules.version()).isEqualTo(r1);
			assertThat(rules.limit("max-stops")).isEqualTo(2L);
			assertThat(index.id()).isEqualTo(fareIndex);
		});
	}

	@Test
	void publishesPreparedAndSwitchedEvents() {
		this.runner.withUserConfiguration(EventsConfiguration.class).run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			long v1 = publish(views.state(FARES), "a", "1");
			List<ZyncoEvent> events = context.getBean(EventsConfiguration.class).events;
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(events).filteredOn(ZyncoSwitchedEvent.class::isInstance)
					.singleElement()
					.satisfies((event) -> {
						ZyncoSwitchedEvent switched = (ZyncoSwitchedEvent) event;
						assertThat(switched.isRollback()).isFalse();
						assertThat(switched.getPrevious().version("fares").number()).isZero();
						assertThat(switched.getCurrent().version("fares").number()).isEqualTo(v1);
						assertThat(switched.getNode()).isSameAs(views.node());
					}));
			assertThat(events).filteredOn(ZyncoPreparedEvent.class::isInstance)
				.singleElement()
				.satisfies((event) -> assertThat(((ZyncoPreparedEvent) event).getNext().label()).contains("fares@" + v1));
			assertThat(events).allSatisfy((event) -> assertThat(event.getClass()).isNotEqualTo(ZyncoSwitchAbortedEvent.class));
		});
	}

	@Test
	void aZyncoStateBeanMethodIsScopedToo() {
		this.runner.withUserConfiguration(BeanMethodConfiguration.class).run((context) -> {
			ZyncoViews views = context.getBean(ZyncoViews.class);
			Labels labels = context.getBean(Labels.class);
			assertThat(labels.label()).isEqualTo("fares@0");
			long v1 = publish(views.state(FARES), "a", "1");
			assertThat(labels.label()).isEqualTo("fares@" + v1);
		});
	}

	@Test
	void aQualifierPicksAmongStatesOfTheSameTypes() {
		this.runner.withUserConfiguration(SameTypesConfiguration.class, Greeter.class).run((context) -> {
			assertThat(context).hasNotFailed();
			ZyncoViews views = context.getBean(ZyncoViews.class);
			views.state(GREETINGS).publish((edit) -> edit.put("en", "hello")).get(10, TimeUnit.SECONDS);
			publish(views.state(FARES), "LHR-JFK", "100");
			Greeter greeter = context.getBean(Greeter.class);
			assertThat(greeter.greet("en")).isEqualTo("hello");
			assertThat(greeter.fare("LHR-JFK")).isEqualTo("100");
			assertThat(greeter.greet("LHR-JFK")).isNull();
		});
	}

	@Test
	void aStateViewCannotBeInjectedIntoASingleton() {
		this.runner.withUserConfiguration(SingletonWithView.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("injected only into @ZyncoState beans")
				.hasMessageContaining("ZyncoViews");
		});
	}

	@Test
	void aBeanNamingAnUnknownStateFailsTheStart() {
		this.runner.withUserConfiguration(UnknownState.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidZyncoConfigurationException.class)
				.hasMessageContaining("UnknownState' is built from state 'nope'")
				.hasMessageContaining("[fares, rules]");
		});
	}

	@Test
	void aBeanReadingAStateItDoesNotDeclareFailsTheStart() {
		this.runner.withUserConfiguration(UndeclaredState.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidZyncoConfigurationException.class)
				.hasMessageContaining("injects the view of state rules but is built only from [fares]");
		});
	}

	@Test
	void instancesAreDestroyedWhenTheContextCloses() {
		Tracker[] tracker = new Tracker[1];
		int[] instance = new int[1];
		this.runner.run((context) -> {
			tracker[0] = context.getBean(Tracker.class);
			instance[0] = context.getBean(FareIndex.class).id();
		});
		assertThat(tracker[0].destroyed()).containsExactly(instance[0]);
	}

	// ------------------------------------------------------------------ fixtures

	static final StateType<String, String> GREETINGS = StateType.of("greetings", Codec.utf8(), Codec.utf8())
		.withSegmentBits(2);

	@Configuration(proxyBeanMethods = false)
	static class EventsConfiguration {

		final List<ZyncoEvent> events = new CopyOnWriteArrayList<>();

		@Bean
		ApplicationListener<ZyncoEvent> recorder() {
			return this.events::add;
		}

	}

	/** A @ZyncoState bean from a @Bean method. */
	static class Labels {

		private final String label;

		Labels(String label) {
			this.label = label;
		}

		String label() {
			return this.label;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BeanMethodConfiguration {

		@Bean
		@ZyncoState("fares")
		Labels labels(ClusterView view) {
			return new Labels(view.label());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SameTypesConfiguration {

		@Bean
		StateType<String, String> greetingsType() {
			return GREETINGS;
		}

	}

	/** Built from two states of the same types: told apart by name and by qualifier. */
	@ZyncoState({ "greetings", "fares" })
	static class Greeter {

		private final StateView<String, String> greetings;

		private final StateView<String, String> fares;

		Greeter(@Qualifier("greetings") StateView<String, String> hello, StateView<String, String> fares) {
			this.greetings = hello;
			this.fares = fares;
		}

		String greet(String language) {
			return this.greetings.get(language);
		}

		String fare(String route) {
			return this.fares.get(route);
		}

	}

	static class SingletonWithView {

		SingletonWithView(StateView<String, Long> rules) {
		}

	}

	@ZyncoState("nope")
	static class UnknownState {

	}

	@ZyncoState("fares")
	static class UndeclaredState {

		UndeclaredState(StateView<String, Long> rules) {
		}

	}

}
