package io.zynco.protocol;

import java.util.Arrays;

/**
 * Anti-replay windows over the data packets' per-sender counters, as in IPsec (RFC 4303
 * §3.4.3, with the block ring of RFC 6479): for each sender, the highest counter accepted and
 * a bitmap of the {@code windowSize} counters below it. A counter above the highest is
 * accepted and slides the window; one inside the window is accepted once; one below it is too
 * old. Packets may therefore be reordered by up to {@code windowSize - 1} positions.
 *
 * <p>
 * Use it in two steps so that forged packets cannot move a window: {@link #check} before
 * authenticating (cheap, changes nothing), {@link #accept} after. A sender seen for the first
 * time gets a fresh window. At most {@code maxSenders} senders are tracked; beyond that the
 * least recently accepted one is forgotten (and would get a fresh window, so size the bound
 * above the cluster size). Lookups allocate nothing.
 *
 * <p>
 * Not thread-safe: confined to the node loop.
 */
public final class ReplayWindow {

	/** Default window: 4096 counters, like the largest IPsec windows. */
	public static final int DEFAULT_WINDOW_SIZE = 4096;

	/** Default number of senders tracked. */
	public static final int DEFAULT_MAX_SENDERS = 1024;

	private final int windowSize;

	/** Words per ring: one more than the window needs, so the window never shares a block. */
	private final int words;

	private final int maxSenders;

	private final long[] keys;

	private final Window[] windows;

	private final int mask;

	private int size;

	private long tick;

	/**
	 * @param windowSize counters per sender window, a positive multiple of 64
	 * @param maxSenders senders tracked at once
	 */
	public ReplayWindow(int windowSize, int maxSenders) {
		if (windowSize < 64 || windowSize % 64 != 0 || windowSize > (1 << 20)) {
			throw new IllegalArgumentException("window size must be a multiple of 64 within 64..1048576, not " + windowSize);
		}
		if (maxSenders < 1 || maxSenders > (1 << 20)) {
			throw new IllegalArgumentException("max senders must be within 1..1048576, not " + maxSenders);
		}
		this.windowSize = windowSize;
		this.words = windowSize / 64 + 1;
		this.maxSenders = maxSenders;
		int capacity = Integer.highestOneBit(maxSenders * 2 - 1) << 1;
		this.keys = new long[capacity];
		this.windows = new Window[capacity];
		this.mask = capacity - 1;
	}

	/** A window of {@link #DEFAULT_WINDOW_SIZE} tracking up to {@link #DEFAULT_MAX_SENDERS}. */
	public ReplayWindow() {
		this(DEFAULT_WINDOW_SIZE, DEFAULT_MAX_SENDERS);
	}

	public int windowSize() {
		return this.windowSize;
	}

	/** Number of senders with a window now. */
	public int trackedSenders() {
		return this.size;
	}

	/**
	 * Whether the counter could be accepted, without changing anything.
	 * @return null if it could, else {@link RejectReason#REPLAYED} or {@link RejectReason#TOO_OLD}
	 */
	public RejectReason check(long senderId, long counter) {
		if (counter <= 0) {
			return RejectReason.TOO_OLD;
		}
		Window window = find(senderId);
		return (window != null) ? window.check(counter) : null;
	}

	/**
	 * Records the counter as seen, if it may be accepted (call after authenticating).
	 * @return null if accepted, else {@link RejectReason#REPLAYED} or {@link RejectReason#TOO_OLD}
	 */
	public RejectReason accept(long senderId, long counter) {
		if (counter <= 0) {
			return RejectReason.TOO_OLD;
		}
		Window window = find(senderId);
		if (window == null) {
			window = insert(senderId);
			window.highest = counter;
		}
		else {
			RejectReason reason = window.check(counter);
			if (reason != null) {
				return reason;
			}
		}
		window.mark(counter);
		window.lastAccepted = ++this.tick;
		return null;
	}

	/** Forgets a sender (it left the cluster). */
	public void forget(long senderId) {
		int slot = slotOf(senderId);
		if (slot >= 0) {
			remove(slot);
		}
	}

	// ---------------------------------------------------------------- open addressing

	private static int hash(long key) {
		long h = key * 0x9E3779B97F4A7C15L;
		return (int) (h ^ (h >>> 32));
	}

	private int slotOf(long key) {
		for (int i = hash(key) & this.mask;; i = (i + 1) & this.mask) {
			Window window = this.windows[i];
			if (window == null) {
				return -1;
			}
			if (this.keys[i] == key) {
				return i;
			}
		}
	}

	private Window find(long key) {
		int slot = slotOf(key);
		return (slot >= 0) ? this.windows[slot] : null;
	}

	private Window insert(long key) {
		if (this.size == this.maxSenders) {
			evictLeastRecentlyAccepted();
		}
		int i = hash(key) & this.mask;
		while (this.windows[i] != null) {
			i = (i + 1) & this.mask;
		}
		Window window = new Window();
		this.keys[i] = key;
		this.windows[i] = window;
		this.size++;
		return window;
	}

	private void evictLeastRecentlyAccepted() {
		int oldest = -1;
		for (int i = 0; i < this.windows.length; i++) {
			Window window = this.windows[i];
			if (window != null && (oldest < 0 || window.lastAccepted < this.windows[oldest].lastAccepted)) {
				oldest = i;
			}
		}
		remove(oldest);
	}

	/** Removes a slot and shifts back the entries of its probe run (no tombstones). */
	private void remove(int slot) {
		this.windows[slot] = null;
		this.size--;
		int hole = slot;
		for (int i = (slot + 1) & this.mask; this.windows[i] != null; i = (i + 1) & this.mask) {
			int home = hash(this.keys[i]) & this.mask;
			// move entry i into the hole if its home is not within (hole, i]
			boolean movable = (hole <= i) ? (home <= hole || home > i) : (home <= hole && home > i);
			if (movable) {
				this.keys[hole] = this.keys[i];
				this.windows[hole] = this.windows[i];
				this.windows[i] = null;
				hole = i;
			}
		}
	}

	/** One sender's window: the highest counter and a ring of bitmap words below it. */
	private final class Window {

		long highest;

		final long[] bits = new long[ReplayWindow.this.words];

		long lastAccepted;

		RejectReason check(long counter) {
			if (counter > this.highest) {
				return null;
			}
			if (this.highest - counter >= ReplayWindow.this.windowSize) {
				return RejectReason.TOO_OLD;
			}
			int word = (int) ((counter >>> 6) % ReplayWindow.this.words);
			return ((this.bits[word] & (1L << (counter & 63))) != 0) ? RejectReason.REPLAYED : null;
		}

		void mark(long counter) {
			int words = ReplayWindow.this.words;
			if (counter > this.highest) {
				long fromBlock = this.highest >>> 6;
				long toBlock = counter >>> 6;
				if (toBlock - fromBlock >= words) {
					Arrays.fill(this.bits, 0L);
				}
				else {
					for (long block = fromBlock + 1; block <= toBlock; block++) {
						this.bits[(int) (block % words)] = 0L;
					}
				}
				this.highest = counter;
			}
			this.bits[(int) ((counter >>> 6) % words)] |= 1L << (counter & 63);
		}

	}

}
