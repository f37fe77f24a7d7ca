package io.zynco.spring;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.zynco.autoconfigure.ZyncoAutoConfiguration;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ReplicationException;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.TestStates.FareIndex;
import io.zynco.spring.TestStates.StatesConfiguration;
import io.zynco.state.StateView;

import static io.zynco.spring.TestStates.FARES;
import static io.zynco.spring.TestStates.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two application contexts in one JVM, two nodes on loopback without a secret: a version
 * published on one switches both, and a bean that cannot be built on one node aborts the
 * switch on both.
 */
class ZyncoTwoNodeTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
		.withPropertyValues(TestStates.NODE_PROPERTIES)
		.withUserConfiguration(StatesConfiguration.class, FareIndex.class);

	@Test
	void bothNodesSwitchTogetherAndOneRefusalAbortsBoth() {
		this.runner.withPropertyValues("zynco.node-name=a").run((a) -> {
			ZyncoNode nodeA = a.getBean(ZyncoNode.class);
			this.runner.withUserConfiguration(Refuser.class)
				.withPropertyValues("zynco.node-name=b",
						"zynco.membership.seeds=127.0.0.1:" + nodeA.self().controlPort())
				.run((b) -> {
					ZyncoNode nodeB = b.getBean(ZyncoNode.class);
					await().atMost(TIMEOUT)
						.until(() -> nodeA.members().join().size() == 2 && nodeB.members().join().size() == 2
								&& nodeA.isReady() && nodeB.isReady());
					ReplicatedState<String, String> fares = a.getBean(ZyncoViews.class).state(FARES);
					long v1 = fares.publish((edit) -> edit.put("LHR-JFK", "100")).get(10, TimeUnit.SECONDS);
					FareIndex onB = b.getBean(FareIndex.class);
					await().atMost(TIMEOUT).until(() -> onB.version() == v1);
					assertThat(onB.fare("LHR-JFK")).isEqualTo("100");

					assertThatThrownBy(() -> fares.publish((edit) -> edit.put("refused-by-b", "1"))
						.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
						.cause()
						.isInstanceOf(ReplicationException.class)
						.hasMessageContaining("b failed to prepare")
						.hasMessageContaining("Refuser");
					assertThat(nodeA.view().version("fares").number()).isEqualTo(v1);
					assertThat(nodeB.view().version("fares").number()).isEqualTo(v1);
					assertThat(a.getBean(FareIndex.class).version()).isEqualTo(v1);
					assertThat(onB.version()).isEqualTo(v1);
				});
		});
	}

	/** Only on node b: refuses a table with a "refused-by-b" entry. */
	@ZyncoState("fares")
	static class Refuser {

		Refuser(StateView<String, String> fares) {
			if (fares.containsKey("refused-by-b")) {
				throw new IllegalStateException("node b refuses this table");
			}
		}

	}

}
