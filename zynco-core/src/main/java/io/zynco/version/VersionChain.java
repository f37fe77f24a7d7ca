package io.zynco.version;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.zynco.state.Snapshot;

/**
 * The sliding window of recent versions of one state, and which of them is active.
 *
 * <p>The window is bounded by a count and by a heap budget. Memory is accounted with
 * structural sharing counted once: a version whose parent is also in the window costs only
 * what it holds beyond that parent ({@link Snapshot#heapBytesNotIn}); a version without a
 * parent in the window costs its full size. The figure is an upper bound, exact for a linear
 * history.
 *
 * <p>When a bound is exceeded the oldest versions are evicted first, but never the active
 * version nor the newest one, so the window may exceed its budget when those two alone do.
 * Switching to a version in the window, forwards or back, is a pointer move. Eviction
 * listeners are called after the change, outside the chain's lock, on the thread that caused
 * it.
 *
 * <p>Thread-safe: changes are serialised; {@link #active()} is a volatile read.
 */
public final class VersionChain {

	private final int maxVersions;

	private final long maxHeapBytes;

	private final Clock clock;

	private final Consumer<Version> evictionListener;

	private final NavigableMap<Long, Version> versions = new TreeMap<>();

	private volatile Version active;

	private long heapBytes;

	private VersionChain(Builder builder) {
		this.maxVersions = builder.maxVersions;
		this.maxHeapBytes = builder.maxHeapBytes;
		this.clock = builder.clock;
		this.evictionListener = builder.evictionListener;
	}

	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Adds a new version, derived from {@code parent} (or {@link Version#NO_PARENT}). The new
	 * version is not activated.
	 * @param number the version number, greater than every number the chain has seen
	 * @param origin who made the version, for operators
	 * @param deltaBytes size of the encoded delta that produced it, or -1
	 * @throws IllegalArgumentException if the number does not increase
	 */
	public Version append(long number, Snapshot snapshot, long parent, String origin, long deltaBytes) {
		return append(number, snapshot, parent, origin, deltaBytes, null);
	}

	/**
	 * {@link #append(long, Snapshot, long, String, long)} with the version's cost beyond its
	 * parent measured beforehand by the caller ({@link ParentCost#measure}), off whatever
	 * thread appends: measuring walks the changed part of the snapshot, appending is then
	 * constant time. The measure is used if it was taken against the very snapshot of the
	 * parent the chain holds; otherwise (or if {@code cost} is {@code null}) the chain measures
	 * on the calling thread, as the other overload does.
	 */
	public Version append(long number, Snapshot snapshot, long parent, String origin, long deltaBytes,
			ParentCost cost) {
		Objects.requireNonNull(snapshot, "snapshot");
		List<Version> evicted;
		Version version;
		synchronized (this) {
			if (!this.versions.isEmpty() && number <= this.versions.lastKey()) {
				throw new IllegalArgumentException("version " + number + " does not follow the newest version "
						+ this.versions.lastKey() + "; version numbers only increase");
			}
			if (number < 0) {
				throw new IllegalArgumentException("version numbers are >= 0, not " + number);
			}
			Version base = (parent != Version.NO_PARENT) ? this.versions.get(parent) : null;
			long own = ownHeapBytes(snapshot, base, cost);
			version = new Version(number, snapshot, parent, this.clock.instant(), origin, deltaBytes, own);
			this.versions.put(number, version);
			this.heapBytes += own;
			evicted = evictOverBudget();
		}
		notifyEvicted(evicted);
		return version;
	}

	/** Adds and activates a first version; for a chain that starts from a full load. */
	public Version appendAndActivate(long number, Snapshot snapshot, long parent, String origin, long deltaBytes) {
		Version version = append(number, snapshot, parent, origin, deltaBytes);
		activate(number);
		return version;
	}

	/**
	 * Makes a version in the window the active one: a switch forwards or a rollback.
	 * @throws NoSuchElementException if the version is not (or no longer) in the window
	 */
	public Version activate(long number) {
		List<Version> evicted;
		Version version;
		synchronized (this) {
			version = this.versions.get(number);
			if (version == null) {
				throw new NoSuchElementException("version " + number + " is not in the window (held: "
						+ this.versions.keySet() + "); a node must fetch it before switching to it");
			}
			this.active = version;
			evicted = evictOverBudget();
		}
		notifyEvicted(evicted);
		return version;
	}

	/** The active version, or {@code null} before the first activation. */
	public Version active() {
		return this.active;
	}

	public synchronized Optional<Version> get(long number) {
		return Optional.ofNullable(this.versions.get(number));
	}

	public synchronized boolean contains(long number) {
		return this.versions.containsKey(number);
	}

	/** The newest version, or {@code null} if the chain is empty. */
	public synchronized Version latest() {
		return this.versions.isEmpty() ? null : this.versions.lastEntry().getValue();
	}

	/** The versions in the window, oldest first. */
	public synchronized List<Version> versions() {
		return Collections.unmodifiableList(new ArrayList<>(this.versions.values()));
	}

	/** Versions older than the active one that a rollback can reach, newest first. */
	public synchronized List<Version> rollbackTargets() {
		Version current = this.active;
		if (current == null) {
			return List.of();
		}
		return Collections.unmodifiableList(new ArrayList<>(this.versions.headMap(current.number(), false)
			.descendingMap()
			.values()));
	}

	public synchronized int size() {
		return this.versions.size();
	}

	/** Estimated heap of the window, shared structure counted once. */
	public synchronized long heapBytes() {
		return this.heapBytes;
	}

	public int maxVersions() {
		return this.maxVersions;
	}

	public long maxHeapBytes() {
		return this.maxHeapBytes;
	}

	private static long ownHeapBytes(Snapshot snapshot, Version base, ParentCost cost) {
		if (base == null) {
			return snapshot.heapBytes();
		}
		if (cost != null && cost.parent() == base.snapshot()) {
			return cost.heapBytesNotInParent();
		}
		return snapshot.heapBytesNotIn(base.snapshot());
	}

	private List<Version> evictOverBudget() {
		List<Version> evicted = null;
		while (this.versions.size() > this.maxVersions || this.heapBytes > this.maxHeapBytes) {
			Version victim = oldestEvictable();
			if (victim == null) {
				break;
			}
			remove(victim);
			if (evicted == null) {
				evicted = new ArrayList<>(2);
			}
			evicted.add(victim);
		}
		return (evicted != null) ? evicted : List.of();
	}

	private Version oldestEvictable() {
		Version current = this.active;
		long newest = this.versions.lastKey();
		for (Version v : this.versions.values()) {
			if (v.number() != newest && (current == null || v.number() != current.number())) {
				return v;
			}
		}
		return null;
	}

	private void remove(Version victim) {
		this.versions.remove(victim.number());
		this.heapBytes -= victim.heapBytesNotInParent();
		// children of the victim now hold their shared structure alone: count them in full
		for (Version v : new ArrayList<>(this.versions.values())) {
			if (v.parent() == victim.number()) {
				Version orphan = new Version(v.number(), v.snapshot(), Version.NO_PARENT, v.created(), v.origin(),
						v.deltaBytes(), v.snapshot().heapBytes());
				this.heapBytes += orphan.heapBytesNotInParent() - v.heapBytesNotInParent();
				this.versions.put(v.number(), orphan);
				if (this.active != null && this.active.number() == v.number()) {
					this.active = orphan;
				}
			}
		}
	}

	private void notifyEvicted(List<Version> evicted) {
		for (Version v : evicted) {
			this.evictionListener.accept(v);
		}
	}

	@Override
	public synchronized String toString() {
		return "VersionChain[versions=" + this.versions.keySet() + ", active="
				+ ((this.active != null) ? this.active.number() : "none") + ", heapBytes=" + this.heapBytes + "]";
	}

	/**
	 * What a snapshot holds beyond a parent snapshot ({@link Snapshot#heapBytesNotIn}),
	 * measured before it is appended, so that a busy thread (a node's event loop) appends in
	 * constant time.
	 * @param parent the parent snapshot it was measured against
	 * @param heapBytesNotInParent the measure
	 */
	public record ParentCost(Snapshot parent, long heapBytesNotInParent) {

		public ParentCost {
			Objects.requireNonNull(parent, "parent");
		}

		/** Measures {@code snapshot} against {@code parent}; walks the parts they do not share. */
		public static ParentCost measure(Snapshot snapshot, Snapshot parent) {
			return new ParentCost(parent, snapshot.heapBytesNotIn(parent));
		}

	}

	/** Configures a {@link VersionChain}. Not thread-safe. */
	public static final class Builder {

		private int maxVersions = 8;

		private long maxHeapBytes = Long.MAX_VALUE;

		private Clock clock = Clock.systemUTC();

		private Consumer<Version> evictionListener = (v) -> {
		};

		private Builder() {
		}

		/** Most versions kept, at least 2 (the active and a newer one); default 8. */
		public Builder maxVersions(int maxVersions) {
			if (maxVersions < 2) {
				throw new IllegalArgumentException("a version chain keeps at least 2 versions, not " + maxVersions);
			}
			this.maxVersions = maxVersions;
			return this;
		}

		/** Heap budget in bytes, shared structure counted once; default unbounded. */
		public Builder maxHeapBytes(long maxHeapBytes) {
			if (maxHeapBytes <= 0) {
				throw new IllegalArgumentException("a version chain's heap budget must be positive, not " + maxHeapBytes);
			}
			this.maxHeapBytes = maxHeapBytes;
			return this;
		}

		/** Clock for creation times. */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/** Called with each evicted version, after the eviction. */
		public Builder evictionListener(Consumer<Version> evictionListener) {
			this.evictionListener = Objects.requireNonNull(evictionListener, "evictionListener");
			return this;
		}

		public VersionChain build() {
			return new VersionChain(this);
		}

	}

}
