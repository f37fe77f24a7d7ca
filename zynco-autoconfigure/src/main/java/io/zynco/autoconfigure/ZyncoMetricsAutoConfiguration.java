package io.zynco.autoconfigure;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.zynco.replication.ZyncoNode;
import io.zynco.spring.actuate.ZyncoMetrics;

/**
 * Auto-configuration of the {@code zynco.*} meters (see
 * {@link io.zynco.spring.actuate.ZyncoMeters}), when Micrometer is present and a node is
 * configured. Spring Boot binds the {@link ZyncoMetrics} binder to every meter registry.
 */
@AutoConfiguration(after = ZyncoAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
@ConditionalOnBean(ZyncoNode.class)
public class ZyncoMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ZyncoMetrics zyncoMetrics(ZyncoNode node) {
		return new ZyncoMetrics(node, List.of());
	}

}
