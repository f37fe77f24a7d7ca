package io.zynco.spring.actuate;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import io.zynco.replication.ZyncoNode;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ZyncoHealthIndicator} on a real single node. */
class ZyncoHealthIndicatorTests {

	@Test
	void isUpWhenReadyAndNamesTheActiveVersions() throws Exception {
		ZyncoNode node = TestNodes.start();
		try {
			long version = TestNodes.publish(node, "LHR-JFK", "420");
			Health health = new ZyncoHealthIndicator(node).health(true);
			assertThat(health.getStatus()).isEqualTo(node.isReady() ? Status.UP : Status.OUT_OF_SERVICE);
			assertThat(health.getDetails()).containsEntry("node", "node-a")
				.containsEntry("switchId", node.view().switchId())
				.containsEntry("versions", Map.of("fares", version, "rules", 0L));
		}
		finally {
			node.close();
		}
	}

	@Test
	void isDownOnceTheNodeStopped() throws Exception {
		ZyncoNode node = TestNodes.start();
		node.close();
		assertThat(new ZyncoHealthIndicator(node).health(true).getStatus()).isEqualTo(Status.DOWN);
	}

}
