package io.zynco.transport;

/**
 * Counts input that was rejected, by reason, and logs each reason once. The node exposes the
 * counts as metrics. Implementations must be thread-safe.
 */
public interface RejectedInput {

	/**
	 * Records one rejection.
	 * @param channel "data" or "control"
	 * @param reason a stable, lower-case tag (for example "bad-magic", "bad-mac", "replayed")
	 * @param detail human detail for the one log line per reason
	 */
	void reject(String channel, String reason, String detail);

}
