package io.zynco.sample.fares;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.zynco.sample.FareGenerator;
import io.zynco.state.Snapshot;
import io.zynco.state.StateType;

import static org.assertj.core.api.Assertions.assertThat;

class RouteIndexTests {

	private final FareGenerator generator = new FareGenerator(42);

	private Snapshot table(int fares) {
		StateType<String, Fare>.TypedBuilder builder = FareStates.FARES.builder();
		for (int i = 0; i < fares; i++) {
			builder.put(this.generator.key(i), this.generator.fare(i, 0));
		}
		return builder.build();
	}

	@Test
	void aRepricingReusesEveryRouteArray() {
		Snapshot v1 = table(20_000);
		RouteIndex index = RouteIndex.build(v1);
		Snapshot v2 = FareStates.FARES.edit(v1).put(this.generator.key(5), this.generator.fare(5, 1)).commit().snapshot();
		RouteIndex next = index.update(v2);
		assertThat(next.snapshot()).isSameAs(v2);
		assertThat(next.counts()).isEqualTo(index.counts());
		for (String route : index.counts().keySet()) {
			assertThat(next.sharesRoute(index, route)).as(route).isTrue();
		}
	}

	@Test
	void incrementalUpdatesEqualAFullBuild() {
		Snapshot base = table(20_000);
		RouteIndex index = RouteIndex.build(base);
		SplittableRandom random = new SplittableRandom(1);
		Snapshot current = base;
		for (int round = 0; round < 20; round++) {
			StateType<String, Fare>.TypedEditor edit = FareStates.FARES.edit(current);
			for (int i = 0; i < 50; i++) {
				int n = random.nextInt(30_000);
				if (random.nextBoolean()) {
					edit.put(this.generator.key(n), this.generator.fare(n, round + 1));
				}
				else {
					edit.remove(this.generator.key(n));
				}
			}
			edit.put(FareKeys.key("AKL-WLG", "NZ", "Y", round), this.generator.fare(round, 0));
			current = edit.commit().snapshot();
			index = index.update(current);
			RouteIndex full = RouteIndex.build(current);
			assertThat(index.counts()).isEqualTo(full.counts());
			for (String route : full.counts().keySet()) {
				assertThat(index.keys(route)).as(route).isEqualTo(full.keys(route));
			}
		}
		assertThat(index.keys("AKL-WLG")).hasSize(20);
	}

	@Test
	void withdrawingEveryFareOfARouteRemovesTheRoute() {
		Snapshot v1 = table(5_000);
		RouteIndex index = RouteIndex.build(v1);
		String route = index.counts().keySet().iterator().next();
		StateType<String, Fare>.TypedEditor edit = FareStates.FARES.edit(v1);
		index.keys(route).forEach(edit::remove);
		RouteIndex next = index.update(edit.commit().snapshot());
		assertThat(next.counts()).doesNotContainKey(route);
		assertThat(next.keys(route)).isEmpty();
		assertThat(next.routeCount()).isEqualTo(index.routeCount() - 1);
	}

	@Test
	void theEmptyIndexBuildsOnFirstUse() {
		Snapshot v1 = table(1_000);
		RouteIndex index = RouteIndex.EMPTY.update(v1);
		assertThat(index.fareCount()).isEqualTo(1_000);
		assertThat(index.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1_000);
	}

}
