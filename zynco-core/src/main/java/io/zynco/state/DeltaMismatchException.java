package io.zynco.state;

/**
 * A well-formed delta did not fit: it names a base that is not the snapshot given, or applying
 * it did not produce the target fingerprint it promised. Nothing is served from such a
 * result; the node must fetch a snapshot instead.
 */
public final class DeltaMismatchException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/** Which check failed. */
	public enum Check {

		/** The base snapshot has a different segment count. */
		SEGMENTS,
		/** The base snapshot's root is not the delta's base root. */
		BASE_ROOT,
		/** The result's root or size is not the delta's target. */
		TARGET_ROOT

	}

	private final Check check;

	public DeltaMismatchException(Check check, String message) {
		super(message);
		this.check = check;
	}

	public Check check() {
		return this.check;
	}

}
