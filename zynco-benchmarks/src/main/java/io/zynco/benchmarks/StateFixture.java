package io.zynco.benchmarks;

import io.zynco.state.Delta;
import io.zynco.state.Edit;
import io.zynco.state.Snapshot;

/**
 * The benchmark state and one 1% version of it: the base snapshot, the edit that changes
 * {@code changes} random values, the delta of that edit and its encoding. Built once per JMH
 * trial. Thread-safe once built (immutable).
 */
public final class StateFixture {

	private final int entries;

	private final Snapshot base;

	private final Edit edit;

	private final Delta delta;

	private final byte[] encodedDelta;

	private StateFixture(int entries, int changes) {
		this.entries = entries;
		this.base = StateData.base(entries);
		this.edit = StateData.change(this.base, entries, changes, 1);
		this.delta = Delta.of(StateData.STATE_NAME, 1, 2, this.edit);
		this.encodedDelta = this.delta.encode();
	}

	/** Builds the fixture: {@code entries} entries, {@code changes} of them changed in version 2. */
	public static StateFixture create(int entries, int changes) {
		return new StateFixture(entries, changes);
	}

	public int entries() {
		return this.entries;
	}

	/** Version 1. */
	public Snapshot base() {
		return this.base;
	}

	/** The edit that makes version 2. */
	public Edit edit() {
		return this.edit;
	}

	/** Version 2, sharing all unchanged structure with {@link #base()}. */
	public Snapshot edited() {
		return this.edit.snapshot();
	}

	public Delta delta() {
		return this.delta;
	}

	public byte[] encodedDelta() {
		return this.encodedDelta;
	}

	/** Encoded delta length in bytes. */
	public long deltaBytes() {
		return this.encodedDelta.length;
	}

	/** Key and value bytes of the changed entries. */
	public long payloadBytes() {
		return this.edit.changes().payloadBytes();
	}

	public int changeCount() {
		return this.edit.changes().size();
	}

	/** Bytes the delta spends beyond the payload, per change (the fixed header included). */
	public double overheadPerChange() {
		return (double) (deltaBytes() - payloadBytes()) / changeCount();
	}

	/** One line describing the state and the delta, for benchmark logs. */
	public String describe() {
		return String.format("state: %,d entries, %,d data bytes (%.1f MB); delta: %,d changes, %,d encoded bytes, "
				+ "%,d payload bytes, %.2f bytes/change overhead", this.base.size(), this.base.dataBytes(),
				this.base.dataBytes() / 1e6, changeCount(), deltaBytes(), payloadBytes(), overheadPerChange());
	}

}
