package io.zynco.sample.fares;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.zynco.spring.ZyncoState;
import io.zynco.state.StateView;

/**
 * What the REST endpoints read: one instance per version of {@code fares} and {@code rules}.
 * The starter builds the instance for a new version (with the views of that version
 * injected) while the cluster prepares the switch, and every call within one request reaches
 * the instance of the version the request started with, so a search and the rules it joins
 * always come from one version of each state.
 */
@Component
@ZyncoState({ "fares", "rules" })
public class FareBook {

	private final StateView<String, Fare> fares;

	private final StateView<String, Rule> rules;

	private final RouteIndex routes;

	public FareBook(StateView<String, Fare> fares, StateView<String, Rule> rules, RouteIndexer indexer) {
		this.fares = fares;
		this.rules = rules;
		this.routes = indexer.indexOf(fares);
	}

	/** The fares on a route, optionally of one carrier and class, in key order, at most {@code limit}. */
	public Search search(String route, String carrier, String fareClass, int limit) {
		List<FareLine> lines = new ArrayList<>();
		int matching = 0;
		for (String key : this.routes.keys(route)) {
			if (FareKeys.matches(key, carrier, fareClass)) {
				matching++;
				if (lines.size() < limit) {
					lines.add(FareLine.of(key, this.fares.get(key)));
				}
			}
		}
		return new Search(route, matching, lines);
	}

	/** One fare, or {@code null}. */
	public FareLine fare(String key) {
		Fare fare = this.fares.get(key);
		return (fare != null) ? FareLine.of(key, fare) : null;
	}

	/** A rule set, or {@code null}. */
	public Rule rule(String id) {
		return this.rules.get(id);
	}

	/**
	 * The cheapest fare on a route in a class, with the rule it is sold under (both states,
	 * one version of each), or {@code null} when the route has no fare in that class.
	 */
	public Quote quote(String route, String fareClass) {
		FareLine cheapest = null;
		for (String key : this.routes.keys(route)) {
			if (FareKeys.matches(key, null, fareClass)) {
				FareLine line = FareLine.of(key, this.fares.get(key));
				if (cheapest == null || line.amountCents() < cheapest.amountCents()) {
					cheapest = line;
				}
			}
		}
		return (cheapest != null) ? new Quote(cheapest, this.rules.get(cheapest.ruleSet())) : null;
	}

	/** Fares per route. */
	public Map<String, Integer> routeCounts() {
		return this.routes.counts();
	}

	public long fareCount() {
		return this.fares.size();
	}

	public long ruleCount() {
		return this.rules.size();
	}

	/** A fare with its key, as the API returns it. */
	public record FareLine(String key, String carrier, String fareClass, long amountCents, String currency,
			String ruleSet, int revision, String basis) {

		static FareLine of(String key, Fare fare) {
			return new FareLine(key, fare.carrier(), fare.fareClass(), fare.amountCents(), fare.currency(),
					fare.ruleSet(), fare.revision(), fare.basis());
		}

	}

	/** The result of a search: how many fares match, and the first ones. */
	public record Search(String route, int matching, List<FareLine> fares) {
	}

	/** The cheapest fare and its rule ({@code null} if the rule set is missing). */
	public record Quote(FareLine fare, Rule rule) {
	}

}
