package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.TransferBegin;

/**
 * One incoming transfer: reassembles its packets into a preallocated array and decides when
 * to NACK what is missing.
 *
 * <p>{@link #accept} validates the {@code TransferBegin} (sizes consistent, within this node's
 * limits) before allocating {@code totalBytes}. {@link #onData} checks each packet against the
 * announcement, copies it to {@code sequence × packetPayload}, and marks it in a bitmap;
 * duplicates and invalid packets are counted and ignored. {@link #tick} returns a NACK:
 * <ul>
 * <li>for <b>gaps</b>: packets missing below the highest sequence seen at least
 * {@code reorderWindow} ago, at most once per NACK interval, which is twice the average gap
 * between arrivals, clamped to {@code [minNackInterval, maxNackInterval]};</li>
 * <li>for the <b>tail</b>: when nothing arrived for the quiet period (the larger of
 * {@code quietPeriod} and four average arrival gaps), everything missing up to the end,
 * repeated every quiet period while nothing arrives. Time the caller's loop stood still
 * ({@link #excuse}) does not count as silence: packets may be waiting in the socket.</li>
 * </ul>
 * {@link #bufferReport} gives the sender's rate control a backlog signal between NACKs.
 * A NACK lists at most {@code maxNackRanges} ranges, lowest first.
 *
 * <p>Not thread-safe: confined to the node loop. Time is passed in as {@code nowNanos}.
 */
public final class TransferReceiver {

	/**
	 * Configuration of a {@link TransferReceiver}.
	 * @param maxTotalBytes largest transfer accepted (its array is allocated at once)
	 * @param maxPacketPayload largest packet payload accepted
	 * @param minNackInterval shortest time between two NACKs
	 * @param maxNackInterval longest time between two NACKs while gaps remain
	 * @param reorderWindow how long a gap may be out-of-order delivery rather than loss
	 * @param quietPeriod silence after which the tail is requested
	 * @param maxNackRanges most ranges in one NACK
	 * @param expiryGrace time after the announced deadline after which the transfer is expired
	 * (the sender has dropped us; the node forgets the transfer)
	 */
	public record Config(long maxTotalBytes, int maxPacketPayload, Duration minNackInterval,
			Duration maxNackInterval, Duration reorderWindow, Duration quietPeriod, int maxNackRanges,
			Duration expiryGrace) {

		/** Largest array the JVM reliably allocates. */
		public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

		public Config {
			if (maxTotalBytes < 0 || maxTotalBytes > MAX_ARRAY) {
				throw new IllegalArgumentException("maxTotalBytes must be in [0, " + MAX_ARRAY + "], not "
						+ maxTotalBytes);
			}
			if (maxPacketPayload < 1) {
				throw new IllegalArgumentException("maxPacketPayload must be >= 1, not " + maxPacketPayload);
			}
			requireNotNegative(minNackInterval, "minNackInterval");
			requireNotNegative(maxNackInterval, "maxNackInterval");
			if (maxNackInterval.compareTo(minNackInterval) < 0) {
				throw new IllegalArgumentException("maxNackInterval " + maxNackInterval
						+ " must not be shorter than minNackInterval " + minNackInterval);
			}
			requireNotNegative(reorderWindow, "reorderWindow");
			requireNotNegative(quietPeriod, "quietPeriod");
			if (quietPeriod.isZero()) {
				throw new IllegalArgumentException("quietPeriod must be positive");
			}
			if (maxNackRanges < 1) {
				throw new IllegalArgumentException("maxNackRanges must be >= 1, not " + maxNackRanges);
			}
			requireNotNegative(expiryGrace, "expiryGrace");
		}

		/**
		 * Up to 256 MiB in packets of up to 65,507 bytes; NACKs every 5 to 20 ms after a 2 ms
		 * reorder window; tail requests after 30 ms of silence; 256 ranges per NACK; expiry 5 s
		 * after the deadline.
		 */
		public static Config defaults() {
			return new Config(256L << 20, 65_507, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(2),
					Duration.ofMillis(30), 256, Duration.ofSeconds(5));
		}

		public Config withMaxTotalBytes(long maxTotalBytes) {
			return new Config(maxTotalBytes, this.maxPacketPayload, this.minNackInterval, this.maxNackInterval,
					this.reorderWindow, this.quietPeriod, this.maxNackRanges, this.expiryGrace);
		}

		public Config withMaxPacketPayload(int maxPacketPayload) {
			return new Config(this.maxTotalBytes, maxPacketPayload, this.minNackInterval, this.maxNackInterval,
					this.reorderWindow, this.quietPeriod, this.maxNackRanges, this.expiryGrace);
		}

		public Config withNackTiming(Duration minNackInterval, Duration maxNackInterval, Duration reorderWindow,
				Duration quietPeriod) {
			return new Config(this.maxTotalBytes, this.maxPacketPayload, minNackInterval, maxNackInterval,
					reorderWindow, quietPeriod, this.maxNackRanges, this.expiryGrace);
		}

		public Config withMaxNackRanges(int maxNackRanges) {
			return new Config(this.maxTotalBytes, this.maxPacketPayload, this.minNackInterval, this.maxNackInterval,
					this.reorderWindow, this.quietPeriod, maxNackRanges, this.expiryGrace);
		}

		public Config withExpiryGrace(Duration expiryGrace) {
			return new Config(this.maxTotalBytes, this.maxPacketPayload, this.minNackInterval, this.maxNackInterval,
					this.reorderWindow, this.quietPeriod, this.maxNackRanges, expiryGrace);
		}

		private static void requireNotNegative(Duration duration, String name) {
			Objects.requireNonNull(duration, name);
			if (duration.isNegative()) {
				throw new IllegalArgumentException(name + " must not be negative, not " + duration);
			}
		}

	}

	private static final int[] NO_RANGES = new int[0];

	private final Config config;

	private final long senderId;

	private final TransferBegin begin;

	private final int packetCount;

	private final int packetPayload;

	private byte[] payload;

	private final PacketBitmap received;

	private final long expiresNanos;

	private final long minNackNanos;

	private final long maxNackNanos;

	private final long reorderNanos;

	private final long quietNanos;

	private int receivedPackets;

	/** Lowest sequence number not yet received. */
	private int firstMissing;

	private int highestSeen = -1;

	/** Highest sequence seen at least {@code reorderWindow} ago: gaps below it are losses. */
	private int horizon = -1;

	private int sampledHighest = -1;

	private long sampledNanos;

	private long lastArrivalNanos;

	private boolean anyArrival;

	private long averageGapNanos;

	private long lastNackNanos;

	private boolean anyNack;

	/**
	 * Time since the last arrival or NACK during which the caller's loop stood still
	 * ({@link #excuse}): data may have waited in the socket then, so it is not silence.
	 */
	private long excusedNanos;

	private long lastReportNanos;

	private boolean anyReport;

	private long duplicatePackets;

	private long rejectedPackets;

	private long nacksSent;

	private TransferReceiver(long senderId, TransferBegin begin, Config config, long nowNanos) {
		this.config = config;
		this.senderId = senderId;
		this.begin = begin;
		this.packetCount = begin.packetCount();
		this.packetPayload = begin.packetPayload();
		this.payload = new byte[(int) begin.totalBytes()];
		this.received = new PacketBitmap(this.packetCount);
		this.expiresNanos = expiry(nowNanos, begin.deadlineMillis(), config.expiryGrace());
		this.minNackNanos = config.minNackInterval().toNanos();
		this.maxNackNanos = config.maxNackInterval().toNanos();
		this.reorderNanos = config.reorderWindow().toNanos();
		this.quietNanos = config.quietPeriod().toNanos();
		this.lastArrivalNanos = nowNanos;
		this.sampledNanos = nowNanos;
	}

	/**
	 * Validates an announcement and prepares to receive it.
	 * @param senderId the member that sent the {@code TransferBegin}
	 * @throws TransferRejectedException if the announcement is inconsistent or too large;
	 * nothing is allocated then
	 */
	public static TransferReceiver accept(long senderId, TransferBegin begin, Config config, long nowNanos) {
		Objects.requireNonNull(config, "config");
		validate(begin, config);
		return new TransferReceiver(senderId, begin, config, nowNanos);
	}

	private static void validate(TransferBegin begin, Config config) {
		if (begin == null || begin.state() == null) {
			throw reject(TransferRejectedException.Reason.BAD_FIELD, "transfer announcement without a state name");
		}
		String what = "transfer " + begin.transferId() + " of '" + begin.state() + "'";
		if (begin.kind() != TransferBegin.DELTA && begin.kind() != TransferBegin.SNAPSHOT) {
			throw reject(TransferRejectedException.Reason.BAD_KIND, what + " has unknown kind " + begin.kind());
		}
		long total = begin.totalBytes();
		if (total < 0 || total > Config.MAX_ARRAY) {
			throw reject(TransferRejectedException.Reason.BAD_SIZE, what + " announces " + total + " bytes");
		}
		if (total > config.maxTotalBytes()) {
			throw reject(TransferRejectedException.Reason.TOO_LARGE,
					what + " announces " + total + " bytes, more than the maximum " + config.maxTotalBytes());
		}
		int packetPayload = begin.packetPayload();
		if (packetPayload < 1 || packetPayload > config.maxPacketPayload()) {
			throw reject(TransferRejectedException.Reason.BAD_PACKET_PAYLOAD, what + " announces packets of "
					+ packetPayload + " bytes, not in [1, " + config.maxPacketPayload() + "]");
		}
		long expectedCount = (total + packetPayload - 1) / packetPayload;
		if (begin.packetCount() != expectedCount) {
			throw reject(TransferRejectedException.Reason.BAD_PACKET_COUNT, what + " announces "
					+ begin.packetCount() + " packets, but " + total + " bytes in " + packetPayload
					+ "-byte packets make " + expectedCount);
		}
		if (begin.deadlineMillis() < 1) {
			throw reject(TransferRejectedException.Reason.BAD_DEADLINE,
					what + " announces a deadline of " + begin.deadlineMillis() + " ms");
		}
	}

	/**
	 * {@code now + deadline + grace}, saturated at about 73 years so that an absurd deadline
	 * means no expiry rather than an overflow.
	 */
	private static long expiry(long nowNanos, long deadlineMillis, Duration grace) {
		long cap = Long.MAX_VALUE / 4;
		long deadlineNanos = (deadlineMillis > cap / 1_000_000) ? cap : deadlineMillis * 1_000_000;
		long graceNanos = (grace.compareTo(Duration.ofNanos(cap)) > 0) ? cap : grace.toNanos();
		return nowNanos + Math.min(deadlineNanos + graceNanos, cap);
	}

	private static TransferRejectedException reject(TransferRejectedException.Reason reason, String message) {
		return new TransferRejectedException(reason, message);
	}

	public long senderId() {
		return this.senderId;
	}

	public long transferId() {
		return this.begin.transferId();
	}

	/** The announcement this transfer was created from. */
	public TransferBegin begin() {
		return this.begin;
	}

	/**
	 * Takes one data packet.
	 * @param buffer holds the packet's payload; only read during the call
	 */
	public PacketOutcome onData(int sequence, int count, byte[] buffer, int offset, int length, long nowNanos) {
		if (count != this.packetCount) {
			this.rejectedPackets++;
			return PacketOutcome.BAD_COUNT;
		}
		if (sequence < 0 || sequence >= this.packetCount) {
			this.rejectedPackets++;
			return PacketOutcome.BAD_SEQUENCE;
		}
		if (length != expectedLength(sequence) || buffer == null || offset < 0 || offset > buffer.length - length) {
			this.rejectedPackets++;
			return PacketOutcome.BAD_LENGTH;
		}
		if (this.received.get(sequence)) {
			this.duplicatePackets++;
			return PacketOutcome.DUPLICATE;
		}
		System.arraycopy(buffer, offset, this.payload, sequence * this.packetPayload, length);
		this.received.set(sequence);
		this.receivedPackets++;
		if (sequence > this.highestSeen) {
			this.highestSeen = sequence;
		}
		if (sequence == this.firstMissing) {
			this.firstMissing = this.received.nextClear(sequence + 1, this.packetCount);
		}
		recordArrival(nowNanos);
		return isComplete() ? PacketOutcome.COMPLETED : PacketOutcome.ADDED;
	}

	/**
	 * Whether the packet with this sequence has arrived already; out-of-range sequences are
	 * not held. A caller may drop such a packet before authenticating it.
	 */
	public boolean holds(int sequence) {
		return sequence >= 0 && sequence < this.packetCount && this.received.get(sequence);
	}

	private int expectedLength(int sequence) {
		return (sequence == this.packetCount - 1) ? (int) (this.begin.totalBytes() - (long) sequence * this.packetPayload)
				: this.packetPayload;
	}

	private void recordArrival(long nowNanos) {
		if (this.anyArrival) {
			long gap = Math.max(0, nowNanos - this.lastArrivalNanos);
			this.averageGapNanos += (gap - this.averageGapNanos) / 8;
		}
		this.anyArrival = true;
		this.lastArrivalNanos = nowNanos;
		this.excusedNanos = 0;
	}

	/**
	 * Tells the transfer that the caller's loop stood still for {@code stalledNanos} (a GC
	 * pause, a descheduled thread): packets that arrived meanwhile wait in the socket, so that
	 * time does not count towards the quiet period after which the tail is requested. Without
	 * this, a late loop asks again for packets it is about to read. Silence longer than
	 * {@value #MAX_EXCUSED_QUIET_PERIODS} quiet periods is requested whatever the excuses.
	 */
	public void excuse(long stalledNanos) {
		if (stalledNanos > 0) {
			this.excusedNanos += stalledNanos;
		}
	}

	/** Silence, in quiet periods, after which the tail is requested even if the loop stalled. */
	static final int MAX_EXCUSED_QUIET_PERIODS = 8;

	/**
	 * Bytes that probably arrived while the caller's loop stood still for {@code stalledNanos}:
	 * packets of {@code packetBytes} at the recent average arrival rate. Zero before two
	 * arrivals.
	 */
	public long backlogEstimate(long stalledNanos, int packetBytes) {
		if (stalledNanos <= 0 || this.averageGapNanos <= 0 || isComplete()) {
			return 0;
		}
		return Math.min(stalledNanos / this.averageGapNanos, this.packetCount) * (long) packetBytes;
	}

	/**
	 * A report of the receive buffer for the sender's rate control: a NACK with no range,
	 * carrying {@code receiveBufferFree}, at most once per minimum NACK interval and not
	 * within one after a NACK; empty when not due, complete or expired.
	 */
	public Optional<Nack> bufferReport(long nowNanos, int receiveBufferFree) {
		if (receiveBufferFree < 0 || isComplete() || isExpired(nowNanos)) {
			return Optional.empty();
		}
		if ((this.anyReport && nowNanos - this.lastReportNanos < this.minNackNanos)
				|| (this.anyNack && nowNanos - this.lastNackNanos < this.minNackNanos)) {
			return Optional.empty();
		}
		this.anyReport = true;
		this.lastReportNanos = nowNanos;
		return Optional.of(new Nack(transferId(), NO_RANGES, receiveBufferFree));
	}

	/** {@link #tick(long, int)} with the receive buffer unknown. */
	public Optional<Nack> tick(long nowNanos) {
		return tick(nowNanos, -1);
	}

	/**
	 * Returns a NACK if one is due now (see the class description), or empty; never once
	 * complete or expired. The node sends it to {@link #senderId()} on the control channel.
	 * @param receiveBufferFree free bytes in the node's receive buffer, reported to the sender
	 * for its rate control; negative if unknown
	 */
	public Optional<Nack> tick(long nowNanos, int receiveBufferFree) {
		if (isComplete() || isExpired(nowNanos)) {
			return Optional.empty();
		}
		if (nowNanos - this.sampledNanos >= this.reorderNanos) {
			this.horizon = this.sampledHighest;
			this.sampledHighest = this.highestSeen;
			this.sampledNanos = nowNanos;
		}
		int[] ranges;
		long quiet = Math.max(this.quietNanos, 4 * this.averageGapNanos);
		long lastHeard = (this.anyNack && this.lastNackNanos - this.lastArrivalNanos > 0) ? this.lastNackNanos
				: this.lastArrivalNanos;
		long silence = nowNanos - lastHeard;
		if (silence - this.excusedNanos >= quiet || silence >= MAX_EXCUSED_QUIET_PERIODS * quiet) {
			ranges = missingRanges(this.config.maxNackRanges(), true);
		}
		else if (this.firstMissing <= this.horizon && (!this.anyNack || nowNanos - this.lastNackNanos >= nackInterval())) {
			ranges = ranges(this.config.maxNackRanges(), this.horizon + 1);
		}
		else {
			return Optional.empty();
		}
		this.anyNack = true;
		this.lastNackNanos = nowNanos;
		this.excusedNanos = 0;
		this.nacksSent++;
		return Optional.of(new Nack(transferId(), ranges, receiveBufferFree));
	}

	private long nackInterval() {
		return Math.min(this.maxNackNanos, Math.max(this.minNackNanos, 2 * this.averageGapNanos));
	}

	/** Missing ranges below the highest sequence seen, at most {@code maxRanges} of them. */
	public int[] missingRanges(int maxRanges) {
		return missingRanges(maxRanges, false);
	}

	/**
	 * Missing packets as {@code [start, end)} pairs, lowest first, at most {@code maxRanges}
	 * pairs.
	 * @param includeTail whether to include the packets after the highest sequence seen
	 */
	public int[] missingRanges(int maxRanges, boolean includeTail) {
		return ranges(maxRanges, includeTail ? this.packetCount : this.highestSeen + 1);
	}

	private int[] ranges(int maxRanges, int limit) {
		if (maxRanges < 1 || this.firstMissing >= limit) {
			return NO_RANGES;
		}
		int[] ranges = new int[2 * Math.min(maxRanges, 16)];
		int n = 0;
		int start = this.firstMissing;
		while (start < limit && n < 2 * maxRanges) {
			int end = this.received.nextSet(start + 1, limit);
			if (n == ranges.length) {
				ranges = Arrays.copyOf(ranges, Math.min(2 * ranges.length, 2 * maxRanges));
			}
			ranges[n++] = start;
			ranges[n++] = end;
			start = this.received.nextClear(end, limit);
		}
		return (n == ranges.length) ? ranges : Arrays.copyOf(ranges, n);
	}

	/** Whether every packet has arrived. */
	public boolean isComplete() {
		return this.receivedPackets == this.packetCount;
	}

	/**
	 * Whether the announced deadline plus the grace has passed: the sender has given up on us,
	 * even if its {@code TransferDrop} was lost; the node should forget this transfer.
	 */
	public boolean isExpired(long nowNanos) {
		return nowNanos - this.expiresNanos >= 0;
	}

	/**
	 * How many bytes from the start of the payload have arrived without a gap. A packet once
	 * held is never written again, so a reader may use these bytes of {@link #partialPayload()}
	 * while later packets arrive, if it reads them after this call (a task handed to an
	 * executor after it does).
	 */
	public int contiguousBytes() {
		return (this.firstMissing >= this.packetCount) ? (int) this.begin.totalBytes()
				: this.firstMissing * this.packetPayload;
	}

	/**
	 * The array the payload is being reassembled in, complete or not: the array
	 * {@link #takePayload()} hands over (see {@link #contiguousBytes()} for what may be read).
	 * @throws IllegalStateException if the payload was taken
	 */
	public byte[] partialPayload() {
		if (this.payload == null) {
			throw new IllegalStateException("the payload of transfer " + transferId() + " was taken");
		}
		return this.payload;
	}

	/**
	 * The reassembled payload (the receiver's own array, not a copy).
	 * @throws IllegalStateException if packets are still missing
	 */
	public byte[] payload() {
		if (!isComplete()) {
			throw new IllegalStateException("transfer " + transferId() + " still misses "
					+ (this.packetCount - this.receivedPackets) + " of " + this.packetCount + " packets");
		}
		if (this.payload == null) {
			throw new IllegalStateException("the payload of transfer " + transferId() + " was taken");
		}
		return this.payload;
	}

	/**
	 * Hands the reassembled payload over and forgets it, so that it can be collected as soon
	 * as the caller drops it; the transfer takes no more data afterwards (it is complete).
	 * @throws IllegalStateException if packets are still missing, or the payload was taken
	 */
	public byte[] takePayload() {
		byte[] bytes = payload();
		this.payload = null;
		return bytes;
	}

	/** Distinct packets received. */
	public int receivedPackets() {
		return this.receivedPackets;
	}

	/** Packets still missing. */
	public int missingPackets() {
		return this.packetCount - this.receivedPackets;
	}

	/** Packets received again after the first time. */
	public long duplicatePackets() {
		return this.duplicatePackets;
	}

	/** Packets rejected as invalid. */
	public long rejectedPackets() {
		return this.rejectedPackets;
	}

	/** NACKs returned by {@link #tick}. */
	public long nacksSent() {
		return this.nacksSent;
	}

	@Override
	public String toString() {
		return "TransferReceiver[" + transferId() + " from " + this.senderId + ", " + this.receivedPackets + "/"
				+ this.packetCount + " packets]";
	}

}
