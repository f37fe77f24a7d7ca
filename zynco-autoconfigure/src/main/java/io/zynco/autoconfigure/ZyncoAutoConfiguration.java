package io.zynco.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.servlet.Filter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.server.WebFilter;

import io.zynco.replication.NodeConfig;
import io.zynco.replication.ReplicationListener;
import io.zynco.replication.SwitchParticipant;
import io.zynco.replication.SwitchPolicy;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.InvalidZyncoConfigurationException;
import io.zynco.spring.ZyncoStateParticipant;
import io.zynco.spring.ZyncoStateScope;
import io.zynco.spring.ZyncoTaskDecorator;
import io.zynco.spring.ZyncoViews;
import io.zynco.spring.event.ZyncoEventPublisher;
import io.zynco.spring.web.ZyncoRoutingFilter;
import io.zynco.spring.web.ZyncoWebFilter;
import io.zynco.state.StateType;

/**
 * Auto-configuration of a Zynco node: its configuration from {@link ZyncoProperties}, the
 * node with every {@code StateType} bean registered, its {@link ZyncoLifecycle}, the
 * {@code zynco} scope for {@code @ZyncoState} beans, {@link ZyncoViews} for pinning, the
 * switch participant that builds the scope's beans, Spring events, a task decorator that
 * carries pins into the application task executor, and, in a servlet web application, the
 * {@link ZyncoRoutingFilter} (in a reactive one, the {@link ZyncoWebFilter}). Every bean
 * backs off when the application defines its own;
 * {@code zynco.enabled=false} turns everything off.
 */
@AutoConfiguration
@ConditionalOnClass(ZyncoNode.class)
@ConditionalOnBooleanProperty(name = "zynco.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ZyncoProperties.class)
public class ZyncoAutoConfiguration {

	/** The scope is a bean-factory post-processor: a static bean, created before the others. */
	@Bean
	@ConditionalOnMissingBean
	static ZyncoStateScope zyncoStateScope() {
		return new ZyncoStateScope();
	}

	@Bean
	@ConditionalOnMissingBean
	NodeConfig zyncoNodeConfig(ZyncoProperties properties, Environment environment,
			ObjectProvider<ZyncoNodeCustomizer> customizers) {
		return ZyncoNodeConfigFactory.create(properties, environment.getProperty("spring.application.name"),
				customizers.orderedStream().toList());
	}

	/** The node, with every {@code StateType} bean registered under its switch policy. */
	@Bean
	@ConditionalOnMissingBean
	ZyncoNode zyncoNode(NodeConfig config, ZyncoProperties properties, ObjectProvider<StateType<?, ?>> stateTypes) {
		ZyncoNode node = ZyncoNode.create(config);
		ZyncoProperties.Switching switching = properties.getSwitching();
		List<String> names = new ArrayList<>();
		stateTypes.orderedStream().forEach((type) -> {
			if (names.contains(type.name())) {
				node.close();
				throw InvalidZyncoConfigurationException.of("two StateType beans declare the state '" + type.name() + "'",
						"Give every StateType bean its own state name, or remove one of them.");
			}
			names.add(type.name());
			SwitchPolicy policy = switching.getPolicies().getOrDefault(type.name(), switching.getPolicy());
			node.register(type, (policy != null) ? policy : SwitchPolicy.AUTO);
		});
		for (Map.Entry<String, SwitchPolicy> entry : switching.getPolicies().entrySet()) {
			if (!names.contains(entry.getKey())) {
				node.close();
				throw new InvalidZyncoConfigurationException("zynco.switching.policies." + entry.getKey(),
						entry.getValue(), "no StateType bean declares a state named '" + entry.getKey()
								+ "' (declared: " + names + ")",
						"Name a declared state in zynco.switching.policies, or declare a StateType bean for it.");
			}
		}
		return node;
	}

	@Bean
	@ConditionalOnMissingBean
	ZyncoViews zyncoViews(ZyncoNode node) {
		return new ZyncoViews(node);
	}

	@Bean
	@ConditionalOnMissingBean
	ZyncoStateParticipant zyncoStateParticipant(ZyncoStateScope scope, ZyncoViews views, ZyncoProperties properties) {
		return new ZyncoStateParticipant(scope, views, properties.getScope().isRetainInactive());
	}

	@Bean
	@ConditionalOnMissingBean
	ZyncoEventPublisher zyncoEventPublisher(ZyncoNode node, ApplicationEventPublisher publisher) {
		return new ZyncoEventPublisher(node, publisher);
	}

	@Bean
	@ConditionalOnMissingBean
	ZyncoLifecycle zyncoLifecycle(ZyncoNode node, ObjectProvider<SwitchParticipant> participants,
			ObjectProvider<ReplicationListener> listeners) {
		return new ZyncoLifecycle(node, participants, listeners);
	}

	/** Gives the JVM's compiler and concurrent GC threads the background slice, on request. */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "zynco.scheduling.jvm-threads")
	ZyncoJvmThreads zyncoJvmThreads(ZyncoProperties properties) {
		return new ZyncoJvmThreads(properties.getScheduling().getJvmThreadsInterval());
	}

	/** Carries a request's pin into tasks of the application task executor. */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "zynco.routing.propagate-to-tasks", matchIfMissing = true)
	ZyncoTaskDecorator zyncoTaskDecorator(ZyncoViews views) {
		return new ZyncoTaskDecorator(views);
	}

	/** Pins each servlet request to one view. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass({ Filter.class, OncePerRequestFilter.class })
	@ConditionalOnBooleanProperty(name = "zynco.routing.enabled", matchIfMissing = true)
	static class ServletRoutingConfiguration {

		@Bean
		@ConditionalOnMissingFilterBean
		ZyncoRoutingFilter zyncoRoutingFilter(ZyncoViews views, ZyncoProperties properties) {
			return new ZyncoRoutingFilter(views, properties.getRouting().getResponseHeader());
		}

	}

	/** Pins each reactive exchange to one view. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(value = WebFilter.class, name = "reactor.core.publisher.Mono")
	@ConditionalOnBooleanProperty(name = "zynco.routing.enabled", matchIfMissing = true)
	static class ReactiveRoutingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ZyncoWebFilter zyncoWebFilter(ZyncoViews views, ZyncoProperties properties) {
			return new ZyncoWebFilter(views, properties.getRouting().getResponseHeader());
		}

	}

}
