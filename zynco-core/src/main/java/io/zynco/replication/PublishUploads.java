package io.zynco.replication;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongPredicate;

import io.zynco.protocol.ControlMessage.PublishChunk;

/**
 * The coordinator's side of publishes that members send in pieces ({@link PublishChunk}):
 * assembles each member's upload and decides what every piece means. At most one upload per
 * member: a piece at offset 0 starts a new one (replacing an unfinished one); the others must
 * follow in order, each announcing the same total, and the piece that reaches the total must
 * say it is the last. A total above the limit, a piece out of order or inconsistent, and a piece
 * of no upload are refused. An upload's buffer grows with what arrives (doubling, up to the
 * announced total), so a total that no piece backs costs nothing. Not thread-safe: the node
 * loop's.
 */
final class PublishUploads {

	/** What a piece did. */
	sealed interface Outcome {

		/** The piece was taken; the upload goes on. */
		record Pending() implements Outcome {
		}

		/** The piece completed the upload: here is the whole delta. */
		record Complete(long requestId, byte[] delta) implements Outcome {
		}

		/**
		 * The piece was refused and its upload, if any, dropped; {@code answer} is for the
		 * publisher (a {@code PublishResult}), {@code tag} and {@code detail} for the rejected
		 * input counter.
		 */
		record Refused(long requestId, String tag, String detail, String answer) implements Outcome {
		}

		/** The piece belongs to no upload: counted, not answered (the publisher gave up). */
		record Ignored(String tag, String detail) implements Outcome {
		}

	}

	private static final Outcome PENDING = new Outcome.Pending();

	private static final int INITIAL = 1 << 20;

	private final long maxBytes;

	private final Map<Long, Upload> uploads = new HashMap<>();

	/** @param maxBytes the largest delta accepted (at most about 2 GiB, one array) */
	PublishUploads(long maxBytes) {
		this.maxBytes = Math.min(maxBytes, Integer.MAX_VALUE - 64);
	}

	Outcome accept(long from, PublishChunk chunk, long now) {
		Upload upload = this.uploads.get(from);
		if (chunk.offset() == 0) {
			if (chunk.total() <= 0 || chunk.total() > this.maxBytes) {
				this.uploads.remove(from);
				return new Outcome.Refused(chunk.requestId(), "publish-too-large",
						"publish upload of " + chunk.total() + " bytes exceeds " + this.maxBytes,
						"[INVALID] a delta of " + chunk.total() + " bytes is larger than the coordinator accepts ("
								+ this.maxBytes + " bytes)");
			}
			upload = new Upload(chunk.requestId(), (int) chunk.total(), now);
			this.uploads.put(from, upload);
		}
		else if (upload == null || upload.requestId != chunk.requestId()) {
			return new Outcome.Ignored("publish-chunk-unexpected", "publish piece at offset " + chunk.offset()
					+ " of request " + chunk.requestId() + " belongs to no upload");
		}
		int length = chunk.payload().length;
		long end = chunk.offset() + length;
		if (chunk.offset() != upload.received || chunk.total() != upload.total || end > upload.total
				|| chunk.last() != (end == upload.total) || (length == 0 && !chunk.last())) {
			this.uploads.remove(from);
			return new Outcome.Refused(chunk.requestId(), "publish-chunk-out-of-order",
					"publish piece of request " + chunk.requestId() + " at offset " + chunk.offset() + " (" + length
							+ " bytes, total " + chunk.total() + ", last " + chunk.last() + ") after "
							+ upload.received + " of " + upload.total + " bytes",
					"[INVALID] the pieces of the delta did not arrive in order");
		}
		upload.append(chunk.payload(), now);
		if (!chunk.last()) {
			return PENDING;
		}
		this.uploads.remove(from);
		return new Outcome.Complete(upload.requestId, upload.bytes);
	}

	/**
	 * Forgets the uploads of members that are no longer live and those that got no piece for
	 * {@code maxIdleNanos} (their publishers fail on their own, by the connection or a timeout).
	 * @return how many were forgotten
	 */
	int expire(LongPredicate live, long now, long maxIdleNanos) {
		int before = this.uploads.size();
		this.uploads.entrySet()
			.removeIf((e) -> !live.test(e.getKey()) || now - e.getValue().lastProgress > maxIdleNanos);
		return before - this.uploads.size();
	}

	/** Uploads in progress. */
	int size() {
		return this.uploads.size();
	}

	/** Bytes held by uploads in progress (tests). */
	long heldBytes() {
		long held = 0;
		for (Upload upload : this.uploads.values()) {
			held += upload.bytes.length;
		}
		return held;
	}

	private static final class Upload {

		final long requestId;

		final int total;

		byte[] bytes;

		int received;

		long lastProgress;

		Upload(long requestId, int total, long now) {
			this.requestId = requestId;
			this.total = total;
			this.bytes = new byte[Math.min(total, INITIAL)];
			this.lastProgress = now;
		}

		/** Appends a piece that the caller checked fits within the total. */
		void append(byte[] piece, long now) {
			int end = this.received + piece.length;
			if (end > this.bytes.length) {
				this.bytes = Arrays.copyOf(this.bytes, (int) Math.min(this.total, Math.max(end, 2L * this.bytes.length)));
			}
			System.arraycopy(piece, 0, this.bytes, this.received, piece.length);
			this.received = end;
			this.lastProgress = now;
		}

	}

}
