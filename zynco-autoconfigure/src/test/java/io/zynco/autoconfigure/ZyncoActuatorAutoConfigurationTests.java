package io.zynco.autoconfigure;

import io.micrometer.core.instrument.binder.MeterBinder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.zynco.replication.ZyncoNode;
import io.zynco.spring.TestStates;
import io.zynco.spring.actuate.ZyncoEndpoint;
import io.zynco.spring.actuate.ZyncoEndpointWebExtension;
import io.zynco.spring.actuate.ZyncoHealthIndicator;
import io.zynco.spring.actuate.ZyncoMetrics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link ZyncoEndpointAutoConfiguration}, {@link ZyncoHealthContributorAutoConfiguration}
 * and {@link ZyncoMetricsAutoConfiguration} contribute, and when they back off.
 */
class ZyncoActuatorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class, ZyncoEndpointAutoConfiguration.class,
				ZyncoHealthContributorAutoConfiguration.class, ZyncoMetricsAutoConfiguration.class))
		.withPropertyValues(TestStates.NODE_PROPERTIES)
		.withUserConfiguration(TestStates.StatesConfiguration.class);

	@Test
	void contributesTheEndpointWhenExposed() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=zynco").run((context) -> {
			assertThat(context).hasSingleBean(ZyncoEndpoint.class).hasSingleBean(ZyncoEndpointWebExtension.class);
		});
	}

	@Test
	void contributesTheEndpointWithoutTheWebExtensionWhenExposedOverJmxOnly() {
		this.runner
			.withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=zynco")
			.run((context) -> assertThat(context).hasSingleBean(ZyncoEndpoint.class)
				.doesNotHaveBean(ZyncoEndpointWebExtension.class));
	}

	@Test
	void noEndpointUnlessExposed() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ZyncoEndpoint.class)
			.doesNotHaveBean(ZyncoEndpointWebExtension.class));
	}

	@Test
	void noEndpointWithoutActuator() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=zynco")
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).hasSingleBean(ZyncoNode.class).doesNotHaveBean(ZyncoEndpoint.class));
	}

	@Test
	void contributesTheHealthIndicatorUnlessDisabled() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(ZyncoHealthIndicator.class)
			.hasBean("zyncoHealthIndicator"));
		this.runner.withPropertyValues("management.health.zynco.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoHealthIndicator.class));
		this.runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoHealthIndicator.class));
	}

	@Test
	void contributesMetersWithTheNodesRejectedInput() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ZyncoMetrics.class);
			context.getBean(ZyncoNode.class).rejectedInput().reject("data", "bad-magic", "test");
			assertThat(context.getBean(ZyncoNode.class).rejectedInput().count("data", "bad-magic")).isOne();
		});
		this.runner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).hasSingleBean(ZyncoNode.class).doesNotHaveBean(ZyncoMetrics.class));
	}

	@Test
	void nothingWhenZyncoIsDisabled() {
		this.runner.withPropertyValues("zynco.enabled=false", "management.endpoints.web.exposure.include=zynco")
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoNode.class)
				.doesNotHaveBean(ZyncoEndpoint.class)
				.doesNotHaveBean(ZyncoHealthIndicator.class)
				.doesNotHaveBean(ZyncoMetrics.class));
	}

	@Test
	void backsOffForTheApplicationsBeans() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=zynco")
			.withUserConfiguration(OwnBeans.class)
			.run((context) -> assertThat(context).getBean(ZyncoEndpoint.class).isSameAs(OwnBeans.endpoint));
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnBeans {

		static ZyncoEndpoint endpoint;

		@Bean
		ZyncoEndpoint myEndpoint(ZyncoNode node) {
			endpoint = new ZyncoEndpoint(node, java.time.Duration.ofSeconds(1));
			return endpoint;
		}

	}

}
