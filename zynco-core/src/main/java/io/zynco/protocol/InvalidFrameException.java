package io.zynco.protocol;

import java.util.Objects;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A control frame (or handshake) was rejected. The {@link #reason()} is a stable tag for
 * counting; the pipeline turns this exception into one counted rejection and closes the
 * connection.
 */
public final class InvalidFrameException extends CorruptedFrameException {

	private static final long serialVersionUID = 1L;

	private final RejectReason reason;

	public InvalidFrameException(RejectReason reason, String message) {
		super(message);
		this.reason = Objects.requireNonNull(reason, "reason");
	}

	public RejectReason reason() {
		return this.reason;
	}

}
