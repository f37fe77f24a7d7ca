package io.zynco.version;

import java.time.Instant;
import java.util.Objects;

import io.zynco.state.Fingerprints;
import io.zynco.state.Snapshot;

/**
 * One version of a state held in a {@link VersionChain}: its number, content and provenance.
 * Thread-safe (immutable).
 */
public final class Version {

	/** Parent number of a version that was not derived from another (a full load). */
	public static final long NO_PARENT = -1;

	private final long number;

	private final Snapshot snapshot;

	private final long parent;

	private final Instant created;

	private final String origin;

	private final long deltaBytes;

	private final long heapBytesNotInParent;

	Version(long number, Snapshot snapshot, long parent, Instant created, String origin, long deltaBytes,
			long heapBytesNotInParent) {
		this.number = number;
		this.snapshot = snapshot;
		this.parent = parent;
		this.created = created;
		this.origin = origin;
		this.deltaBytes = deltaBytes;
		this.heapBytesNotInParent = heapBytesNotInParent;
	}

	/** The version number, unique and increasing per state across the cluster. */
	public long number() {
		return this.number;
	}

	public Snapshot snapshot() {
		return this.snapshot;
	}

	public long rootFingerprint() {
		return this.snapshot.rootFingerprint();
	}

	/** The version this one was derived from, or {@link #NO_PARENT}. */
	public long parent() {
		return this.parent;
	}

	public Instant created() {
		return this.created;
	}

	/** Who made the version (a node name, "reload", ...); free text for operators. */
	public String origin() {
		return this.origin;
	}

	/**
	 * Bytes of the delta that produced this version, or -1 if it came whole. The exact size of
	 * its encoding even when it was never encoded: a node that published a version nobody else
	 * was there to receive measures the delta instead of encoding it.
	 */
	public long deltaBytes() {
		return this.deltaBytes;
	}

	/** Estimated heap this version holds beyond its parent (its full heap if no parent). */
	public long heapBytesNotInParent() {
		return this.heapBytesNotInParent;
	}

	@Override
	public boolean equals(Object obj) {
		return obj instanceof Version other && other.number == this.number && other.snapshot == this.snapshot;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.number, this.snapshot.rootFingerprint());
	}

	@Override
	public String toString() {
		return "Version[" + this.number + ", root=" + Fingerprints.toHex(rootFingerprint()) + ", entries="
				+ this.snapshot.size() + ", parent=" + this.parent + ", origin=" + this.origin + "]";
	}

}
