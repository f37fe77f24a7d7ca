package io.zynco.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.NestedExceptionUtils;

import io.zynco.spring.InvalidZyncoConfigurationException;
import io.zynco.spring.ZyncoPrepareException;

/**
 * Explains a start that failed because a {@code @ZyncoState} bean could not be built for the
 * first view, in which every state is empty until the first publish (or the catch-up with the
 * cluster). Leaves configuration errors to {@link ZyncoConfigurationFailureAnalyzer}.
 * Thread-safe (stateless).
 */
class ZyncoPrepareFailureAnalyzer extends AbstractFailureAnalyzer<ZyncoPrepareException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ZyncoPrepareException cause) {
		if (findCause(cause, InvalidZyncoConfigurationException.class) != null) {
			return null;
		}
		return new FailureAnalysis(cause.getMessage(), "A @ZyncoState bean is built for the first view when the "
				+ "application starts, when every state is empty (version 0) until the first publish or the catch-up "
				+ "with the cluster. Make its constructor and init methods accept an empty state; the cause was: "
				+ NestedExceptionUtils.getMostSpecificCause(cause), cause);
	}

}
