package io.zynco.replication;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic faults injected into a node's data receive path, for tests and benchmarks:
 * a seeded share of data packets is dropped, duplicated, or held back and delivered after the
 * next one (reordered). Never enable it in production. Confined to the node loop.
 */
public final class DataFaults {

	private static final DataFaults NONE = new DataFaults(0, 0, 0, 0);

	private final SplittableRandom random;

	private final double dropRate;

	private final double duplicateRate;

	private final double reorderRate;

	private final long seed;

	private Held held;

	/** Off: packets pass untouched (see {@link #enable}); written from any thread. */
	private volatile boolean off;

	private long dropped;

	private DataFaults(long seed, double dropRate, double duplicateRate, double reorderRate) {
		this.seed = seed;
		this.random = new SplittableRandom(seed);
		this.dropRate = check(dropRate, "dropRate");
		this.duplicateRate = check(duplicateRate, "duplicateRate");
		this.reorderRate = check(reorderRate, "reorderRate");
	}

	/** No fault. */
	public static DataFaults none() {
		return NONE;
	}

	/**
	 * Drops, duplicates and reorders the given shares (each within 0..1) of data packets,
	 * decided by a random generator seeded with {@code seed}.
	 */
	public static DataFaults of(long seed, double dropRate, double duplicateRate, double reorderRate) {
		return new DataFaults(seed, dropRate, duplicateRate, reorderRate);
	}

	private static double check(double rate, String name) {
		if (!(rate >= 0 && rate <= 1)) {
			throw new IllegalArgumentException(name + " must be within 0..1, not " + rate);
		}
		return rate;
	}

	boolean active() {
		return this != NONE && !this.off && (this.dropRate > 0 || this.duplicateRate > 0 || this.reorderRate > 0);
	}

	/**
	 * Turns the injection off and on again, from any thread; it takes effect from the next
	 * packet. While off, packets pass untouched and the generator does not advance; a packet
	 * held back for reordering stays held until the next packet after it is turned on again
	 * (the receiver NACKs it meanwhile, as a drop). A benchmark warms a node up with some rounds
	 * of loss, so that the JIT has seen both paths, then measures with or without it.
	 * @throws IllegalStateException on {@link #none()}, which is shared
	 */
	public void enable(boolean on) {
		if (this == NONE) {
			throw new IllegalStateException("DataFaults.none() injects nothing and cannot be turned on or off");
		}
		this.off = !on;
	}

	/** Packets dropped so far. */
	public long dropped() {
		return this.dropped;
	}

	/** Receives one packet for delivery; calls {@code deliver} zero, one or more times. */
	void apply(long sender, long transferId, int sequence, int count, byte[] payload, int offset, int length,
			boolean repair, Delivery deliver) {
		if (this.random.nextDouble() < this.dropRate) {
			this.dropped++;
			return;
		}
		Held previous = this.held;
		this.held = null;
		if (previous == null && this.random.nextDouble() < this.reorderRate) {
			this.held = new Held(sender, transferId, sequence, count,
					Arrays.copyOfRange(payload, offset, offset + length), repair);
		}
		else {
			deliver.deliver(sender, transferId, sequence, count, payload, offset, length, repair);
		}
		if (this.random.nextDouble() < this.duplicateRate) {
			deliver.deliver(sender, transferId, sequence, count, payload, offset, length, repair);
		}
		if (previous != null) {
			deliver.deliver(previous.sender, previous.transferId, previous.sequence, previous.count, previous.payload, 0,
					previous.payload.length, previous.repair);
		}
	}

	@Override
	public String toString() {
		return (this == NONE) ? "DataFaults.none()"
				: "DataFaults[seed=" + this.seed + ", drop=" + this.dropRate + ", duplicate=" + this.duplicateRate
						+ ", reorder=" + this.reorderRate + "]";
	}

	@FunctionalInterface
	interface Delivery {

		void deliver(long sender, long transferId, int sequence, int count, byte[] payload, int offset, int length,
				boolean repair);

	}

	private record Held(long sender, long transferId, int sequence, int count, byte[] payload, boolean repair) {
	}

}
