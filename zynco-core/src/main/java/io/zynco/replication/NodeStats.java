package io.zynco.replication;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import io.zynco.replication.transfer.TransferResult;

/**
 * Counters of one node's replication work, read by the metrics binder. Thread-safe.
 */
public final class NodeStats {

	final LongAdder versionsPublished = new LongAdder();

	final LongAdder versionsReceived = new LongAdder();

	final LongAdder deltasEncoded = new LongAdder();

	final LongAdder transfers = new LongAdder();

	final LongAdder transfersDropped = new LongAdder();

	final LongAdder payloadBytesSent = new LongAdder();

	final LongAdder wireBytesSent = new LongAdder();

	final LongAdder packetsSent = new LongAdder();

	final LongAdder repairsMulticast = new LongAdder();

	final LongAdder repairsUnicast = new LongAdder();

	final LongAdder nacksReceived = new LongAdder();

	final LongAdder switches = new LongAdder();

	final LongAdder switchesAborted = new LongAdder();

	final LongAdder switchedAcks = new LongAdder();

	final LongAdder switchNanos = new LongAdder();

	final LongAdder catchUps = new LongAdder();

	final LongAdder catchUpsServed = new LongAdder();

	final LongAdder mismatches = new LongAdder();

	final LongAdder duplicatesDropped = new LongAdder();

	/** Sampled by the node loop from its data sockets; -1 where the platform does not tell. */
	volatile long kernelDrops = -1;

	private final List<LongConsumer> switchListeners = new CopyOnWriteArrayList<>();

	NodeStats() {
	}

	void recordTransfer(TransferResult result) {
		this.transfers.increment();
		this.payloadBytesSent.add(result.payloadBytes());
		this.packetsSent.add(result.packetsSent());
		this.repairsMulticast.add(result.multicastRepairs());
		this.repairsUnicast.add(result.unicastRepairs());
		this.nacksReceived.add(result.nacksReceived());
		this.transfersDropped.add(result.dropped().size());
	}

	void recordSwitch(long nanos) {
		this.switchNanos.add(nanos);
		for (LongConsumer listener : this.switchListeners) {
			try {
				listener.accept(nanos);
			}
			catch (RuntimeException ex) {
				// a listener must not break the node loop
			}
		}
	}

	/**
	 * Calls the listener with the duration, in nanoseconds, of every switch this node
	 * coordinates from now on (prepare sent to commit, committed switches only), on the node
	 * loop: for a timer ({@code zynco.switch.duration}). It must be quick and not block.
	 */
	public void onSwitch(LongConsumer listener) {
		this.switchListeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/** Versions this node published as coordinator. */
	public long versionsPublished() {
		return this.versionsPublished.sum();
	}

	/**
	 * Deltas this node encoded: to send its publish to the coordinator, to transfer a version
	 * it published as coordinator (not when it had nobody to send it to), and to answer a
	 * catch-up.
	 */
	public long deltasEncoded() {
		return this.deltasEncoded.sum();
	}

	/** Versions this node received and verified (transfers and catch-ups). */
	public long versionsReceived() {
		return this.versionsReceived.sum();
	}

	/** Transfers this node sent. */
	public long transfers() {
		return this.transfers.sum();
	}

	/** Receivers dropped from transfers (too slow), as sender, plus transfers this node was dropped from. */
	public long transfersDropped() {
		return this.transfersDropped.sum();
	}

	/** Effective bytes this node distributed (transfer payloads). */
	public long payloadBytesSent() {
		return this.payloadBytesSent.sum();
	}

	/**
	 * Bytes of the data datagrams this node handed to its socket for transfers: payload plus
	 * Zynco's header and tag, repairs included, one per receiver for a send to all in unicast
	 * mode (IP and UDP headers not included).
	 */
	public long wireBytesSent() {
		return this.wireBytesSent.sum();
	}

	/** Data packets sent for transfers, first transmissions and repairs (one per multicast send). */
	public long packetsSent() {
		return this.packetsSent.sum();
	}

	public long repairsMulticast() {
		return this.repairsMulticast.sum();
	}

	public long repairsUnicast() {
		return this.repairsUnicast.sum();
	}

	public long nacksReceived() {
		return this.nacksReceived.sum();
	}

	/** Switches this node committed (forwards and back). */
	public long switches() {
		return this.switches.sum();
	}

	/** Switches this node aborted as coordinator. */
	public long switchesAborted() {
		return this.switchesAborted.sum();
	}

	/** Total time of the switches this node coordinated, prepare to commit. */
	public long switchNanos() {
		return this.switchNanos.sum();
	}

	/** Times this node caught up with the cluster outside a switch. */
	public long catchUps() {
		return this.catchUps.sum();
	}

	/** Catch-up answers this node sent to peers. */
	public long catchUpsServed() {
		return this.catchUpsServed.sum();
	}

	/**
	 * Data packets of incoming transfers dropped before authentication because their
	 * sequence had already arrived (repairs multicast for other members, duplicates).
	 */
	public long duplicatesDropped() {
		return this.duplicatesDropped.sum();
	}

	/**
	 * Datagrams the kernel dropped on the node's data sockets because a receive buffer was
	 * full, since they opened (sampled every 100 ms); -1 where the platform does not tell
	 * (it takes Linux and the epoll transport). Growth means the senders' pacing outran this
	 * node: the repairs cost wire bytes and time.
	 */
	public long kernelDrops() {
		return this.kernelDrops;
	}

	/** Received versions that failed verification. */
	public long mismatches() {
		return this.mismatches.sum();
	}

}
