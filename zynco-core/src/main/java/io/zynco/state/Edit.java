package io.zynco.state;

/**
 * The outcome of an {@linkplain Snapshot#edit() edit}: the base, the resulting snapshot and
 * the changes that took effect. When nothing took effect the result is the base itself and
 * the change set is empty, so no new version should be made. Thread-safe (immutable).
 *
 * @param base the snapshot edited
 * @param snapshot the result, sharing all untouched structure with {@code base}
 * @param changes the effective changes only, in engine order
 */
public record Edit(Snapshot base, Snapshot snapshot, ChangeSet changes) {

	/** Whether any change took effect. */
	public boolean changed() {
		return !this.changes.isEmpty();
	}

}
