package io.zynco.replication.transfer;

import java.time.Duration;
import java.util.Objects;

/**
 * Paces a sender's packets with a token bucket and adapts the rate to receiver feedback,
 * AIMD-style.
 *
 * <h2>Pacing</h2> Tokens (bytes) accrue at the current rate, up to a bucket of
 * {@code rate × burst}. A packet may go when the bucket holds at least its size (or the whole
 * bucket, for packets larger than the bucket); the tokens may then go negative, and the debt
 * is repaid before the next packet. The bucket should hold at least one tick's worth of bytes,
 * otherwise the tick period, not the rate, limits throughput.
 *
 * <h2>Adaptation</h2> Feedback is collected over an {@code interval}; at its end:
 * <ul>
 * <li><b>decrease</b>: if the loss fraction of the interval exceeds {@code lossThreshold}, or
 * a receiver reported a receive buffer below {@code lowBufferBytes}, the rate is multiplied by
 * {@code decreaseFactor} (at most once per interval, never below {@code minRate}); a low
 * buffer cuts once per congestion episode: while later reports are no worse than the one
 * that caused the cut (the queue drains), the rate holds, for up to three intervals;</li>
 * <li><b>increase</b>: otherwise, if the sender was held back by the bucket during the
 * interval, the rate becomes {@code rate × increaseFactor + increaseStep} (never above
 * {@code maxRate}); an idle or application-limited sender does not raise its rate;</li>
 * <li><b>increase with headroom</b>: the factor is {@code headroomIncreaseFactor} instead when
 * the interval brought {@linkplain #onHeadroom headroom} news and all of it was good: every
 * receiver of every transfer measured its socket's receive queue recently and had at least
 * {@code ampleBufferBytes} free, and the sender used at least 80 % of its rate in the
 * interval (a rate that is not in use says nothing about what the receivers can take).</li>
 * </ul>
 * Loss and a low buffer are late signals: the kernel drops when the buffer is full, and a
 * NACK follows a reorder window later. Without a measure of the receive queue, the rate must
 * therefore climb slowly (additively) so as not to overshoot by much. Where the receivers do
 * measure their queues (Linux, {@code SO_MEMINFO}), an empty queue is positive evidence that
 * they keep up, and the rate may climb geometrically until a queue starts to fill; the
 * queue's growth then stops the fast climb long before the kernel drops (a queue of
 * {@code ampleBufferBytes} free is far from {@code lowBufferBytes}, and further still from
 * full).
 * The loss fraction is {@code lost / max(covered, minLossSample)}, summed over the feedback of
 * the interval, where each report says how many newly covered sequence numbers it declares
 * lost ({@link #onLoss}).
 *
 * <p>One controller may be shared by consecutive or concurrent transfers of a node, so the
 * learned rate carries over. Time is passed in; nothing reads a clock. Not thread-safe:
 * confined to the node loop.
 */
public final class RateController {

	/**
	 * Configuration of a {@link RateController}. Rates are in bytes per second.
	 * @param initialRate rate at creation
	 * @param minRate floor of decreases
	 * @param maxRate ceiling of increases
	 * @param burst how much time's worth of the current rate the bucket holds
	 * @param interval adaptation period (about a round trip or a few)
	 * @param decreaseFactor multiplier on congestion, in (0, 1)
	 * @param increaseFactor multiplier per uncongested interval, at least 1
	 * @param increaseStep bytes per second added per uncongested interval
	 * @param lossThreshold loss fraction above which the rate decreases, in [0, 1)
	 * @param minLossSample smallest number of covered packets the loss fraction is computed
	 * over (damps noise from small reports)
	 * @param lowBufferBytes receive-buffer free space below which a receiver counts as
	 * congested; 0 disables the signal
	 * @param ampleBufferBytes receive-buffer free space, measured, at or above which a receiver
	 * counts as keeping up (see {@link RateController#onHeadroom}); 0 disables the fast increase,
	 * else above {@code lowBufferBytes}
	 * @param headroomIncreaseFactor multiplier per uncongested interval in which every receiver
	 * had ample buffer, at least 1
	 */
	public record Config(long initialRate, long minRate, long maxRate, Duration burst, Duration interval,
			double decreaseFactor, double increaseFactor, long increaseStep, double lossThreshold, int minLossSample,
			int lowBufferBytes, int ampleBufferBytes, double headroomIncreaseFactor) {

		public Config {
			if (minRate <= 0 || initialRate < minRate || maxRate < initialRate) {
				throw new IllegalArgumentException("rates must satisfy 0 < minRate <= initialRate <= maxRate, not "
						+ minRate + ", " + initialRate + ", " + maxRate);
			}
			requirePositive(burst, "burst");
			requirePositive(interval, "interval");
			if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
				throw new IllegalArgumentException("decreaseFactor must be in (0, 1), not " + decreaseFactor);
			}
			if (!(increaseFactor >= 1) || Double.isInfinite(increaseFactor)) {
				throw new IllegalArgumentException("increaseFactor must be >= 1, not " + increaseFactor);
			}
			if (increaseStep < 0) {
				throw new IllegalArgumentException("increaseStep must be >= 0, not " + increaseStep);
			}
			if (!(lossThreshold >= 0 && lossThreshold < 1)) {
				throw new IllegalArgumentException("lossThreshold must be in [0, 1), not " + lossThreshold);
			}
			if (minLossSample < 1) {
				throw new IllegalArgumentException("minLossSample must be >= 1, not " + minLossSample);
			}
			if (lowBufferBytes < 0) {
				throw new IllegalArgumentException("lowBufferBytes must be >= 0, not " + lowBufferBytes);
			}
			if (ampleBufferBytes < 0 || (ampleBufferBytes > 0 && ampleBufferBytes <= lowBufferBytes)) {
				throw new IllegalArgumentException("ampleBufferBytes must be 0 (off) or above lowBufferBytes "
						+ lowBufferBytes + ", not " + ampleBufferBytes);
			}
			if (!(headroomIncreaseFactor >= 1) || Double.isInfinite(headroomIncreaseFactor)) {
				throw new IllegalArgumentException("headroomIncreaseFactor must be >= 1, not " + headroomIncreaseFactor);
			}
		}

		/**
		 * 32 MiB/s to start, between 512 KiB/s and 128 MiB/s; 2 ms bursts; every 10 ms ×0.7 on
		 * more than 5 % loss (over at least 32 packets) or less than 64 KiB of receive buffer,
		 * else +1 MiB/s; no fast increase ({@link #withHeadroom} turns it on).
		 */
		public static Config defaults() {
			return new Config(32L << 20, 512L << 10, 128L << 20, Duration.ofMillis(2), Duration.ofMillis(10), 0.7,
					1.0, 1L << 20, 0.05, 32, 64 << 10, 0, 1.0);
		}

		public Config withRates(long initialRate, long minRate, long maxRate) {
			return new Config(initialRate, minRate, maxRate, this.burst, this.interval, this.decreaseFactor,
					this.increaseFactor, this.increaseStep, this.lossThreshold, this.minLossSample,
					this.lowBufferBytes, this.ampleBufferBytes, this.headroomIncreaseFactor);
		}

		public Config withBurst(Duration burst) {
			return new Config(this.initialRate, this.minRate, this.maxRate, burst, this.interval, this.decreaseFactor,
					this.increaseFactor, this.increaseStep, this.lossThreshold, this.minLossSample,
					this.lowBufferBytes, this.ampleBufferBytes, this.headroomIncreaseFactor);
		}

		public Config withInterval(Duration interval) {
			return new Config(this.initialRate, this.minRate, this.maxRate, this.burst, interval, this.decreaseFactor,
					this.increaseFactor, this.increaseStep, this.lossThreshold, this.minLossSample,
					this.lowBufferBytes, this.ampleBufferBytes, this.headroomIncreaseFactor);
		}

		public Config withDecrease(double decreaseFactor) {
			return new Config(this.initialRate, this.minRate, this.maxRate, this.burst, this.interval, decreaseFactor,
					this.increaseFactor, this.increaseStep, this.lossThreshold, this.minLossSample,
					this.lowBufferBytes, this.ampleBufferBytes, this.headroomIncreaseFactor);
		}

		public Config withIncrease(double increaseFactor, long increaseStep) {
			return new Config(this.initialRate, this.minRate, this.maxRate, this.burst, this.interval,
					this.decreaseFactor, increaseFactor, increaseStep, this.lossThreshold, this.minLossSample,
					this.lowBufferBytes, this.ampleBufferBytes, this.headroomIncreaseFactor);
		}

		public Config withLossThreshold(double lossThreshold, int minLossSample) {
			return new Config(this.initialRate, this.minRate, this.maxRate, this.burst, this.interval,
					this.decreaseFactor, this.increaseFactor, this.increaseStep, lossThreshold, minLossSample,
					this.lowBufferBytes, this.ampleBufferBytes, this.headroomIncreaseFactor);
		}

		public Config withLowBufferBytes(int lowBufferBytes) {
			return new Config(this.initialRate, this.minRate, this.maxRate, this.burst, this.interval,
					this.decreaseFactor, this.increaseFactor, this.increaseStep, this.lossThreshold,
					this.minLossSample, lowBufferBytes, this.ampleBufferBytes, this.headroomIncreaseFactor);
		}

		/**
		 * The fast increase: the rate is multiplied by {@code headroomIncreaseFactor} in an
		 * interval whose receivers all measured at least {@code ampleBufferBytes} free.
		 */
		public Config withHeadroom(int ampleBufferBytes, double headroomIncreaseFactor) {
			return new Config(this.initialRate, this.minRate, this.maxRate, this.burst, this.interval,
					this.decreaseFactor, this.increaseFactor, this.increaseStep, this.lossThreshold,
					this.minLossSample, this.lowBufferBytes, ampleBufferBytes, headroomIncreaseFactor);
		}

		private static void requirePositive(Duration duration, String name) {
			Objects.requireNonNull(duration, name);
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, not " + duration);
			}
		}

	}

	private static final double NANOS_PER_SECOND = 1e9;

	private static final int NO_LOW_BUFFER = Integer.MAX_VALUE;

	/** Intervals after a buffer cut in which reports no worse than at the cut hold the rate. */
	private static final int DRAIN_INTERVALS = 3;

	/** Share of its rate a sender must have used in an interval for a fast increase. */
	private static final double USED_SHARE = 0.8;

	private final Config config;

	private final long burstNanos;

	private final long intervalNanos;

	private double rate;

	private double tokens;

	private long lastRefillNanos;

	private long intervalStartNanos;

	private long intervalLost;

	private long intervalCovered;

	/**
	 * The least free buffer reported below {@code lowBufferBytes} in this interval;
	 * {@link #NO_LOW_BUFFER} if none was.
	 */
	private int intervalMinFree = NO_LOW_BUFFER;

	/** The least free buffer of the interval that caused the last buffer cut, and when. */
	private int freeAtBufferCut = -1;

	private long bufferCutNanos;

	private boolean intervalLimited;

	private boolean intervalHeadroom;

	/** Bytes the sender took in this interval, to tell a rate in use from a nominal one. */
	private long intervalBytes;

	private boolean intervalNoHeadroom;

	private long headroomIncreases;

	/** {@link #onHeadroom} calls that said every receiver had headroom. */
	private long headroomSignals;

	private long decreases;

	private long increases;

	private RateController(Config config, long nowNanos) {
		this.config = Objects.requireNonNull(config, "config");
		this.burstNanos = config.burst().toNanos();
		this.intervalNanos = config.interval().toNanos();
		this.rate = config.initialRate();
		this.tokens = capacity();
		this.lastRefillNanos = nowNanos;
		this.intervalStartNanos = nowNanos;
	}

	/** A controller at {@code config.initialRate()} with a full bucket. */
	public static RateController create(Config config, long nowNanos) {
		return new RateController(config, nowNanos);
	}

	public Config config() {
		return this.config;
	}

	/** Current rate in bytes per second. */
	public long rate() {
		return (long) this.rate;
	}

	/** How many times the rate was decreased. */
	public long decreases() {
		return this.decreases;
	}

	/** How many times the rate was increased. */
	public long increases() {
		return this.increases;
	}

	/**
	 * Takes {@code bytes} tokens if the bucket allows a packet of that size now.
	 * @return false if the packet must wait (the sender was rate-limited)
	 */
	public boolean tryAcquire(int bytes, long nowNanos) {
		tick(nowNanos);
		if (this.tokens >= Math.min(bytes, capacity())) {
			this.tokens -= bytes;
			this.intervalBytes += bytes;
			return true;
		}
		this.intervalLimited = true;
		return false;
	}

	/** Gives back tokens taken for a packet that could not be sent after all. */
	public void release(int bytes) {
		this.tokens = Math.min(this.tokens + bytes, capacity());
		this.intervalBytes -= bytes;
	}

	/**
	 * Records one loss report: of {@code covered} sequence numbers newly covered by a receiver's
	 * feedback, {@code lost} were missing.
	 */
	public void onLoss(long nowNanos, int lost, int covered) {
		tick(nowNanos);
		if (covered > 0 && lost >= 0) {
			this.intervalLost += Math.min(lost, covered);
			this.intervalCovered += covered;
		}
	}

	/** Records a receiver's free receive buffer in bytes; negative means unknown and is ignored. */
	public void onReceiveBufferFree(long nowNanos, int freeBytes) {
		tick(nowNanos);
		if (freeBytes >= 0 && freeBytes < this.config.lowBufferBytes()) {
			this.intervalMinFree = Math.min(this.intervalMinFree, freeBytes);
		}
	}

	/**
	 * Records whether all of a transfer's receivers have headroom: each measured its receive
	 * queue within the last few intervals and had at least {@code ampleBufferBytes} free
	 * ({@code true}), or not ({@code false}: a receiver measured less, or has not measured
	 * lately). The rate climbs by {@code headroomIncreaseFactor} in an interval that heard
	 * {@code true} and never {@code false}; several transfers sharing the controller each report,
	 * and any one without headroom vetoes. Ignored when {@code ampleBufferBytes} is 0.
	 */
	public void onHeadroom(long nowNanos, boolean headroom) {
		tick(nowNanos);
		if (headroom) {
			this.intervalHeadroom = true;
			this.headroomSignals++;
		}
		else {
			this.intervalNoHeadroom = true;
		}
	}

	/**
	 * How often a transfer reported that every one of its receivers had measured headroom
	 * ({@link #onHeadroom} with {@code true}), whether or not the rate then climbed fast (it
	 * does only when it is in use, too).
	 */
	public long headroomSignals() {
		return this.headroomSignals;
	}

	/** How many of the {@linkplain #increases() increases} were fast ones, with headroom. */
	public long headroomIncreases() {
		return this.headroomIncreases;
	}

	/** Refills the bucket and, at the end of an interval, adapts the rate. */
	public void tick(long nowNanos) {
		long elapsed = nowNanos - this.lastRefillNanos;
		if (elapsed > 0) {
			this.tokens = Math.min(this.tokens + this.rate * elapsed / NANOS_PER_SECOND, capacity());
			this.lastRefillNanos = nowNanos;
		}
		if (nowNanos - this.intervalStartNanos >= this.intervalNanos) {
			adapt(nowNanos, nowNanos - this.intervalStartNanos);
			this.intervalStartNanos = nowNanos;
		}
	}

	private void adapt(long nowNanos, long intervalNanos) {
		boolean lossy = this.intervalCovered > 0 && (double) this.intervalLost
				/ Math.max(this.intervalCovered, this.config.minLossSample()) > this.config.lossThreshold();
		boolean bufferLow = this.intervalMinFree != NO_LOW_BUFFER;
		boolean bufferCut = !lossy && bufferLow && bufferCutDue(nowNanos);
		if (bufferCut) {
			this.freeAtBufferCut = this.intervalMinFree;
			this.bufferCutNanos = nowNanos;
		}
		if (lossy || bufferCut) {
			double lowered = Math.max(this.config.minRate(), this.rate * this.config.decreaseFactor());
			if (lowered < this.rate) {
				this.rate = lowered;
				this.tokens = Math.min(this.tokens, capacity());
				this.decreases++;
			}
		}
		else if (this.intervalLimited && !bufferLow) {
			// the fast climb also needs the rate to be in use: a sender that cannot keep up with its
			// own rate (its loop starved of CPU) sees empty receive queues at any nominal rate,
			// which would climb without bound and burst once the CPU is back (cf. RFC 7661)
			boolean used = this.intervalBytes >= USED_SHARE * this.rate * intervalNanos / NANOS_PER_SECOND;
			boolean headroom = this.config.ampleBufferBytes() > 0 && this.intervalHeadroom && !this.intervalNoHeadroom
					&& used;
			double factor = headroom ? this.config.headroomIncreaseFactor() : this.config.increaseFactor();
			double raised = Math.min(this.config.maxRate(), this.rate * factor + this.config.increaseStep());
			if (raised > this.rate) {
				this.rate = raised;
				this.increases++;
				if (headroom) {
					this.headroomIncreases++;
				}
			}
		}
		this.intervalLost = 0;
		this.intervalCovered = 0;
		this.intervalMinFree = NO_LOW_BUFFER;
		this.intervalLimited = false;
		this.intervalHeadroom = false;
		this.intervalNoHeadroom = false;
		this.intervalBytes = 0;
	}

	/**
	 * Whether a low buffer calls for a cut now: once per congestion episode. A queue that a
	 * cut has started to drain keeps reporting little free space for a while; cutting again
	 * for each of those reports would take the rate far below what the receivers take (×0.7
	 * per 10 ms interval). So after a buffer cut the rate holds while the reports are no worse
	 * than at the cut, and is cut again if one is worse (the queue still grows) or once
	 * {@value #DRAIN_INTERVALS} intervals have passed (it does not drain).
	 */
	private boolean bufferCutDue(long nowNanos) {
		return this.freeAtBufferCut < 0 || this.intervalMinFree < this.freeAtBufferCut
				|| nowNanos - this.bufferCutNanos >= DRAIN_INTERVALS * this.intervalNanos;
	}

	private double capacity() {
		return Math.max(1.0, this.rate * this.burstNanos / NANOS_PER_SECOND);
	}

	@Override
	public String toString() {
		return "RateController[" + rate() + " B/s, " + this.decreases + " decreases, " + this.increases
				+ " increases]";
	}

}
