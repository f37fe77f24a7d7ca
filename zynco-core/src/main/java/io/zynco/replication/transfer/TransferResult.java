package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How an outgoing transfer ended, per receiver and in totals. Every receiver is in exactly one
 * of {@code acked}, {@code failed}, {@code dropped} and {@code removed}. Immutable.
 * @param transferId the transfer
 * @param payloadBytes size of the payload (the effective bytes)
 * @param acked receivers that acknowledged a complete, verified payload
 * @param failed receivers that answered a failed {@code TransferAck}, with their reasons
 * @param dropped receivers dropped by the sender, with the reason ("deadline", "not-connected",
 * or the reason given to {@link TransferSender#cancel})
 * @param removed receivers removed by the node ({@link TransferSender#removeReceiver})
 * @param dataPackets packets sent once to all receivers (the first transmission)
 * @param multicastRepairs retransmissions sent to all receivers
 * @param unicastRepairs retransmissions sent to one receiver
 * @param bytesSent payload bytes of all sends (data and repairs, each unicast counted once);
 * compare with {@code payloadBytes} for the overhead of repairs
 * @param nacksReceived NACKs accepted
 * @param duration from start to the last receiver's outcome
 */
public record TransferResult(long transferId, long payloadBytes, Set<Long> acked, Map<Long, String> failed, Map<Long, String> dropped,
		Set<Long> removed, long dataPackets, long multicastRepairs, long unicastRepairs, long bytesSent,
		long nacksReceived, Duration duration) {

	public TransferResult {
		acked = Set.copyOf(acked);
		failed = Map.copyOf(failed);
		dropped = Map.copyOf(dropped);
		removed = Set.copyOf(removed);
	}

	/** Data sends of any kind: first transmissions and repairs. */
	public long packetsSent() {
		return this.dataPackets + this.multicastRepairs + this.unicastRepairs;
	}

	/** Whether every receiver acknowledged successfully. */
	public boolean allAcked() {
		return this.failed.isEmpty() && this.dropped.isEmpty() && this.removed.isEmpty();
	}

}
