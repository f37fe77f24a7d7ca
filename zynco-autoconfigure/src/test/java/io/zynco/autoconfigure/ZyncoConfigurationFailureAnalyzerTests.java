package io.zynco.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.zynco.spring.InvalidZyncoConfigurationException;

import static org.assertj.core.api.Assertions.assertThat;

/** The start-up report of invalid Zynco configuration. */
class ZyncoConfigurationFailureAnalyzerTests {

	private final ZyncoConfigurationFailureAnalyzer analyzer = new ZyncoConfigurationFailureAnalyzer();

	@Test
	void namesThePropertyItsValueTheProblemAndTheFix() {
		InvalidZyncoConfigurationException cause = new InvalidZyncoConfigurationException("zynco.chain.max-versions", 1,
				"the window must hold at least 2 versions", "Set zynco.chain.max-versions to 2 or more.");
		FailureAnalysis analysis = this.analyzer.analyze(new BeanCreationException("zyncoNodeConfig", "failed", cause));
		assertThat(analysis.getDescription()).isEqualTo("Invalid Zynco configuration property "
				+ "'zynco.chain.max-versions' with value '1':\n\n    the window must hold at least 2 versions");
		assertThat(analysis.getAction()).isEqualTo("Set zynco.chain.max-versions to 2 or more.");
		assertThat(analysis.getCause()).isSameAs(cause);
	}

	@Test
	void describesProblemsThatAreNotOneProperty() {
		FailureAnalysis analysis = this.analyzer
			.analyze(InvalidZyncoConfigurationException.of("two StateType beans declare 'fares'", "Rename one."));
		assertThat(analysis.getDescription()).startsWith("Invalid Zynco configuration:").contains("declare 'fares'");
		assertThat(analysis.getAction()).isEqualTo("Rename one.");
	}

	@Test
	void ignoresOtherFailures() {
		assertThat(this.analyzer.analyze(new IllegalStateException("unrelated"))).isNull();
	}

}
