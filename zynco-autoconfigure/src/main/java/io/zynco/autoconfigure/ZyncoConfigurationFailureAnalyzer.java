package io.zynco.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.zynco.spring.InvalidZyncoConfigurationException;

/**
 * Turns an {@link InvalidZyncoConfigurationException} into the start-up report Spring Boot
 * prints: the property, its value, what is wrong, and what to do. Registered in
 * {@code META-INF/spring.factories}. Thread-safe (stateless).
 */
class ZyncoConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidZyncoConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidZyncoConfigurationException cause) {
		StringBuilder description = new StringBuilder();
		if (cause.getProperty() != null) {
			description.append("Invalid Zynco configuration property '").append(cause.getProperty()).append('\'');
			if (cause.getValue() != null) {
				description.append(" with value '").append(cause.getValue()).append('\'');
			}
			description.append(":\n\n    ");
		}
		else {
			description.append("Invalid Zynco configuration:\n\n    ");
		}
		description.append(cause.getMessage());
		return new FailureAnalysis(description.toString(), cause.getAction(), cause);
	}

}
