package io.zynco.autoconfigure;

import java.time.Duration;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.zynco.replication.ZyncoNode;
import io.zynco.spring.actuate.ZyncoEndpoint;
import io.zynco.spring.actuate.ZyncoEndpointWebExtension;

/**
 * Auto-configuration of the {@code zynco} Actuator endpoint and its web extension, when
 * Actuator is present, a node is configured and the endpoint is available (enabled and
 * exposed: {@code management.endpoints.web.exposure.include=zynco}).
 */
@AutoConfiguration(after = ZyncoAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(ZyncoNode.class)
@ConditionalOnAvailableEndpoint(ZyncoEndpoint.class)
public class ZyncoEndpointAutoConfiguration {

	/** Margin on the prepare timeout for a switch requested through the endpoint. */
	static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(5);

	@Bean
	@ConditionalOnMissingBean
	ZyncoEndpoint zyncoEndpoint(ZyncoNode node, ZyncoProperties properties) {
		return new ZyncoEndpoint(node, properties.getSwitching().getPrepareTimeout().plus(TIMEOUT_MARGIN));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ZyncoEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	ZyncoEndpointWebExtension zyncoEndpointWebExtension(ZyncoEndpoint endpoint) {
		return new ZyncoEndpointWebExtension(endpoint);
	}

}
