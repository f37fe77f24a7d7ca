package io.zynco.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.zynco.spring.TestStates;
import io.zynco.spring.ZyncoState;
import io.zynco.state.StateView;

import static org.assertj.core.api.Assertions.assertThat;

/** The start-up report when a @ZyncoState bean cannot be built for the first, empty view. */
class ZyncoPrepareFailureAnalyzerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
		.withPropertyValues(TestStates.NODE_PROPERTIES)
		.withUserConfiguration(TestStates.StatesConfiguration.class);

	@Test
	void explainsThatTheFirstViewIsEmpty() {
		this.runner.withUserConfiguration(NeedsFares.class).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new ZyncoPrepareFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("NeedsFares' could not be built for fares@0,rules@0");
			assertThat(analysis.getAction()).contains("accept an empty state").contains("no fares loaded");
		});
	}

	@Test
	void leavesConfigurationErrorsToTheirAnalyzer() {
		this.runner.withUserConfiguration(ReadsUndeclaredState.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(new ZyncoPrepareFailureAnalyzer().analyze(context.getStartupFailure())).isNull();
			assertThat(new ZyncoConfigurationFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
				.contains("injects the view of state rules");
		});
	}

	@ZyncoState("fares")
	static class NeedsFares {

		NeedsFares(StateView<String, String> fares) {
			if (fares.size() == 0) {
				throw new IllegalStateException("no fares loaded");
			}
		}

	}

	@ZyncoState("fares")
	static class ReadsUndeclaredState {

		ReadsUndeclaredState(StateView<String, Long> rules) {
		}

	}

}
