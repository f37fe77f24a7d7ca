package io.zynco.spring.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ZyncoNode;
import io.zynco.version.Version;

/**
 * Health of a Zynco node: {@code UP} once it serves what the cluster serves
 * ({@link ZyncoNode#isReady()}), {@code OUT_OF_SERVICE} while it starts or catches up,
 * {@code DOWN} when it is not running. Details: the switch id and the active version of each
 * state. Add it to the readiness group
 * ({@code management.endpoint.health.group.readiness.include=readinessState,zynco}) so that
 * a load balancer holds traffic until the node caught up. Thread-safe.
 */
public class ZyncoHealthIndicator extends AbstractHealthIndicator {

	private final ZyncoNode node;

	public ZyncoHealthIndicator(ZyncoNode node) {
		super("Zynco health check failed");
		this.node = node;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		if (!this.node.isRunning()) {
			builder.down();
		}
		else if (this.node.isReady()) {
			builder.up();
		}
		else {
			builder.outOfService();
		}
		ClusterView view = this.node.view();
		Map<String, Long> versions = new LinkedHashMap<>();
		for (Map.Entry<String, Version> entry : view.versions().entrySet()) {
			versions.put(entry.getKey(), entry.getValue().number());
		}
		builder.withDetail("node", this.node.config().name())
			.withDetail("switchId", view.switchId())
			.withDetail("versions", versions);
	}

}
