package io.zynco.it;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.zynco.replication.ZyncoNode;
import io.zynco.sample.FareServiceApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three fare services in one JVM forming a cluster on loopback (unicast, with a secret):
 * the initial load converges on all three, a repricing published on one switches all three
 * under a checked client load, a rollback through another's endpoint switches all back, and
 * a node stopped and started again catches up and becomes ready.
 */
class FareClusterContextsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String cluster = "fare-contexts-" + UUID.randomUUID();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@AfterEach
	void close() {
		for (int i = this.contexts.size() - 1; i >= 0; i--) {
			this.contexts.get(i).close();
		}
	}

	private ConfigurableApplicationContext start(String name, String seed) {
		List<String> properties = new ArrayList<>(List.of("zynco.node-name=" + name,
				"zynco.cluster-name=" + this.cluster, "zynco.transfer.mode=unicast",
				"zynco.transfer.packet-size=60000", "zynco.control.bind-address=127.0.0.1",
				"zynco.security.secret=fare-contexts-test-secret-0123456789",
				"zynco.membership.heartbeat-interval=100ms", "zynco.membership.failure-timeout=2s",
				"server.port=0", "server.address=127.0.0.1", "sample.fares=20000", "sample.load-on-start=false",
				"sample.admin.user=" + FareClient.USER, "sample.admin.password=" + FareClient.PASSWORD));
		if (seed != null) {
			properties.add("zynco.membership.seeds=" + seed);
		}
		// as command-line arguments: they override application.properties (builder properties would not)
		ConfigurableApplicationContext context = new SpringApplicationBuilder(FareServiceApplication.class)
			.registerShutdownHook(false)
			.run(properties.stream().map((property) -> "--" + property).toArray(String[]::new));
		this.contexts.add(context);
		return context;
	}

	private static URI uri(ConfigurableApplicationContext context) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return URI.create("http://127.0.0.1:" + port);
	}

	private static ZyncoNode node(ConfigurableApplicationContext context) {
		return context.getBean(ZyncoNode.class);
	}

	@Test
	void convergeSwitchRollBackAndCatchUpAfterARestart() throws Exception {
		ConfigurableApplicationContext one = start("one", null);
		String seed = "127.0.0.1:" + node(one).self().controlPort();
		ConfigurableApplicationContext two = start("two", seed);
		ConfigurableApplicationContext three = start("three", seed);
		List<URI> all = List.of(uri(one), uri(two), uri(three));
		await().atMost(TIMEOUT)
			.until(() -> this.contexts.stream()
				.allMatch((context) -> node(context).isReady() && node(context).members().join().size() == 3));

		// 1. the initial load, on the coordinator, converges: same root everywhere
		HttpResponse<String> load = FareClient.post(all.get(0), "/admin/reload?fares=20000", null);
		long v1 = FareClient.reloadedVersion(load);
		awaitVersion(all, v1);
		assertThat(all.stream().map(FareClient::faresRoot).distinct()).hasSize(1);

		long v2;
		try (FareClient.Load clients = FareClient.load(all, 3, Duration.ofMinutes(2))) {
			// 2. a repricing published on node two switches all three
			HttpResponse<String> reprice = FareClient.post(all.get(1), "/admin/reprice?share=0.02&seed=5", null);
			v2 = FareClient.answeredVersion(reprice);
			awaitVersion(all, v2);
			// 3. a rollback through node three's endpoint switches all three back
			HttpResponse<String> rollback = FareClient.post(all.get(2), "/actuator/zynco/fares/rollback",
					"{\"version\":" + v1 + "}");
			assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
			awaitVersion(all, v1);
			await().atMost(TIMEOUT).until(() -> clients.requests.get() > 300);
			clients.stop();
			assertThat(clients.problems).isEmpty();
			assertThat(clients.failed.get()).isZero();
			assertThat(clients.inconsistent.get()).isZero();
			assertThat(clients.versionsSeen()).isGreaterThanOrEqualTo(2);
		}

		// 4. node three restarts: it catches up with the cluster's view (v1 active, v2 in the window)
		three.close();
		this.contexts.remove(three);
		await().atMost(TIMEOUT).until(() -> node(one).members().join().size() == 2);
		ConfigurableApplicationContext restarted = start("three", seed);
		URI restartedUri = uri(restarted);
		await().atMost(TIMEOUT).until(() -> FareClient.ready(restartedUri) && FareClient.faresVersion(restartedUri) == v1);
		assertThat(FareClient.faresRoot(restartedUri)).isEqualTo(FareClient.faresRoot(all.get(0)));
		HttpResponse<String> health = FareClient.get(restartedUri, "/actuator/health/readiness");
		assertThat(health.statusCode()).isEqualTo(200);
		// and switches with the others
		HttpResponse<String> forward = FareClient.post(all.get(0), "/actuator/zynco/fares/switch", "{\"version\":" + v2 + "}");
		assertThat(forward.statusCode()).as(forward.body()).isEqualTo(200);
		awaitVersion(List.of(all.get(0), all.get(1), restartedUri), v2);
	}

	private static void awaitVersion(List<URI> nodes, long version) {
		await().atMost(TIMEOUT).until(() -> nodes.stream().allMatch((node) -> FareClient.faresVersion(node) == version));
	}

}
