package io.zynco.blob;

import java.util.Objects;

/**
 * Thrown when a {@link BlobDelta} is rejected: its encoding is truncated or corrupted, or it does
 * not fit the base it is applied to, or the content it produces does not have the target root.
 * A rejected delta never yields a snapshot; the {@link #reason()} is meant for counting
 * rejections by cause.
 *
 * <p>Immutable once thrown, like any exception.
 */
public final class BlobDeltaException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/** Why a delta was rejected. */
	public enum Reason {
		/** The encoding is shorter than its header or its declared lengths require. */
		TRUNCATED,
		/** The encoding does not start with the blob delta magic number. */
		BAD_MAGIC,
		/** The encoding's format version is not one this code reads. */
		UNSUPPORTED_VERSION,
		/** The encoding's checksum does not match its bytes. */
		CHECKSUM_MISMATCH,
		/** A field of the encoding is out of range or inconsistent with another. */
		MALFORMED,
		/** A chunk's bytes do not have the fingerprint the delta declares for them. */
		CHUNK_MISMATCH,
		/** The delta was applied to a snapshot whose root is not the delta's base root. */
		BASE_MISMATCH,
		/** The content the delta produced does not have the delta's target root or size. */
		TARGET_MISMATCH
	}

	private final Reason reason;

	/** Creates an exception for {@code reason} with a message that says what was found and expected. */
	public BlobDeltaException(Reason reason, String message) {
		super(Objects.requireNonNull(reason, "reason") + ": " + message);
		this.reason = reason;
	}

	/** Returns why the delta was rejected. */
	public Reason reason() {
		return reason;
	}
}
