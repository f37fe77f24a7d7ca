package io.zynco.autoconfigure;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.server.WebFilter;

import io.zynco.replication.NodeConfig;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.SwitchPolicy;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.InvalidZyncoConfigurationException;
import io.zynco.spring.TestStates;
import io.zynco.spring.ZyncoStateParticipant;
import io.zynco.spring.ZyncoStateScope;
import io.zynco.spring.ZyncoTaskDecorator;
import io.zynco.spring.ZyncoViews;
import io.zynco.spring.event.ZyncoEventPublisher;
import io.zynco.spring.web.ZyncoRoutingFilter;
import io.zynco.spring.web.ZyncoWebFilter;
import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.state.Yield;
import io.zynco.state.internal.ThreadSlices;
import io.zynco.transport.TransportMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What {@link ZyncoAutoConfiguration} contributes, and when it backs off. */
@ExtendWith(OutputCaptureExtension.class)
class ZyncoAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
		.withPropertyValues(TestStates.NODE_PROPERTIES)
		.withUserConfiguration(TestStates.StatesConfiguration.class);

	@Test
	void contributesANodeAndStartsIt() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ZyncoProperties.class)
				.hasSingleBean(NodeConfig.class)
				.hasSingleBean(ZyncoNode.class)
				.hasSingleBean(ZyncoLifecycle.class)
				.hasSingleBean(ZyncoStateScope.class)
				.hasSingleBean(ZyncoViews.class)
				.hasSingleBean(ZyncoStateParticipant.class)
				.hasSingleBean(ZyncoEventPublisher.class)
				.hasSingleBean(ZyncoTaskDecorator.class)
				.doesNotHaveBean(ZyncoRoutingFilter.class)
				.doesNotHaveBean(ZyncoJvmThreads.class);
			ZyncoNode node = context.getBean(ZyncoNode.class);
			assertThat(node.isRunning()).isTrue();
			assertThat(node.transportMode()).isEqualTo(TransportMode.UNICAST);
			assertThat(node.self().host()).isEqualTo("127.0.0.1");
			assertThat(node.states()).extracting((state) -> state.name()).containsExactly("fares", "rules");
			assertThat(context.getBean(ZyncoLifecycle.class).getPhase()).isEqualTo(ZyncoLifecycle.PHASE);
		});
	}

	@Test
	void givesTheJvmsBackgroundThreadsTheLongSliceAtStartAndAgainEveryInterval() {
		this.runner.withPropertyValues("zynco.scheduling.jvm-threads=true", "zynco.scheduling.jvm-threads-interval=100ms")
			.run((context) -> {
				assertThat(context).hasSingleBean(ZyncoJvmThreads.class);
				ZyncoJvmThreads jvmThreads = context.getBean(ZyncoJvmThreads.class);
				// the passes run on their period, switch or no switch
				long passes = jvmThreads.passes();
				await().atMost(TestStates.TIMEOUT).until(() -> jvmThreads.passes() >= passes + 2);
				if (Yield.backgroundSliceNanos() == 0) {
					// no slices here (core's ThreadSlicesTests check where they must work): nothing changed
					assertThat(jvmThreads.initial()).isZero();
					return;
				}
				// the tests' JVM runs the JIT: it has compiler threads
				Map<Integer, String> compilers = new HashMap<>(ThreadSlices.threads());
				compilers.values().removeIf((name) -> !name.contains("CompilerThre"));
				assertThat(jvmThreads.initial()).isGreaterThanOrEqualTo(compilers.size()).isPositive();
				// as if the JVM had started them since: the default-length slice of a new thread
				compilers.keySet().forEach((tid) -> ThreadSlices.set(tid, 3_000_000));
				await().atMost(TestStates.TIMEOUT)
					.untilAsserted(() -> compilers.forEach((tid, name) -> assertThat(ThreadSlices.get(tid)).as(name)
						.isIn(Yield.backgroundSliceNanos(), -1L)));
			});
	}

	@Test
	void aJvmThreadsIntervalThatIsNotPositiveFailsNamingTheProperty() {
		this.runner.withPropertyValues("zynco.scheduling.jvm-threads=true", "zynco.scheduling.jvm-threads-interval=0s")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'zynco.scheduling.jvm-threads-interval'")
					.contains("must be positive");
				assertThat(analysis.getAction()).contains("10s");
			});
	}

	@Test
	void stopsTheNodeWithTheContext() {
		ZyncoNode[] node = new ZyncoNode[1];
		this.runner.run((context) -> node[0] = context.getBean(ZyncoNode.class));
		assertThat(node[0].isRunning()).isFalse();
	}

	@Test
	void bindsProperties() {
		this.runner
			.withPropertyValues("zynco.node-name=fares-1", "zynco.cluster-name=fare-service",
					"zynco.transfer.packet-size=8972B", "zynco.chain.max-versions=4", "zynco.chain.max-memory=256MB",
					"zynco.switching.policy=manual", "zynco.switching.policies.rules=auto",
					"zynco.security.secret=0123456789abcdef0123456789abcdef", "zynco.security.packet-security=aes-gcm",
					"zynco.membership.seeds=127.0.0.1:7601,127.0.0.1:7602")
			.run((context) -> {
				ZyncoProperties properties = context.getBean(ZyncoProperties.class);
				assertThat(properties.getTransfer().getPacketSize().toBytes()).isEqualTo(8972);
				assertThat(properties.getChain().getMaxMemory().toMegabytes()).isEqualTo(256);
				assertThat(properties.getMembership().getSeeds()).hasSize(2);
				ZyncoNode node = context.getBean(ZyncoNode.class);
				NodeConfig config = node.config();
				assertThat(config.name()).isEqualTo("fares-1");
				assertThat(config.cluster()).isEqualTo("fare-service");
				assertThat(config.toString()).contains("packetSize=8972").contains("security=AES_GCM");
				assertThat(node.state("fares").policy()).isEqualTo(SwitchPolicy.MANUAL);
				assertThat(node.state("rules").policy()).isEqualTo(SwitchPolicy.AUTO);
				assertThat(node.state("fares").chain().versions()).hasSize(1);
			});
	}

	@Test
	void theClusterIsNamedAfterTheApplication() {
		this.runner.withPropertyValues("spring.application.name=Fare Service").run((context) -> {
			assertThat(context.getBean(ZyncoNode.class).config().cluster()).isEqualTo("fare-service");
		});
	}

	@Test
	void withoutASecretBindsToLoopbackAndSaysSo(CapturedOutput output) {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(NodeConfig.class).toString()).contains("bind=127.0.0.1").contains("security=NONE");
			assertThat(output).contains("zynco.security.secret is not set, so this node binds to loopback");
		});
	}

	@Test
	void withoutASecretRefusesToBindBeyondLoopback() {
		this.runner.withPropertyValues("zynco.control.bind-address=10.1.2.3").run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			FailureAnalysis analysis = analyze(failure);
			assertThat(analysis.getDescription()).contains("'zynco.security.secret'")
				.contains("no cluster secret is set")
				.contains("'10.1.2.3'");
			assertThat(analysis.getAction()).contains("Set zynco.security.secret")
				.contains("zynco.control.bind-address=127.0.0.1");
		});
	}

	@Test
	void aShortSecretFailsNamingTheProperty() {
		this.runner.withPropertyValues("zynco.security.secret=short").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'zynco.security.secret'")
				.contains("5 bytes")
				.doesNotContain("short");
		});
	}

	@Test
	void anInvalidValueFailsNamingThePropertyAndTheFix() {
		this.runner.withPropertyValues("zynco.transfer.packet-size=100B").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'zynco.transfer.packet-size'").contains("100B");
			assertThat(analysis.getAction()).contains("1472B");
		});
	}

	@Test
	void aPolicyForAnUnknownStateFails() {
		this.runner.withPropertyValues("zynco.switching.policies.nope=manual").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'zynco.switching.policies.nope'").contains("[fares, rules]");
		});
	}

	@Test
	void twoStatesOfTheSameNameFail() {
		this.runner.withUserConfiguration(DuplicateState.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidZyncoConfigurationException.class)
				.hasMessageContaining("two StateType beans declare the state 'fares'");
		});
	}

	@Test
	void customizersAdjustTheNodeConfiguration() {
		this.runner.withBean(ZyncoNodeCustomizer.class, () -> (builder) -> builder.name("customized")).run((context) -> {
			assertThat(context.getBean(ZyncoNode.class).config().name()).isEqualTo("customized");
		});
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnBeans() {
		this.runner.withUserConfiguration(OwnNodeConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ZyncoNode.class).hasSingleBean(NodeConfig.class);
			assertThat(context.getBean(ZyncoNode.class)).isSameAs(context.getBean(OwnNodeConfiguration.class).node);
			assertThat(context.getBean(NodeConfig.class).name()).isEqualTo("own");
		});
	}

	@Test
	void isOffWhenDisabled() {
		this.runner.withPropertyValues("zynco.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(ZyncoNode.class)
				.doesNotHaveBean(ZyncoStateScope.class)
				.doesNotHaveBean(ZyncoViews.class)
				.doesNotHaveBean(ZyncoLifecycle.class);
		});
	}

	@Test
	void isOffWithoutTheCore() {
		this.runner.withClassLoader(new FilteredClassLoader(ZyncoNode.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(ZyncoNode.class).doesNotHaveBean(ZyncoStateScope.class);
		});
	}

	@Test
	void theTaskDecoratorCanBeTurnedOff() {
		this.runner.withPropertyValues("zynco.routing.propagate-to-tasks=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoTaskDecorator.class));
	}

	@Test
	void registersTheRoutingFilterInAServletApplication() {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
			.withPropertyValues(TestStates.NODE_PROPERTIES)
			.withPropertyValues("zynco.routing.response-header=X-Versions")
			.run((context) -> {
				assertThat(context).hasSingleBean(ZyncoRoutingFilter.class);
				ZyncoRoutingFilter filter = context.getBean(ZyncoRoutingFilter.class);
				assertThat(filter.getOrder()).isEqualTo(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
			});
	}

	@Test
	void theRoutingFilterBacksOff() {
		WebApplicationContextRunner web = new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
			.withPropertyValues(TestStates.NODE_PROPERTIES);
		web.withPropertyValues("zynco.routing.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoRoutingFilter.class));
		web.withClassLoader(new FilteredClassLoader(OncePerRequestFilter.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoRoutingFilter.class)
				.hasSingleBean(ZyncoNode.class));
		web.withBean("ownFilter", ZyncoRoutingFilter.class, () -> new ZyncoRoutingFilter(null, null))
			.run((context) -> assertThat(context).getBeanNames(ZyncoRoutingFilter.class).containsExactly("ownFilter"));
	}

	@Test
	void noRoutingFilterInAReactiveApplication() {
		new ReactiveWebApplicationContextRunner().withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
			.withPropertyValues(TestStates.NODE_PROPERTIES)
			.run((context) -> assertThat(context).hasSingleBean(ZyncoNode.class)
				.doesNotHaveBean(ZyncoRoutingFilter.class)
				.hasSingleBean(ZyncoWebFilter.class));
	}

	@Test
	void theReactiveWebFilterIsFirstAndBacksOff() {
		ReactiveWebApplicationContextRunner web = new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
			.withPropertyValues(TestStates.NODE_PROPERTIES);
		web.run((context) -> assertThat(context.getBean(ZyncoWebFilter.class).getOrder())
			.isEqualTo(org.springframework.core.Ordered.HIGHEST_PRECEDENCE));
		web.withPropertyValues("zynco.routing.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoWebFilter.class));
		web.withClassLoader(new FilteredClassLoader(WebFilter.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoWebFilter.class).hasSingleBean(ZyncoNode.class));
		web.withBean("ownFilter", ZyncoWebFilter.class, () -> new ZyncoWebFilter(null, null))
			.run((context) -> assertThat(context).getBeanNames(ZyncoWebFilter.class).containsExactly("ownFilter"));
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(ZyncoAutoConfiguration.class))
			.withPropertyValues(TestStates.NODE_PROPERTIES)
			.run((context) -> assertThat(context).doesNotHaveBean(ZyncoWebFilter.class));
	}

	@Test
	void registersTheFailureAnalyzer() {
		// other analyzers need a bean factory; only ours is looked at
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
			.load(FailureAnalyzer.class, (type, name, failure) -> {
			});
		assertThat(analyzers).hasAtLeastOneElementOfType(ZyncoConfigurationFailureAnalyzer.class);
	}

	private static FailureAnalysis analyze(Throwable failure) {
		FailureAnalysis analysis = new ZyncoConfigurationFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		return analysis;
	}

	@Configuration(proxyBeanMethods = false)
	static class DuplicateState {

		@Bean
		StateType<String, String> otherFares() {
			return StateType.of("fares", Codec.utf8(), Codec.utf8());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnNodeConfiguration {

		final ZyncoNode node = ZyncoNode.create(NodeConfig.builder()
			.name("own")
			.packetSecurity(NodeConfig.PacketSecurity.NONE)
			.secret(ZyncoNodeConfigFactory.loopbackKey("zynco"))
			.transportMode(TransportMode.UNICAST)
			.build());

		@Bean
		NodeConfig ownNodeConfig() {
			return this.node.config();
		}

		@Bean
		ZyncoNode ownNode() {
			this.node.register(TestStates.FARES);
			this.node.register(TestStates.RULES);
			return this.node;
		}

	}

}
