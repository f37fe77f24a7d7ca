package io.zynco.spring.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.TestStates;

import static io.zynco.spring.TestStates.FARES;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code zynco} endpoint, its health indicator and meters in a servlet application, over HTTP. */
@SpringBootTest(classes = ZyncoEndpointWebTests.Application.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "zynco.transfer.mode=unicast", "zynco.membership.heartbeat-interval=50ms",
				"zynco.membership.failure-timeout=500ms", "zynco.switching.prepare-timeout=5s",
				"server.address=127.0.0.1", "management.endpoints.web.exposure.include=zynco,health,metrics",
				"management.endpoint.health.group.readiness.include=readinessState,zynco",
				"management.endpoint.health.group.readiness.show-components=always",
				"management.endpoint.health.show-details=always" })
class ZyncoEndpointWebTests {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@Autowired
	private ZyncoNode node;

	private HttpResponse<String> get(String path) throws Exception {
		return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String json) throws Exception {
		return client.send(HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(20))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private long publish(String route, String fare) throws Exception {
		ReplicatedState<String, String> fares = this.node.state(FARES);
		return fares.publish((edit) -> edit.put(route, fare)).get(10, TimeUnit.SECONDS);
	}

	@Test
	void readsTheNodeItsMembersAndStates() throws Exception {
		long version = publish("LHR-JFK", "420");
		HttpResponse<String> response = get("/actuator/zynco");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"transport\":\"unicast\"")
			.contains("\"members\":[{")
			.contains("\"fares\":{\"name\":\"fares\"")
			.contains("\"rootFingerprint\":\"")
			.contains("\"version\":" + version);
	}

	@Test
	void readsOneStateAndAnswers404ForAnUnknownOne() throws Exception {
		assertThat(get("/actuator/zynco/rules").body()).startsWith("{\"name\":\"rules\"");
		HttpResponse<String> unknown = get("/actuator/zynco/taxes");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("\"reason\":\"not_found\"").contains("no state named 'taxes'");
	}

	@Test
	void rollsBackAndSwitchesForward() throws Exception {
		long older = publish("LHR-CDG", "90");
		long newer = publish("LHR-CDG", "95");
		HttpResponse<String> rollback = post("/actuator/zynco/fares/rollback", "{\"version\":" + older + "}");
		assertThat(rollback.statusCode()).isEqualTo(200);
		assertThat(rollback.body()).contains("\"active\":" + older);
		assertThat(this.node.state("fares").active().number()).isEqualTo(older);
		assertThat(post("/actuator/zynco/fares/switch", "{\"version\":" + newer + "}").statusCode()).isEqualTo(200);
		assertThat(this.node.state("fares").active().number()).isEqualTo(newer);
	}

	@Test
	void answers404ForAVersionOutsideTheWindow() throws Exception {
		HttpResponse<String> response = post("/actuator/zynco/fares/switch", "{\"version\":100000}");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("not in the window");
	}

	@Test
	void answers409ForASwitchOfAPinnedState() throws Exception {
		long older = publish("LHR-FRA", "120");
		publish("LHR-FRA", "125");
		assertThat(post("/actuator/zynco/fares/pin", "{}").statusCode()).isEqualTo(200);
		try {
			HttpResponse<String> refused = post("/actuator/zynco/fares/rollback", "{\"version\":" + older + "}");
			assertThat(refused.statusCode()).isEqualTo(409);
			assertThat(refused.body()).contains("\"reason\":\"pinned\"");
		}
		finally {
			assertThat(post("/actuator/zynco/fares/unpin", "{}").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void answers400ForABadRequest() throws Exception {
		assertThat(post("/actuator/zynco/fares/delete", "{\"version\":1}").statusCode()).isEqualTo(400);
		HttpResponse<String> noVersion = post("/actuator/zynco/fares/switch", "{}");
		assertThat(noVersion.statusCode()).isEqualTo(400);
		assertThat(noVersion.body()).contains("needs a version");
	}

	@Test
	void reportsHealthAndJoinsTheReadinessGroup() throws Exception {
		HttpResponse<String> health = get("/actuator/health/zynco");
		assertThat(health.body()).contains("\"switchId\"").contains("\"versions\":{\"fares\"");
		HttpResponse<String> readiness = get("/actuator/health/readiness");
		assertThat(readiness.body()).contains("\"zynco\":{");
	}

	@Test
	void exposesMeters() throws Exception {
		HttpResponse<String> response = get("/actuator/metrics/zynco.state.version?tag=state:fares");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"name\":\"zynco.state.version\"");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestStates.StatesConfiguration.class)
	static class Application {

	}

}
