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
		return this != NONE && (this.dropRate > 0 || this.duplicateRate > 0 || this.reorderRate > 0);
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
