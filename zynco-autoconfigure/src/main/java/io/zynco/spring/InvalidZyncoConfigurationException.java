package io.zynco.spring;

/**
 * Zynco is configured in a way it cannot run with: a {@code zynco.*} property, a state
 * declaration or a {@code @ZyncoState} bean. Carries what is wrong and how to fix it, which
 * the auto-configuration's failure analyzer shows at start. Thread-safe (immutable).
 */
public class InvalidZyncoConfigurationException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String property;

	private final transient Object value;

	private final String action;

	/**
	 * @param property the offending property ({@code zynco.transfer.packet-size}), or
	 * {@code null} when the problem is not one property
	 * @param value the offending value, or {@code null}
	 * @param description what is wrong
	 * @param action how to fix it
	 */
	public InvalidZyncoConfigurationException(String property, Object value, String description, String action) {
		this(property, value, description, action, null);
	}

	public InvalidZyncoConfigurationException(String property, Object value, String description, String action,
			Throwable cause) {
		super(description, cause);
		this.property = property;
		this.value = value;
		this.action = action;
	}

	/** A problem that is not about one property (a state declaration, a bean). */
	public static InvalidZyncoConfigurationException of(String description, String action) {
		return new InvalidZyncoConfigurationException(null, null, description, action);
	}

	/** The offending property, or {@code null}. */
	public String getProperty() {
		return this.property;
	}

	/** The offending value, or {@code null}. */
	public Object getValue() {
		return this.value;
	}

	/** How to fix the problem. */
	public String getAction() {
		return this.action;
	}

}
