package io.zynco.spring;

/**
 * A {@code @ZyncoState} bean could not be built for a view being prepared, so this node
 * refused the switch (and the cluster aborted it). The message names the bean and the
 * versions; the cause is the bean's failure. Thread-safe (immutable).
 */
public class ZyncoPrepareException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public ZyncoPrepareException(String message, Throwable cause) {
		super(message, cause);
	}

}
