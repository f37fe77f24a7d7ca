package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntSupplier;

import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.TransferAck;
import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.protocol.ControlMessage.TransferDrop;

/**
 * One outgoing transfer: sends a payload to a set of receivers, repairs what they miss, and
 * reports how each of them ended.
 *
 * <p>{@link #start} sends a {@code TransferBegin} to every receiver; then each {@link #tick}
 * sends, as far as the {@link RateController} and the socket allow, first the repairs owed
 * and then the next packets of the payload, cut into {@code packetPayload}-byte packets
 * numbered {@code 0..count-1} (the last one shorter). {@link #onNack} queues repairs,
 * {@link #onAck} records a receiver's outcome, and at the deadline every receiver still
 * incomplete is sent a {@code TransferDrop}. When every receiver has acknowledged, failed,
 * been dropped or been removed, the transfer is {@linkplain #isDone() done} and
 * {@link #result()} says how it went.
 *
 * <p>Repairs: a packet missed by at least {@code multicastRepairMinReceivers} receivers, or by
 * at least {@code multicastRepairFraction} of the receivers still incomplete (when there are
 * two or more), is repaired by one {@code sendToAll}; otherwise by {@code sendTo} each receiver
 * that missed it. A request for a packet already sent to that receiver (first transmission,
 * multicast repair, or a unicast repair to it) within {@code repairHoldoff} is ignored: the
 * packet is probably still in flight. A queued repair waits {@code repairDelay} so that
 * requests from several receivers can merge into one multicast.
 *
 * <p>Memory: the payload is held, never copied; per packet the sender keeps the time and
 * target of its last transmission (12 bytes); the repair queue holds at most
 * {@code maxRepairQueue} packets. A payload may still be being written when the transfer
 * starts ({@link TransferSpec#readyBytes()}): new data then goes out as far as it is written,
 * and the sender waits (tick after tick) for the next packet's bytes.
 *
 * <p>Not thread-safe: confined to the node loop. Time is passed in as {@code nowNanos}.
 */
public final class TransferSender {

	/**
	 * Configuration of a {@link TransferSender}.
	 * @param packetPayload payload bytes per packet (the data channel's {@code maxPayload()} or
	 * less)
	 * @param deadline time from start after which incomplete receivers are dropped; also sent to
	 * receivers in {@code TransferBegin.deadlineMillis}
	 * @param maxRepairQueue most packets queued for repair at once
	 * @param repairHoldoff how long a packet sent to a receiver is presumed in flight (about a
	 * round trip): requests for it meanwhile are ignored
	 * @param repairDelay how long a repair request waits for others to merge with
	 * @param multicastRepairs whether repairs may use {@code sendToAll}; false when
	 * {@code sendToAll} costs one send per member (no multicast)
	 * @param multicastRepairMinReceivers receivers missing a packet from which it is multicast
	 * @param multicastRepairFraction fraction of incomplete receivers missing a packet from
	 * which it is multicast, in (0, 1]
	 * @param maxPacketsPerTick most sends in one tick, so one tick never holds the loop long
	 * @param packetOverhead bytes added to each packet's payload for pacing (header,
	 * authentication tag, UDP/IP headers)
	 * @param readyTimeout how long new data waits, at most, for every receiver's first
	 * feedback (zero: no wait)
	 */
	public record Config(int packetPayload, Duration deadline, int maxRepairQueue, Duration repairHoldoff,
			Duration repairDelay, boolean multicastRepairs, int multicastRepairMinReceivers,
			double multicastRepairFraction, int maxPacketsPerTick, int packetOverhead, Duration readyTimeout) {

		public Config {
			if (packetPayload < 1) {
				throw new IllegalArgumentException("packetPayload must be >= 1, not " + packetPayload);
			}
			Objects.requireNonNull(deadline, "deadline");
			if (deadline.toMillis() < 1) {
				throw new IllegalArgumentException("deadline must be at least 1 ms, not " + deadline);
			}
			if (maxRepairQueue < 1) {
				throw new IllegalArgumentException("maxRepairQueue must be >= 1, not " + maxRepairQueue);
			}
			requireNotNegative(repairHoldoff, "repairHoldoff");
			requireNotNegative(repairDelay, "repairDelay");
			if (multicastRepairMinReceivers < 1) {
				throw new IllegalArgumentException(
						"multicastRepairMinReceivers must be >= 1, not " + multicastRepairMinReceivers);
			}
			if (!(multicastRepairFraction > 0 && multicastRepairFraction <= 1)) {
				throw new IllegalArgumentException(
						"multicastRepairFraction must be in (0, 1], not " + multicastRepairFraction);
			}
			if (maxPacketsPerTick < 1) {
				throw new IllegalArgumentException("maxPacketsPerTick must be >= 1, not " + maxPacketsPerTick);
			}
			if (packetOverhead < 0) {
				throw new IllegalArgumentException("packetOverhead must be >= 0, not " + packetOverhead);
			}
			requireNotNegative(readyTimeout, "readyTimeout");
		}

		/**
		 * 1,400-byte packets, a 30 s deadline, up to 4,096 queued repairs, 10 ms hold-off, 2 ms
		 * merge delay, multicast repairs from 2 receivers or half of them, 512 sends per tick,
		 * no overhead.
		 */
		public static Config defaults() {
			return new Config(1400, Duration.ofSeconds(30), 4096, Duration.ofMillis(10), Duration.ofMillis(2), true,
					2, 0.5, 512, 0, Duration.ZERO);
		}

		public Config withPacketPayload(int packetPayload) {
			return new Config(packetPayload, this.deadline, this.maxRepairQueue, this.repairHoldoff,
					this.repairDelay, this.multicastRepairs, this.multicastRepairMinReceivers,
					this.multicastRepairFraction, this.maxPacketsPerTick, this.packetOverhead, this.readyTimeout);
		}

		public Config withDeadline(Duration deadline) {
			return new Config(this.packetPayload, deadline, this.maxRepairQueue, this.repairHoldoff,
					this.repairDelay, this.multicastRepairs, this.multicastRepairMinReceivers,
					this.multicastRepairFraction, this.maxPacketsPerTick, this.packetOverhead, this.readyTimeout);
		}

		public Config withMaxRepairQueue(int maxRepairQueue) {
			return new Config(this.packetPayload, this.deadline, maxRepairQueue, this.repairHoldoff,
					this.repairDelay, this.multicastRepairs, this.multicastRepairMinReceivers,
					this.multicastRepairFraction, this.maxPacketsPerTick, this.packetOverhead, this.readyTimeout);
		}

		public Config withRepairTiming(Duration repairHoldoff, Duration repairDelay) {
			return new Config(this.packetPayload, this.deadline, this.maxRepairQueue, repairHoldoff, repairDelay,
					this.multicastRepairs, this.multicastRepairMinReceivers, this.multicastRepairFraction,
					this.maxPacketsPerTick, this.packetOverhead, this.readyTimeout);
		}

		public Config withMulticastRepairs(boolean multicastRepairs, int minReceivers, double fraction) {
			return new Config(this.packetPayload, this.deadline, this.maxRepairQueue, this.repairHoldoff,
					this.repairDelay, multicastRepairs, minReceivers, fraction, this.maxPacketsPerTick,
					this.packetOverhead, this.readyTimeout);
		}

		public Config withMaxPacketsPerTick(int maxPacketsPerTick) {
			return new Config(this.packetPayload, this.deadline, this.maxRepairQueue, this.repairHoldoff,
					this.repairDelay, this.multicastRepairs, this.multicastRepairMinReceivers,
					this.multicastRepairFraction, maxPacketsPerTick, this.packetOverhead, this.readyTimeout);
		}

		/**
		 * How long new data waits, at most, for every receiver to confirm its
		 * {@code TransferBegin} (an empty NACK or any feedback), so that receivers still
		 * allocating their buffer do not lose the first packets; zero sends at once.
		 */
		public Config withReadyTimeout(Duration readyTimeout) {
			return new Config(this.packetPayload, this.deadline, this.maxRepairQueue, this.repairHoldoff,
					this.repairDelay, this.multicastRepairs, this.multicastRepairMinReceivers,
					this.multicastRepairFraction, this.maxPacketsPerTick, this.packetOverhead, readyTimeout);
		}

		public Config withPacketOverhead(int packetOverhead) {
			return new Config(this.packetPayload, this.deadline, this.maxRepairQueue, this.repairHoldoff,
					this.repairDelay, this.multicastRepairs, this.multicastRepairMinReceivers,
					this.multicastRepairFraction, this.maxPacketsPerTick, packetOverhead, this.readyTimeout);
		}

		private static void requireNotNegative(Duration duration, String name) {
			Objects.requireNonNull(duration, name);
			if (duration.isNegative()) {
				throw new IllegalArgumentException(name + " must not be negative, not " + duration);
			}
		}

	}

	/** Reason of a drop at the deadline. */
	public static final String DEADLINE = "deadline";

	/** Reason of a drop because {@code TransferBegin} could not be sent. */
	public static final String NOT_CONNECTED = "not-connected";

	/**
	 * While new data is still to be sent, the repairs a receiver asks for are sent up to this
	 * share of the data packets sent so far (plus {@link #REPAIR_SLACK}); beyond it, a packet
	 * that only such receivers miss waits until every data packet has gone out once (a packet
	 * that another receiver misses too is repaired as usual). Random loss of a few percent stays
	 * far below; a receiver that NACKs everything (broken, overloaded, hostile) can no longer take
	 * half of the sending turns from the others until the deadline drops it.
	 */
	static final double REPAIR_SHARE = 0.25;

	/** Repairs every receiver gets before {@link #REPAIR_SHARE} applies. */
	static final int REPAIR_SLACK = 64;

	private static final long NEVER = Long.MIN_VALUE;

	private static final int ALL = -1;

	private enum Outcome {
		ACTIVE, ACKED, FAILED, DROPPED, REMOVED
	}

	private static final class Peer {

		final long memberId;

		final int index;

		Outcome outcome = Outcome.ACTIVE;

		String reason;

		/** Sequence numbers below this were already counted for loss estimation. */
		int lossFrontier;

		/** Whether any feedback (NACK or ack) came from this receiver: it holds its buffer. */
		boolean heard;

		/** Losses reported since the last feed to the rate controller, and the span they cover. */
		int windowLost;

		int windowCovered;

		/** Repairs sent because this receiver missed the packet (multicast or unicast). */
		long repairs;

		/** The free receive buffer of its latest report that carried one, and when it came. */
		int bufferFree = -1;

		long bufferFreeNanos;

		Peer(long memberId, int index) {
			this.memberId = memberId;
			this.index = index;
		}

	}

	private final Config config;

	private final RateController rate;

	private final TransferOutput output;

	private final TransferBegin begin;

	private final long transferId;

	private final byte[] payload;

	/**
	 * How many payload bytes from the start are final while the payload is being written
	 * ({@link TransferSpec#readyBytes()}); null once all are.
	 */
	private IntSupplier readyBytes;

	/** Packets held back, counted once each, because their bytes were not written yet. */
	private long packetsAwaitingBytes;

	/** The last packet counted in {@link #packetsAwaitingBytes}. */
	private int lastAwaited = -1;

	private final int packetCount;

	private final int packetPayload;

	private final long holdoffNanos;

	private final long repairDelayNanos;

	private final Map<Long, Peer> peers = new LinkedHashMap<>();

	private final Peer[] peersByIndex;

	private final long[] lastSentNanos;

	private final int[] lastSentTarget;

	private final RepairQueue repairs;

	private final long startNanos;

	private final long deadlineNanos;

	private int active;

	private int nextSequence;

	private long dataPackets;

	private long repairsDeferred;

	private long multicastRepairs;

	private long unicastRepairs;

	private long bytesSent;

	private long nacksReceived;

	private long feedbackRejected;

	private TransferResult result;

	/** Latest time passed to any method, for {@link #removeReceiver(long)}. */
	private long lastNanos;

	private long lastLossFeed;

	/** How many rate-adaptation intervals a receiver's buffer report counts as fresh. */
	private static final int HEADROOM_INTERVALS = 3;

	/** How often receivers' loss reports are summarised for the rate controller. */
	private static final long LOSS_FEED_INTERVAL_NANOS = 5_000_000;

	private Set<Long> activeView;

	private TransferSender(TransferSpec transfer, Collection<Long> receivers, Config config, RateController rate,
			TransferOutput output, long nowNanos) {
		this.config = Objects.requireNonNull(config, "config");
		this.rate = Objects.requireNonNull(rate, "rate");
		this.output = Objects.requireNonNull(output, "output");
		this.transferId = transfer.transferId();
		this.payload = transfer.payload();
		this.readyBytes = transfer.readyBytes();
		this.packetPayload = config.packetPayload();
		this.packetCount = packetCount(this.payload.length, this.packetPayload);
		this.begin = new TransferBegin(this.transferId, transfer.kind(), transfer.state(), transfer.baseVersion(),
				transfer.targetVersion(), transfer.targetRoot(), this.payload.length, this.packetCount,
				this.packetPayload, config.deadline().toMillis());
		this.holdoffNanos = config.repairHoldoff().toNanos();
		this.repairDelayNanos = config.repairDelay().toNanos();
		for (Long memberId : receivers) {
			Objects.requireNonNull(memberId, "receiver id");
			this.peers.computeIfAbsent(memberId, (id) -> new Peer(id, this.peers.size()));
		}
		this.peersByIndex = this.peers.values().toArray(new Peer[0]);
		this.active = this.peersByIndex.length;
		this.lastSentNanos = new long[this.packetCount];
		Arrays.fill(this.lastSentNanos, NEVER);
		this.lastSentTarget = new int[this.packetCount];
		this.repairs = new RepairQueue(config.maxRepairQueue());
		this.startNanos = nowNanos;
		this.lastNanos = nowNanos;
		this.lastLossFeed = nowNanos;
		this.deadlineNanos = nowNanos + config.deadline().toNanos();
	}

	/**
	 * Starts a transfer: sends {@code TransferBegin} to every receiver (a receiver that cannot
	 * be reached is dropped as {@value #NOT_CONNECTED}). Data goes out on the following ticks.
	 * @param receivers member ids of the receivers (duplicates ignored; may be empty)
	 * @param rate the node's rate controller (may be shared with other transfers)
	 */
	public static TransferSender start(TransferSpec transfer, Collection<Long> receivers, Config config,
			RateController rate, TransferOutput output, long nowNanos) {
		Objects.requireNonNull(transfer, "transfer");
		Objects.requireNonNull(receivers, "receivers");
		TransferSender sender = new TransferSender(transfer, receivers, config, rate, output, nowNanos);
		for (Peer peer : sender.peersByIndex) {
			if (!output.sendControl(peer.memberId, sender.begin)) {
				sender.finish(peer, Outcome.DROPPED, NOT_CONNECTED);
			}
		}
		sender.finishIfDone(nowNanos);
		return sender;
	}

	/** Number of packets a payload of {@code totalBytes} is cut into. */
	public static int packetCount(long totalBytes, int packetPayload) {
		if (totalBytes < 0 || packetPayload < 1) {
			throw new IllegalArgumentException(
					"need totalBytes >= 0 and packetPayload >= 1, not " + totalBytes + " and " + packetPayload);
		}
		long count = (totalBytes + packetPayload - 1) / packetPayload;
		if (count > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(totalBytes + " bytes in " + packetPayload + "-byte packets is too many");
		}
		return (int) count;
	}

	public long transferId() {
		return this.transferId;
	}

	/** The announcement sent to every receiver. */
	public TransferBegin begin() {
		return this.begin;
	}

	/** When incomplete receivers are dropped. */
	public long deadlineNanos() {
		return this.deadlineNanos;
	}

	/** Ids of all receivers of the transfer, whatever their outcome. */
	public Set<Long> receivers() {
		return Collections.unmodifiableSet(this.peers.keySet());
	}

	/**
	 * Ids of the receivers still expected to answer (unmodifiable, cheap to call per packet: in
	 * unicast mode {@code sendToAll} should reach these).
	 */
	public Set<Long> activeReceivers() {
		if (this.activeView == null) {
			Set<Long> ids = new LinkedHashSet<>();
			for (Peer peer : this.peersByIndex) {
				if (peer.outcome == Outcome.ACTIVE) {
					ids.add(peer.memberId);
				}
			}
			this.activeView = Collections.unmodifiableSet(ids);
		}
		return this.activeView;
	}

	/** Whether every packet has been sent at least once. */
	public boolean allDataSent() {
		return this.nextSequence == this.packetCount;
	}

	/** Packets currently queued for repair (at most {@code maxRepairQueue}). */
	public int pendingRepairs() {
		return this.repairs.size();
	}

	/** Repair requests refused because the repair queue was full. */
	public long repairRequestsRefused() {
		return this.repairs.refused();
	}

	/** NACKs and acks refused as malformed or for another transfer. */
	public long feedbackRejected() {
		return this.feedbackRejected;
	}

	/** Whether every receiver has an outcome. */
	public boolean isDone() {
		return this.result != null;
	}

	/**
	 * How the transfer went.
	 * @throws IllegalStateException if the transfer is not done
	 */
	public TransferResult result() {
		if (this.result == null) {
			throw new IllegalStateException("transfer " + this.transferId + " is still running");
		}
		return this.result;
	}

	/**
	 * Sends what the rate and the socket allow: owed repairs first, then new packets. Drops
	 * every incomplete receiver once the deadline has passed.
	 * @return whether the transfer is done
	 */
	public boolean tick(long nowNanos) {
		if (this.result != null) {
			return true;
		}
		advance(nowNanos);
		feedLoss(nowNanos);
		feedHeadroom(nowNanos);
		this.rate.tick(nowNanos);
		if (nowNanos - this.deadlineNanos >= 0) {
			dropActive(DEADLINE);
			finishIfDone(nowNanos);
			return true;
		}
		// repairs and new data take turns while both are pending, so that a receiver that
		// NACKs everything cannot starve the others of new data (it is dropped at the deadline)
		int budget = this.config.maxPacketsPerTick();
		boolean repairTurn = true;
		boolean holdData = this.nextSequence == 0 && !allHeard()
				&& nowNanos - this.startNanos < this.config.readyTimeout().toNanos();
		while (budget > 0) {
			boolean dataPending = this.nextSequence < this.packetCount && !holdData;
			if (repairTurn || !dataPending) {
				int left = sendRepairs(nowNanos, 1);
				if (left < 0) {
					break;
				}
				if (left == 0) {
					budget--;
					repairTurn = false;
					continue;
				}
				if (!dataPending) {
					break;
				}
			}
			if (!sendData(nowNanos)) {
				break;
			}
			budget--;
			repairTurn = true;
		}
		return false;
	}

	/**
	 * Handles a receiver's NACK: counts newly reported losses for the rate controller and
	 * queues repairs for the listed packets that have been sent and are not presumed in flight.
	 * Ranges beyond what was sent are ignored (those packets come anyway).
	 * @return false if the NACK was ignored (unknown or finished receiver, another transfer,
	 * malformed ranges)
	 */
	public boolean onNack(long memberId, Nack nack, long nowNanos) {
		advance(nowNanos);
		Peer peer = activePeer(memberId);
		if (peer == null || nack == null) {
			return false;
		}
		int[] ranges = nack.ranges();
		if (nack.transferId() != this.transferId || !validRanges(ranges)) {
			this.feedbackRejected++;
			return false;
		}
		peer.heard = true;
		this.nacksReceived++;
		this.rate.onReceiveBufferFree(nowNanos, nack.receiveBufferFree());
		if (nack.receiveBufferFree() >= 0) {
			peer.bufferFree = nack.receiveBufferFree();
			peer.bufferFreeNanos = nowNanos;
		}
		countLoss(peer, ranges, nowNanos);
		int examined = 0;
		int examineLimit = 2 * this.repairs.capacity();
		for (int r = 0; r < ranges.length; r += 2) {
			int end = Math.min(ranges[r + 1], this.nextSequence);
			for (int sequence = ranges[r]; sequence < end; sequence++) {
				if (++examined > examineLimit) {
					return true;
				}
				if (inFlightTo(sequence, peer.index, nowNanos)) {
					continue;
				}
				if (!this.repairs.request(sequence, peer.index, nowNanos)) {
					return true;
				}
			}
		}
		return true;
	}

	/**
	 * Records a receiver's acknowledgement: complete and verified ({@code ok}) or failed.
	 * @return false if the ack was ignored (unknown or finished receiver, another transfer)
	 */
	public boolean onAck(long memberId, TransferAck ack, long nowNanos) {
		advance(nowNanos);
		Peer peer = activePeer(memberId);
		if (peer == null || ack == null) {
			return false;
		}
		if (ack.transferId() != this.transferId) {
			this.feedbackRejected++;
			return false;
		}
		if (ack.ok()) {
			finish(peer, Outcome.ACKED, null);
		}
		else {
			finish(peer, Outcome.FAILED, (ack.reason() != null) ? ack.reason() : "unspecified");
		}
		finishIfDone(nowNanos);
		return true;
	}

	/**
	 * Forgets a receiver that left the view (no message is sent to it), at the latest time the
	 * sender was given.
	 * @return false if it was not an incomplete receiver of this transfer
	 */
	public boolean removeReceiver(long memberId) {
		return removeReceiver(memberId, this.lastNanos);
	}

	/**
	 * Forgets a receiver that left the view (no message is sent to it).
	 * @return false if it was not an incomplete receiver of this transfer
	 */
	public boolean removeReceiver(long memberId, long nowNanos) {
		advance(nowNanos);
		Peer peer = activePeer(memberId);
		if (peer == null) {
			return false;
		}
		finish(peer, Outcome.REMOVED, null);
		finishIfDone(nowNanos);
		return true;
	}

	/**
	 * Ends the transfer now: every incomplete receiver is sent a {@code TransferDrop} with the
	 * reason and recorded as dropped.
	 */
	public void cancel(String reason, long nowNanos) {
		if (this.result != null) {
			return;
		}
		dropActive(Objects.requireNonNull(reason, "reason"));
		finishIfDone(nowNanos);
	}

	// ---------------------------------------------------------------- sending

	/** Sends eligible repairs; returns the remaining budget, 0 when blocked. */
	private int sendRepairs(long nowNanos, int budget) {
		Iterator<RepairQueue.Entry> entries = this.repairs.iterator();
		while (entries.hasNext() && budget > 0) {
			RepairQueue.Entry entry = entries.next();
			if (nowNanos - entry.requestedNanos < this.repairDelayNanos) {
				break; // oldest first: the rest are younger
			}
			int sequence = entry.sequence;
			boolean dataPending = this.nextSequence < this.packetCount;
			int missing = 0;
			int withinShare = 0;
			for (int i = entry.receivers.nextSetBit(0); i >= 0; i = entry.receivers.nextSetBit(i + 1)) {
				if (this.peersByIndex[i].outcome != Outcome.ACTIVE) {
					entry.receivers.clear(i);
				}
				else {
					missing++;
					if (!dataPending || !overRepairShare(this.peersByIndex[i])) {
						withinShare++;
					}
				}
			}
			if (missing == 0) {
				entries.remove();
				continue;
			}
			if (withinShare == 0) {
				// only receivers that had their share miss it: their turn comes once the data
				// has gone out, the others' data first
				this.repairsDeferred++;
				continue;
			}
			int offset = sequence * this.packetPayload;
			int length = packetLength(sequence);
			if (shouldMulticast(sequence, entry, missing, nowNanos)) {
				if (!send(ALL, sequence, offset, length, true, nowNanos)) {
					return -1;
				}
				budget--;
				this.multicastRepairs++;
				for (int i = entry.receivers.nextSetBit(0); i >= 0; i = entry.receivers.nextSetBit(i + 1)) {
					this.peersByIndex[i].repairs++;
				}
				entries.remove();
				continue;
			}
			for (int i = entry.receivers.nextSetBit(0); i >= 0 && budget > 0; i = entry.receivers
				.nextSetBit(i + 1)) {
				if (dataPending && overRepairShare(this.peersByIndex[i])) {
					this.repairsDeferred++;
					continue;
				}
				if (!send(i, sequence, offset, length, true, nowNanos)) {
					return -1;
				}
				budget--;
				this.unicastRepairs++;
				this.peersByIndex[i].repairs++;
				entry.receivers.clear(i);
			}
			if (entry.receivers.isEmpty()) {
				entries.remove();
			}
		}
		return budget;
	}

	/** Whether a receiver has had its share of repairs (see {@link #REPAIR_SHARE}). */
	private boolean overRepairShare(Peer peer) {
		return peer.repairs >= REPAIR_SLACK + REPAIR_SHARE * this.dataPackets;
	}

	/**
	 * Repairs passed over because only receivers that had their share missed them while data
	 * was still to be sent, counted each time one is passed over (tests).
	 */
	long repairsDeferred() {
		return this.repairsDeferred;
	}

	/**
	 * Sends the next new data packet; false if none is left, its bytes are not written yet, or
	 * the send was refused.
	 */
	private boolean sendData(long nowNanos) {
		if (this.nextSequence >= this.packetCount) {
			return false;
		}
		int sequence = this.nextSequence;
		if (!written(sequence)) {
			return false;
		}
		if (!send(ALL, sequence, sequence * this.packetPayload, packetLength(sequence), false, nowNanos)) {
			return false;
		}
		this.dataPackets++;
		this.nextSequence++;
		return true;
	}

	/** Whether every byte of packet {@code sequence} is final (see {@link TransferSpec}). */
	private boolean written(int sequence) {
		IntSupplier ready = this.readyBytes;
		if (ready == null) {
			return true;
		}
		int written = ready.getAsInt();
		if (written >= this.payload.length) {
			this.readyBytes = null; // all written: no more reads of the writer's count
			return true;
		}
		if (sequence * (long) this.packetPayload + packetLength(sequence) <= written) {
			return true;
		}
		if (sequence != this.lastAwaited) {
			this.lastAwaited = sequence;
			this.packetsAwaitingBytes++;
		}
		return false;
	}

	/** Packets held back, counted once each, because the payload was not written that far yet (tests). */
	long packetsAwaitingBytes() {
		return this.packetsAwaitingBytes;
	}

	/** One send through the rate controller and the output; false if either refused it. */
	private boolean send(int target, int sequence, int offset, int length, boolean repair, long nowNanos) {
		int cost = length + this.config.packetOverhead();
		if (!this.rate.tryAcquire(cost, nowNanos)) {
			return false;
		}
		boolean sent = (target == ALL)
				? this.output.sendToAll(this.transferId, sequence, this.packetCount, this.payload, offset, length,
						repair)
				: this.output.sendTo(this.peersByIndex[target].memberId, this.transferId, sequence,
						this.packetCount, this.payload, offset, length, repair);
		if (!sent) {
			this.rate.release(cost);
			return false;
		}
		this.bytesSent += length;
		this.lastSentNanos[sequence] = nowNanos;
		this.lastSentTarget[sequence] = target;
		return true;
	}

	/**
	 * The multicast-versus-unicast rule. A unicast of the same packet to another receiver within
	 * the hold-off counts as one more receiver missing it, so that a packet everyone lost but
	 * NACKed at different times costs at most one unicast before the multicast.
	 */
	private boolean shouldMulticast(int sequence, RepairQueue.Entry entry, int missing, long nowNanos) {
		if (!this.config.multicastRepairs()) {
			return false;
		}
		int target = this.lastSentTarget[sequence];
		if (target != ALL && this.lastSentNanos[sequence] != NEVER && !entry.receivers.get(target)
				&& this.peersByIndex[target].outcome == Outcome.ACTIVE
				&& nowNanos - this.lastSentNanos[sequence] < this.holdoffNanos) {
			missing++;
		}
		if (missing >= this.config.multicastRepairMinReceivers()) {
			return true;
		}
		return this.active >= 2 && missing >= Math.ceil(this.config.multicastRepairFraction() * this.active);
	}

	private boolean inFlightTo(int sequence, int receiver, long nowNanos) {
		long sent = this.lastSentNanos[sequence];
		if (sent == NEVER || nowNanos - sent >= this.holdoffNanos) {
			return false;
		}
		int target = this.lastSentTarget[sequence];
		return target == ALL || target == receiver;
	}

	private int packetLength(int sequence) {
		return (sequence == this.packetCount - 1) ? this.payload.length - sequence * this.packetPayload
				: this.packetPayload;
	}

	// ---------------------------------------------------------------- feedback

	private boolean validRanges(int[] ranges) {
		if (ranges == null || (ranges.length & 1) != 0) {
			return false;
		}
		int previousEnd = 0;
		for (int r = 0; r < ranges.length; r += 2) {
			int start = ranges[r];
			int end = ranges[r + 1];
			if (start < previousEnd || end <= start || end > this.packetCount) {
				return false;
			}
			previousEnd = end;
		}
		return true;
	}

	/**
	 * Sequence numbers at or above the peer's loss frontier that the NACK lists as missing are
	 * new losses; the span from the old frontier to the new one is what the report covers.
	 */
	private void countLoss(Peer peer, int[] ranges, long nowNanos) {
		int frontier = peer.lossFrontier;
		int newFrontier = frontier;
		int lost = 0;
		for (int r = 0; r < ranges.length; r += 2) {
			int end = Math.min(ranges[r + 1], this.nextSequence);
			int start = Math.max(ranges[r], frontier);
			if (end > start) {
				lost += end - start;
				newFrontier = end;
			}
		}
		if (newFrontier > frontier) {
			peer.windowLost += lost;
			peer.windowCovered += newFrontier - frontier;
			peer.lossFrontier = newFrontier;
		}
	}

	/**
	 * Feeds the rate controller the loss of the <em>lower-median</em> receiver over the last
	 * window, not of every receiver: one receiver losing everything (a slow or broken member)
	 * must not throttle the others; the deadline drops it instead. With one receiver that is
	 * the receiver itself; with two, the better one; with three, the middle one.
	 */
	private void feedLoss(long nowNanos) {
		if (nowNanos - this.lastLossFeed < LOSS_FEED_INTERVAL_NANOS) {
			return;
		}
		this.lastLossFeed = nowNanos;
		int n = 0;
		Peer[] active = new Peer[this.peersByIndex.length];
		boolean anyReport = false;
		for (Peer peer : this.peersByIndex) {
			if (peer.outcome == Outcome.ACTIVE) {
				active[n++] = peer;
				anyReport |= peer.windowCovered > 0;
			}
		}
		if (anyReport) {
			Arrays.sort(active, 0, n, (a, b) -> Double.compare(lossRatio(a), lossRatio(b)));
			Peer median = active[(n + 1) / 2 - 1];
			if (median.windowCovered > 0) {
				this.rate.onLoss(nowNanos, median.windowLost, median.windowCovered);
			}
		}
		for (Peer peer : this.peersByIndex) {
			peer.windowLost = 0;
			peer.windowCovered = 0;
		}
	}

	/**
	 * Tells the rate controller, while new data remains to be sent, whether every active
	 * receiver has headroom: a buffer report within the last {@value #HEADROOM_INTERVALS}
	 * adaptation intervals with at least the controller's {@code ampleBufferBytes} free. A
	 * receiver that stopped reporting (its loop stalled, or its platform does not measure its
	 * queue) has none, so the fast increase needs fresh evidence from everyone.
	 */
	private void feedHeadroom(long nowNanos) {
		int ample = this.rate.config().ampleBufferBytes();
		if (ample <= 0 || this.active == 0 || this.nextSequence >= this.packetCount) {
			return;
		}
		long fresh = HEADROOM_INTERVALS * this.rate.config().interval().toNanos();
		boolean headroom = true;
		for (Peer peer : this.peersByIndex) {
			if (peer.outcome == Outcome.ACTIVE
					&& (peer.bufferFree < ample || nowNanos - peer.bufferFreeNanos > fresh)) {
				headroom = false;
				break;
			}
		}
		this.rate.onHeadroom(nowNanos, headroom);
	}

	/** Whether every receiver still active has given feedback since the transfer began. */
	private boolean allHeard() {
		for (Peer peer : this.peersByIndex) {
			if (peer.outcome == Outcome.ACTIVE && !peer.heard) {
				return false;
			}
		}
		return true;
	}

	private static double lossRatio(Peer peer) {
		return (peer.windowCovered > 0) ? (double) peer.windowLost / peer.windowCovered : 0;
	}

	private Peer activePeer(long memberId) {
		if (this.result != null) {
			return null;
		}
		Peer peer = this.peers.get(memberId);
		return (peer != null && peer.outcome == Outcome.ACTIVE) ? peer : null;
	}

	private void dropActive(String reason) {
		for (Peer peer : this.peersByIndex) {
			if (peer.outcome == Outcome.ACTIVE) {
				this.output.sendControl(peer.memberId, new TransferDrop(this.transferId, reason));
				finish(peer, Outcome.DROPPED, reason);
			}
		}
	}

	private void finish(Peer peer, Outcome outcome, String reason) {
		peer.outcome = outcome;
		peer.reason = reason;
		this.active--;
		this.activeView = null;
	}

	private void advance(long nowNanos) {
		if (nowNanos - this.lastNanos > 0) {
			this.lastNanos = nowNanos;
		}
	}

	private void finishIfDone(long nowNanos) {
		if (this.active > 0 || this.result != null) {
			return;
		}
		this.repairs.clear();
		Set<Long> acked = new HashSet<>();
		Map<Long, String> failed = new HashMap<>();
		Map<Long, String> dropped = new HashMap<>();
		Set<Long> removed = new HashSet<>();
		for (Peer peer : this.peersByIndex) {
			switch (peer.outcome) {
				case ACKED -> acked.add(peer.memberId);
				case FAILED -> failed.put(peer.memberId, peer.reason);
				case DROPPED -> dropped.put(peer.memberId, peer.reason);
				case REMOVED -> removed.add(peer.memberId);
				case ACTIVE -> throw new IllegalStateException("receiver " + peer.memberId + " is still active");
			}
		}
		this.result = new TransferResult(this.transferId, this.payload.length, acked, failed, dropped, removed, this.dataPackets,
				this.multicastRepairs, this.unicastRepairs, this.bytesSent, this.nacksReceived,
				Duration.ofNanos(nowNanos - this.startNanos));
	}

	@Override
	public String toString() {
		return "TransferSender[" + this.transferId + ", " + this.nextSequence + "/" + this.packetCount + " sent, "
				+ this.active + " of " + this.peersByIndex.length + " receivers active, " + this.repairs.size()
				+ " repairs queued]";
	}

}
