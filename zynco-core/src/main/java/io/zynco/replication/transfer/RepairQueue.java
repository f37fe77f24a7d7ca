package io.zynco.replication.transfer;

import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The packets a sender owes to receivers, oldest request first, at most one entry per
 * sequence number, each with the receivers (by index) that asked for it. Bounded: a request
 * for a packet not yet queued is refused when the queue is full (the receiver asks again).
 * Not thread-safe.
 */
final class RepairQueue {

	/** One packet to repair and who needs it. */
	static final class Entry {

		final int sequence;

		final long requestedNanos;

		final BitSet receivers = new BitSet();

		Entry(int sequence, long requestedNanos) {
			this.sequence = sequence;
			this.requestedNanos = requestedNanos;
		}

	}

	private final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>();

	private final int capacity;

	private long refused;

	RepairQueue(int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("capacity must be >= 1, not " + capacity);
		}
		this.capacity = capacity;
	}

	/**
	 * Records that a receiver needs a packet.
	 * @return false if the packet was not queued and the queue is full
	 */
	boolean request(int sequence, int receiver, long nowNanos) {
		Entry entry = this.entries.get(sequence);
		if (entry == null) {
			if (this.entries.size() >= this.capacity) {
				this.refused++;
				return false;
			}
			entry = new Entry(sequence, nowNanos);
			this.entries.put(sequence, entry);
		}
		entry.receivers.set(receiver);
		return true;
	}

	/** Entries oldest first; {@link Iterator#remove()} removes one. */
	Iterator<Entry> iterator() {
		return this.entries.values().iterator();
	}

	int size() {
		return this.entries.size();
	}

	int capacity() {
		return this.capacity;
	}

	/** Requests refused because the queue was full. */
	long refused() {
		return this.refused;
	}

	void clear() {
		this.entries.clear();
	}

}
