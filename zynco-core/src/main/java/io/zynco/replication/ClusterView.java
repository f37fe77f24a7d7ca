package io.zynco.replication;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

import io.zynco.state.StateType;
import io.zynco.state.StateView;
import io.zynco.version.Version;

/**
 * The versions a node serves, one per state, as one immutable value. A node flips from one
 * view to the next with a single atomic reference write, so a reader that takes the view once
 * (the routing filter does, per request) sees one version of every state from start to end.
 * Thread-safe (immutable).
 */
public final class ClusterView {

	/** The view before any state has a version. */
	public static final ClusterView EMPTY = new ClusterView(0, Map.of());

	private final long switchId;

	private final Map<String, Version> versions;

	private ClusterView(long switchId, Map<String, Version> versions) {
		this.switchId = switchId;
		this.versions = versions;
	}

	/** The switch that produced this view (0 for the initial view). Increases with every switch. */
	public long switchId() {
		return this.switchId;
	}

	/** Active version of every state, by name. */
	public Map<String, Version> versions() {
		return this.versions;
	}

	/** The active version of a state, or {@code null} if the state has none yet. */
	public Version version(String state) {
		return this.versions.get(state);
	}

	/**
	 * A typed view of a state's active version.
	 * @throws NoSuchElementException if the state has no active version in this view
	 */
	public <K, V> StateView<K, V> view(StateType<K, V> type) {
		Version version = this.versions.get(type.name());
		if (version == null) {
			throw new NoSuchElementException("state '" + type.name() + "' has no active version yet");
		}
		return type.view(version.snapshot());
	}

	/** This view with some states at other versions. */
	public ClusterView with(long switchId, Map<String, Version> changes) {
		Map<String, Version> next = new LinkedHashMap<>(this.versions);
		changes.forEach((state, version) -> next.put(state, Objects.requireNonNull(version, state)));
		return new ClusterView(switchId, Collections.unmodifiableMap(next));
	}

	/** A short label such as {@code fares@12,rules@3}, used in response headers and logs. */
	public String label() {
		StringBuilder sb = new StringBuilder();
		this.versions.forEach((state, version) -> {
			if (sb.length() > 0) {
				sb.append(',');
			}
			sb.append(state).append('@').append(version.number());
		});
		return sb.toString();
	}

	@Override
	public String toString() {
		return "ClusterView[" + this.switchId + ": " + label() + "]";
	}

}
