package io.zynco.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.zynco.replication.ZyncoNode;
import io.zynco.sample.fares.FareBook;
import io.zynco.sample.fares.FareChecksum;
import io.zynco.sample.fares.RouteIndexer;
import io.zynco.sample.fares.Rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fare service on its own (one node, a cluster of one): the generated table loads at
 * start, the API answers with versions and checksums, the admin API and the endpoint's
 * writes need the operator role, changes publish new versions, bad input gets 400 or 404.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.fares=5000", "sample.admin.user=op", "sample.admin.password=op-password",
				"zynco.cluster-name=fare-service-tests-${random.uuid}", "zynco.transfer.mode=unicast",
				"server.address=127.0.0.1" })
class FareServiceApplicationTests {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	ZyncoNode node;

	@Autowired
	RouteIndexer indexer;

	@Test
	void loadsAtStartAndServesFaresWithTheirVersionsAndAChecksum() throws Exception {
		awaitLoaded();
		HttpResponse<String> response = get("/api/fares?route=LHR-JFK&limit=1000");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = json.readTree(response.body());
		long fares = body.path("versions").path("fares").asLong();
		long rules = body.path("versions").path("rules").asLong();
		assertThat(response.headers().firstValue("Zynco-Versions")).hasValue("fares@" + fares + ",rules@" + rules);
		assertThat(body.path("matching").asInt()).isPositive().isEqualTo(body.path("fares").size());
		assertThat(body.path("checksum").asString()).isEqualTo(FareChecksum.of(lines(body.path("fares")), List.of()));
		for (JsonNode fare : body.path("fares")) {
			assertThat(fare.path("key").asString()).startsWith("LHR-JFK/");
		}

		JsonNode quote = json.readTree(get("/api/quote?route=LHR-JFK&fareClass=Y").body());
		assertThat(quote.path("rule").path("id").asString()).isEqualTo(quote.path("fare").path("ruleSet").asString());
		Rule rule = json.treeToValue(quote.path("rule"), Rule.class);
		assertThat(quote.path("checksum").asString())
			.isEqualTo(FareChecksum.of(List.of(line(quote.path("fare"))), List.of(rule)));

		JsonNode routes = json.readTree(get("/api/routes").body());
		assertThat(routes.path("fares").asLong()).isEqualTo(5000);
		assertThat(routes.path("rules").asLong()).isEqualTo(10_000);
	}

	@Test
	void theAdminApiAndTheEndpointWritesNeedTheOperatorRole() throws Exception {
		awaitLoaded();
		assertThat(post("/admin/reprice?share=0.01", null, null).statusCode()).isEqualTo(401);
		assertThat(post("/admin/reprice?share=0.01", "op", "wrong").statusCode()).isEqualTo(401);
		assertThat(post("/actuator/zynco/fares/rollback", null, "{\"version\":1}").statusCode()).isEqualTo(401);
		assertThat(get("/actuator/zynco").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/health/readiness").body()).contains("\"status\":\"UP\"");
	}

	@Test
	void aRepricingPublishesANewVersionAndARollbackRestoresTheOldContent() throws Exception {
		awaitLoaded();
		long before = faresVersion();
		String query = "/api/fares?route=CDG-SIN&limit=1000";
		String checksumBefore = json.readTree(get(query).body()).path("checksum").asString();
		long fullBuilds = this.indexer.fullBuilds();

		HttpResponse<String> reprice = post("/admin/reprice?share=0.5&seed=3", "op", "op-password");
		assertThat(reprice.statusCode()).as(reprice.body()).isEqualTo(200);
		long after = json.readTree(reprice.body()).path("version").asLong();
		assertThat(after).isGreaterThan(before);
		JsonNode repriced = json.readTree(get(query).body());
		assertThat(repriced.path("versions").path("fares").asLong()).isEqualTo(after);
		assertThat(repriced.path("checksum").asString()).isNotEqualTo(checksumBefore);
		// the new version's FareBook reused the route index instead of rebuilding it
		assertThat(this.indexer.fullBuilds()).isEqualTo(fullBuilds);

		HttpResponse<String> rollback = post("/actuator/zynco/fares/rollback", "op", "op-password",
				"{\"version\":" + before + "}");
		assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
		JsonNode restored = json.readTree(get(query).body());
		assertThat(restored.path("versions").path("fares").asLong()).isEqualTo(before);
		assertThat(restored.path("checksum").asString()).isEqualTo(checksumBefore);
		// switch forward again for the other tests
		assertThat(post("/actuator/zynco/fares/switch", "op", "op-password", "{\"version\":" + after + "}").statusCode())
			.isEqualTo(200);
	}

	@Test
	void routesCanBeAddedAndWithdrawn() throws Exception {
		awaitLoaded();
		HttpResponse<String> added = post("/admin/routes?route=AKL-WLG&carriers=2", "op", "op-password");
		assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
		assertThat(json.readTree(added.body()).path("entries").asInt()).isEqualTo(2 * 16);
		assertThat(json.readTree(get("/api/fares?route=AKL-WLG").body()).path("matching").asInt()).isEqualTo(32);
		assertThat(post("/admin/routes?route=AKL-WLG", "op", "op-password").statusCode()).isEqualTo(409);
		HttpResponse<String> withdrawn = delete("/admin/routes/AKL-WLG");
		assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(200);
		assertThat(json.readTree(get("/api/fares?route=AKL-WLG").body()).path("matching").asInt()).isZero();
		assertThat(delete("/admin/routes/AKL-WLG").statusCode()).isEqualTo(404);
	}

	@Test
	void anExportedFileReloadsToTheSameRoot(@TempDir Path directory) throws Exception {
		awaitLoaded();
		Path file = directory.resolve("fares.csv");
		HttpResponse<String> export = post("/admin/export?path=" + file, "op", "op-password");
		assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
		long root = this.node.view().version("fares").rootFingerprint();
		long version = faresVersion();
		HttpResponse<String> reload = post("/admin/reload-file?path=" + file, "op", "op-password");
		// the same content is no change: the cluster keeps its version
		assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
		assertThat(this.node.view().version("fares").rootFingerprint()).isEqualTo(root);
		assertThat(faresVersion()).isEqualTo(version);

		java.nio.file.Files.writeString(directory.resolve("bad.csv"), "LHR-JFK/BA/Y/1,12,EUR\n");
		HttpResponse<String> bad = post("/admin/reload-file?path=" + directory.resolve("bad.csv"), "op", "op-password");
		assertThat(bad.statusCode()).isEqualTo(400);
		assertThat(bad.body()).contains("line 1").contains("expected 6 fields");
	}

	@Test
	void badInputIsAnsweredWith400Or404() throws Exception {
		awaitLoaded();
		assertThat(get("/api/fares?route=nowhere").statusCode()).isEqualTo(400);
		assertThat(get("/api/fares?route=LHR-JFK&limit=100000").statusCode()).isEqualTo(400);
		assertThat(get("/api/fare?key=LHR-JFK/XX/Y/1").statusCode()).isEqualTo(404);
		assertThat(get("/api/quote?route=LHR-JFK&fareClass=Z").statusCode()).isEqualTo(404);
		assertThat(post("/admin/reprice?share=2", "op", "op-password").statusCode()).isEqualTo(400);
		assertThat(post("/actuator/zynco/fares/rollback", "op", "op-password", "{\"version\":999}").statusCode())
			.isEqualTo(404);
	}

	private void awaitLoaded() {
		await().atMost(Duration.ofSeconds(60)).until(() -> this.node.view().version("fares").number() > 0);
	}

	private long faresVersion() {
		return this.node.view().version("fares").number();
	}

	private static List<FareBook.FareLine> lines(JsonNode fares) {
		List<FareBook.FareLine> lines = new ArrayList<>();
		fares.forEach((fare) -> lines.add(line(fare)));
		return lines;
	}

	private static FareBook.FareLine line(JsonNode fare) {
		return json.treeToValue(fare, FareBook.FareLine.class);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws Exception {
		return client.send(auth(HttpRequest.newBuilder(uri(path)), "op", "op-password").DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String user, String password) throws Exception {
		return post(path, user, password, null);
	}

	private HttpResponse<String> post(String path, String user, String password, String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
		if (user != null) {
			auth(request, user, password);
		}
		if (body != null) {
			request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
		}
		else {
			request.POST(HttpRequest.BodyPublishers.noBody());
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpRequest.Builder auth(HttpRequest.Builder request, String user, String password) {
		return request.header("Authorization", "Basic "
				+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
