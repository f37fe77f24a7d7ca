package io.zynco.spring;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ReplicationException;
import io.zynco.replication.ZyncoNode;
import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 4: three Spring Boot servlet applications in one JVM form one cluster on loopback
 * (unicast, with a secret). A version published on one is served by all three (checked over
 * HTTP: the {@code Zynco-Versions} header, the body and {@code GET /actuator/zynco}); a
 * rollback through the endpoint of another switches all three back; and when one context
 * closes right after starting a publish, the other two keep switching together and see two
 * members.
 */
class ZyncoClusterContextsTests {

	static final StateType<String, String> PRICES = StateType.of("prices", Codec.utf8(), Codec.utf8())
		.withSegmentBits(2);

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final Pattern CONTROL_PORT = Pattern.compile("\"controlPort\":");

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private final String cluster = "cluster-contexts-" + UUID.randomUUID();

	@AfterEach
	void closeContexts() {
		for (int i = this.contexts.size() - 1; i >= 0; i--) {
			this.contexts.get(i).close();
		}
		this.contexts.clear();
	}

	private ConfigurableApplicationContext start(String name, String... extra) {
		List<String> properties = new ArrayList<>(List.of("zynco.node-name=" + name, "zynco.cluster-name=" + this.cluster,
				"zynco.transfer.mode=unicast", "zynco.control.bind-address=127.0.0.1",
				"zynco.security.secret=cluster-contexts-test-secret-0123456789",
				"zynco.membership.heartbeat-interval=50ms", "zynco.membership.failure-timeout=500ms",
				"zynco.switching.prepare-timeout=5s", "server.port=0", "server.address=127.0.0.1",
				"management.endpoints.web.exposure.include=zynco,health", "spring.main.banner-mode=off"));
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(PriceApplication.class)
			.web(WebApplicationType.SERVLET)
			.registerShutdownHook(false)
			.properties(properties.toArray(String[]::new))
			.run();
		this.contexts.add(context);
		return context;
	}

	@Test
	void threeContextsSwitchTogetherRollBackThroughTheEndpointAndSurviveOneClosing() throws Exception {
		ConfigurableApplicationContext one = start("one");
		String seed = "zynco.membership.seeds=127.0.0.1:" + node(one).self().controlPort();
		ConfigurableApplicationContext two = start("two", seed);
		ConfigurableApplicationContext three = start("three", seed);
		List<ConfigurableApplicationContext> all = List.of(one, two, three);
		await().atMost(TIMEOUT)
			.until(() -> all.stream()
				.allMatch((context) -> node(context).isReady() && node(context).members().join().size() == 3));

		long base = publish(one, "base");
		awaitServed(all, base, "base");

		// (1) publish on context 2: all three serve it
		long published = publish(two, "published-on-two");
		awaitServed(all, published, "published-on-two");

		// (2) roll back through the endpoint of context 3: all three serve the old version
		HttpResponse<String> rollback = post(three, "/actuator/zynco/prices/rollback", "{\"version\":" + base + "}");
		assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
		assertThat(rollback.body()).contains("\"active\":" + base);
		awaitServed(all, base, "base");

		// (2b) pin through the endpoint of context 3, not the coordinator: it answers once the
		// coordinator (context 1, the oldest) applied the pin, and every member learns it
		HttpResponse<String> pin = post(three, "/actuator/zynco/prices/pin", "{}");
		assertThat(pin.statusCode()).as(pin.body()).isEqualTo(200);
		assertThat(get(one, "/actuator/zynco/prices").body()).contains("\"pinned\":" + base);
		assertThat(get(three, "/actuator/zynco/prices").body()).contains("\"pinned\":" + base);
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(get(two, "/actuator/zynco/prices").body()).contains("\"pinned\":" + base));
		HttpResponse<String> unpin = post(three, "/actuator/zynco/prices/unpin", "{}");
		assertThat(unpin.statusCode()).as(unpin.body()).isEqualTo(200);
		assertThat(node(one).pins()).isEmpty();
		assertThat(get(one, "/actuator/zynco/prices").body()).doesNotContain("\"pinned\":" + base);

		// (3) context 2 closes right after it started a publish: the other two carry on
		CompletableFuture<Long> inFlight = views(two).state(PRICES).publish((edit) -> edit.put("price", "published-while-two-closes"));
		two.close();
		// the publish may commit (it reached the others before two left) or fail: either is fine, it must not hang
		await().atMost(TIMEOUT).until(inFlight::isDone);
		List<ConfigurableApplicationContext> remaining = List.of(one, three);
		if (!inFlight.isCompletedExceptionally()) {
			// committed: the cluster (two included) switched to it before two left
			awaitServed(remaining, inFlight.join(), "published-while-two-closes");
		}
		// if two's publish failed as it left, the coordinator may still be finishing that switch and
		// answer BUSY ("retry when it is done"): retry on BUSY only, any other failure fails the test
		AtomicLong after = new AtomicLong();
		await().atMost(TIMEOUT).until(() -> {
			try {
				after.set(publish(one, "after-two-left"));
				return true;
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof ReplicationException replication
						&& replication.reason() == ReplicationException.Reason.BUSY) {
					return false;
				}
				throw ex;
			}
		});
		awaitServed(remaining, after.get(), "after-two-left");
		await().atMost(TIMEOUT).untilAsserted(() -> {
			String body = get(one, "/actuator/zynco").body();
			assertThat(count(CONTROL_PORT, body)).as(body).isEqualTo(2);
			assertThat(body).doesNotContain("\"name\":\"two\"");
		});
	}

	private static ZyncoNode node(ConfigurableApplicationContext context) {
		return context.getBean(ZyncoNode.class);
	}

	private static ZyncoViews views(ConfigurableApplicationContext context) {
		return context.getBean(ZyncoViews.class);
	}

	private static long publish(ConfigurableApplicationContext context, String price) throws Exception {
		ReplicatedState<String, String> prices = views(context).state(PRICES);
		return prices.publish((edit) -> edit.put("price", price)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Waits until every context serves {@code version} over HTTP, in the header, the body and the endpoint. */
	private static void awaitServed(List<ConfigurableApplicationContext> contexts, long version, String price) {
		for (ConfigurableApplicationContext context : contexts) {
			await().atMost(TIMEOUT).untilAsserted(() -> {
				HttpResponse<String> response = get(context, "/price");
				assertThat(response.statusCode()).isEqualTo(200);
				assertThat(response.headers().firstValue("Zynco-Versions")).hasValue("prices@" + version);
				assertThat(response.body()).isEqualTo(version + ":" + price);
				assertThat(get(context, "/actuator/zynco").body()).contains("\"view\":\"prices@" + version + "\"");
			});
		}
	}

	private static int count(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher(text);
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		return client.send(HttpRequest.newBuilder(uri(context, path)).timeout(Duration.ofSeconds(20)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> post(ConfigurableApplicationContext context, String path, String json)
			throws Exception {
		return client.send(HttpRequest.newBuilder(uri(context, path))
			.timeout(Duration.ofSeconds(20))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static URI uri(ConfigurableApplicationContext context, String path) {
		return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path);
	}

	/** A version of "prices", as built on a node. */
	@ZyncoState("prices")
	static class PriceBook {

		private final long version;

		private final String price;

		PriceBook(StateView<String, String> prices, ClusterView view) {
			this.version = view.version("prices").number();
			this.price = prices.get("price");
		}

		public String describe() {
			return this.version + ":" + this.price;
		}

	}

	@RestController
	static class PriceController {

		private final PriceBook book;

		PriceController(PriceBook book) {
			this.book = book;
		}

		@GetMapping("/price")
		String price() {
			return this.book.describe();
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ PriceBook.class, PriceController.class })
	static class PriceApplication {

		@Bean
		StateType<String, String> pricesType() {
			return PRICES;
		}

	}

}
