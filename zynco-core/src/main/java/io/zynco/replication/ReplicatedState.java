package io.zynco.replication;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.zynco.state.ChangeSet;
import io.zynco.state.Edit;
import io.zynco.state.Snapshot;
import io.zynco.state.StateType;
import io.zynco.state.StateView;
import io.zynco.version.Version;
import io.zynco.version.VersionChain;

/**
 * One state registered with a {@link ZyncoNode}: its type, its local version chain, and
 * typed access to the version this node serves. Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class ReplicatedState<K, V> {

	private final ZyncoNode node;

	private final StateType<K, V> type;

	private final VersionChain chain;

	private final SwitchPolicy policy;

	ReplicatedState(ZyncoNode node, StateType<K, V> type, VersionChain chain, SwitchPolicy policy) {
		this.node = node;
		this.type = type;
		this.chain = chain;
		this.policy = policy;
	}

	public StateType<K, V> type() {
		return this.type;
	}

	public String name() {
		return this.type.name();
	}

	/** This node's chain of recent versions of the state. */
	public VersionChain chain() {
		return this.chain;
	}

	public SwitchPolicy policy() {
		return this.policy;
	}

	/** The version this node serves now (version 0, empty, before the first publish). */
	public Version active() {
		return this.node.view().version(name());
	}

	/** A typed view of the version this node serves now. */
	public StateView<K, V> view() {
		return this.type.view(active().snapshot());
	}

	/**
	 * Publishes the changes the editor makes to the active version. Completes with the new
	 * version number once the cluster switched to it (policy {@code AUTO}) or holds it
	 * ({@code MANUAL}); completes with {@code -1} if the edit changed nothing (no version is
	 * made). Fails with a {@link ReplicationException} otherwise.
	 */
	public CompletableFuture<Long> publish(Consumer<StateType<K, V>.TypedEditor> changes) {
		Objects.requireNonNull(changes, "changes");
		Version base = active();
		StateType<K, V>.TypedEditor editor = this.type.edit(base.snapshot());
		changes.accept(editor);
		return this.node.publish(name(), base, editor.commit());
	}

	/**
	 * Publishes a full reload: the content is diffed against the active version and only the
	 * differences travel.
	 */
	public CompletableFuture<Long> publishReload(Snapshot content) {
		Version base = active();
		ChangeSet changes = base.snapshot().diff(content);
		Snapshot target = base.snapshot().apply(changes);
		return this.node.publish(name(), base, new Edit(base.snapshot(), target, changes));
	}

	/**
	 * Publishes an edit made on the snapshot of a version in this node's window, normally the
	 * active one; an edit on an older version is refused by the coordinator as a stale base.
	 * @throws IllegalArgumentException if the edit's base is no version in the window
	 */
	public CompletableFuture<Long> publish(Edit edit) {
		Version base = null;
		for (Version v : this.chain.versions()) {
			if (v.snapshot() == edit.base()) {
				base = v;
			}
		}
		if (base == null) {
			throw new IllegalArgumentException(
					"the edit must be made on the snapshot of a version of '" + name() + "' in the window");
		}
		return this.node.publish(name(), base, edit);
	}

	@Override
	public String toString() {
		return "ReplicatedState[" + name() + ", active=" + active().number() + "]";
	}

}
