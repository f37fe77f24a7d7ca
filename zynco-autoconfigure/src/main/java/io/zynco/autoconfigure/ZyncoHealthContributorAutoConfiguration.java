package io.zynco.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.zynco.replication.ZyncoNode;
import io.zynco.spring.actuate.ZyncoHealthIndicator;

/**
 * Auto-configuration of the {@code zynco} health indicator, when Spring Boot's health
 * support is present and a node is configured ({@code management.health.zynco.enabled=false}
 * turns it off).
 */
@AutoConfiguration(after = ZyncoAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ZyncoNode.class)
@ConditionalOnEnabledHealthIndicator("zynco")
public class ZyncoHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "zyncoHealthIndicator")
	ZyncoHealthIndicator zyncoHealthIndicator(ZyncoNode node) {
		return new ZyncoHealthIndicator(node);
	}

}
