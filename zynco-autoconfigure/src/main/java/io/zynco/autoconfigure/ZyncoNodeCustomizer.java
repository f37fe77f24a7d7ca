package io.zynco.autoconfigure;

import io.zynco.replication.NodeConfig;

/**
 * Adjusts the {@link NodeConfig} the auto-configuration builds from {@code zynco.*}, for
 * what properties cannot express: TLS contexts for the control channel, an external
 * {@link io.zynco.replication.Coordinator}, clocks, a rejected-input counter. Declare beans of
 * this type; they are applied in {@link org.springframework.core.annotation.Order order},
 * after the properties, and the result is validated.
 */
@FunctionalInterface
public interface ZyncoNodeCustomizer {

	void customize(NodeConfig.Builder builder);

}
