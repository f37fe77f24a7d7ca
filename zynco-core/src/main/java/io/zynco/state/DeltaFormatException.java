package io.zynco.state;

/**
 * An encoded delta was rejected before anything was applied: it is truncated, corrupted, of
 * an unknown format, or breaks a rule of the layout. The {@link #reason()} is a stable tag for
 * metrics.
 */
public final class DeltaFormatException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/** Why a delta was rejected; stable names for metric tags. */
	public enum Reason {

		/** Shorter than its header or than a length it announces. */
		TRUNCATED,
		/** Does not start with the delta magic number. */
		BAD_MAGIC,
		/** A format version this node does not read. */
		UNSUPPORTED_VERSION,
		/** The CRC32C trailer does not match the content. */
		BAD_CHECKSUM,
		/** A field holds a value outside its allowed range. */
		BAD_FIELD,
		/** Changes are not in engine order or repeat a key. */
		BAD_ORDER,
		/** Bytes left over after the last change. */
		TRAILING_BYTES

	}

	private final Reason reason;

	public DeltaFormatException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	public Reason reason() {
		return this.reason;
	}

}
