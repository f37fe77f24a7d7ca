package io.zynco.sample.fares;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.zynco.state.ChangeSet;
import io.zynco.state.Snapshot;

/**
 * The keys of the fares on each route, for one version of the {@code fares} state: what the
 * search by route reads. Immutable. An index for a new version is built from the previous
 * one and the diff between their snapshots ({@link #update}), so a repricing (which changes
 * values, not keys) costs a diff and reuses the index, and adding or withdrawing a route
 * rebuilds only that route's key array. Unchanged routes share their arrays between versions.
 */
public final class RouteIndex {

	private static final String[] NONE = new String[0];

	/** The index of the empty state. */
	public static final RouteIndex EMPTY = new RouteIndex(null, Map.of(), 0);

	private final Snapshot snapshot;

	private final Map<String, String[]> routes;

	private final long fares;

	private RouteIndex(Snapshot snapshot, Map<String, String[]> routes, long fares) {
		this.snapshot = snapshot;
		this.routes = routes;
		this.fares = fares;
	}

	/** Builds the index of a snapshot of {@code fares} from scratch. */
	public static RouteIndex build(Snapshot snapshot) {
		Map<String, List<String>> collected = new HashMap<>();
		snapshot.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength) -> {
			String key = new String(buffer, keyOffset, keyLength, StandardCharsets.UTF_8);
			collected.computeIfAbsent(FareKeys.route(key), (route) -> new ArrayList<>()).add(key);
		});
		Map<String, String[]> routes = new HashMap<>(collected.size() * 2);
		collected.forEach((route, keys) -> routes.put(route, sorted(keys)));
		return new RouteIndex(snapshot, routes, snapshot.size());
	}

	/**
	 * The index of {@code target}, derived from this one: only routes whose key set changed
	 * are rebuilt.
	 */
	public RouteIndex update(Snapshot target) {
		if (this.snapshot == null) {
			return build(target);
		}
		if (target == this.snapshot) {
			return this;
		}
		ChangeSet changes = this.snapshot.diff(target);
		Map<String, Set<String>> added = new HashMap<>();
		Map<String, Set<String>> removed = new HashMap<>();
		changes.forEach((put, buffer, keyOffset, keyLength, valueOffset, valueLength) -> {
			byte[] keyBytes = Arrays.copyOfRange(buffer, keyOffset, keyOffset + keyLength);
			if (put && this.snapshot.containsKey(keyBytes)) {
				return; // a new value for an existing fare: the key set did not change
			}
			String key = new String(keyBytes, StandardCharsets.UTF_8);
			(put ? added : removed).computeIfAbsent(FareKeys.route(key), (route) -> new HashSet<>()).add(key);
		});
		if (added.isEmpty() && removed.isEmpty()) {
			return new RouteIndex(target, this.routes, target.size());
		}
		Map<String, String[]> routes = new HashMap<>(this.routes);
		Set<String> touched = new HashSet<>(added.keySet());
		touched.addAll(removed.keySet());
		for (String route : touched) {
			List<String> keys = new ArrayList<>(Arrays.asList(routes.getOrDefault(route, NONE)));
			keys.removeAll(removed.getOrDefault(route, Set.of()));
			keys.addAll(added.getOrDefault(route, Set.of()));
			if (keys.isEmpty()) {
				routes.remove(route);
			}
			else {
				routes.put(route, sorted(keys));
			}
		}
		return new RouteIndex(target, routes, target.size());
	}

	/** The snapshot this index describes ({@code null} for {@link #EMPTY}). */
	public Snapshot snapshot() {
		return this.snapshot;
	}

	/** The keys of the fares on {@code route}, sorted; empty for an unknown route. */
	public List<String> keys(String route) {
		String[] keys = this.routes.get(route);
		return (keys != null) ? Collections.unmodifiableList(Arrays.asList(keys)) : List.of();
	}

	/** The number of fares on each route, by route name. */
	public Map<String, Integer> counts() {
		Map<String, Integer> counts = new TreeMap<>();
		this.routes.forEach((route, keys) -> counts.put(route, keys.length));
		return counts;
	}

	public int routeCount() {
		return this.routes.size();
	}

	public long fareCount() {
		return this.fares;
	}

	/** Whether this index shares the key array of {@code route} with {@code other}. */
	boolean sharesRoute(RouteIndex other, String route) {
		String[] mine = this.routes.get(route);
		return mine != null && mine == other.routes.get(route);
	}

	private static String[] sorted(List<String> keys) {
		String[] array = keys.toArray(NONE);
		Arrays.sort(array);
		return array;
	}

}
