package io.zynco.spring.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zynco.replication.ReplicatedState;
import io.zynco.spring.TestStates;
import io.zynco.spring.TestStates.FareIndex;
import io.zynco.spring.TestStates.RuleBook;
import io.zynco.spring.TestStates.Tracker;
import io.zynco.spring.ZyncoViews;
import io.zynco.spring.reactive.ZyncoReactive;

import static io.zynco.spring.TestStates.FARES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in a reactive application (WebFlux on Tomcat): the {@link ZyncoWebFilter} pins
 * each exchange, the Reactor {@code Context} carries the pin, and with automatic context
 * propagation {@code @ZyncoState} proxies see the request's view on every thread of the
 * chain, across a switch that happens while it runs; the pin is released at completion.
 */
@SpringBootTest(classes = ZyncoWebFluxApplicationTests.ReactiveFareApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=reactive", "spring.reactor.context-propagation=auto",
				"zynco.transfer.mode=unicast", "zynco.membership.heartbeat-interval=50ms",
				"zynco.membership.failure-timeout=500ms", "zynco.switching.prepare-timeout=5s",
				"zynco.scope.retain-inactive=false", "server.address=127.0.0.1",
				"spring.autoconfigure.exclude="
						+ "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration,"
						+ "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration,"
						+ "org.springframework.boot.security.autoconfigure.actuate.web.reactive."
						+ "ReactiveManagementWebSecurityAutoConfiguration" })
class ZyncoWebFluxApplicationTests {

	private static final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private ZyncoViews views;

	@Autowired
	private Gate gate;

	@Autowired
	private Tracker tracker;

	@Autowired
	private ApplicationContext context;

	@AfterAll
	static void restoreReactorHooks() {
		// Boot enabled it for this application: do not leak it into the other tests of the JVM
		Hooks.disableAutomaticContextPropagation();
	}

	private HttpRequest get(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(20))
			.build();
	}

	private long publish(String route, String fare) throws Exception {
		ReplicatedState<String, String> fares = this.views.state(FARES);
		return fares.publish((edit) -> edit.put(route, fare)).get(10, TimeUnit.SECONDS);
	}

	@Test
	void theReactiveFilterIsConfiguredInsteadOfTheServletOne() {
		assertThat(this.context.getBeansOfType(ZyncoWebFilter.class)).hasSize(1);
		assertThat(this.context.getBeansOfType(ZyncoRoutingFilter.class)).isEmpty();
	}

	@Test
	void aReactiveRequestIsServedFromTheViewActiveAtItsArrival() throws Exception {
		long v1 = publish("LHR-JFK", "100");
		HttpResponse<String> response = client.send(get("/fare?route=LHR-JFK"), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("100@" + v1 + " in fares@" + v1 + ",rules@0");
		assertThat(response.headers().firstValue("Zynco-Versions")).hasValue("fares@" + v1 + ",rules@0");
	}

	@Test
	void aReactiveRequestSeesOneVersionOnEveryThreadAcrossASwitch() throws Exception {
		long before = publish("LHR-CDG", "80");
		int oldInstance = this.index.id(); // the instance of the active version: "before"
		this.gate.reset();
		CompletableFuture<HttpResponse<String>> pending = client.sendAsync(get("/twice?route=LHR-CDG"),
				HttpResponse.BodyHandlers.ofString());
		this.gate.arrived.get(10, TimeUnit.SECONDS);
		long after = publish("LHR-CDG", "95");
		// the request holds its pin: the instance of its version is still alive
		assertThat(this.tracker.destroyed()).doesNotContain(oldInstance);
		this.gate.proceed.complete(null);
		HttpResponse<String> response = pending.get(20, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("80@" + before + " 80@" + before + " in fares@" + before + ",rules@0");
		assertThat(response.headers().firstValue("Zynco-Versions")).hasValue("fares@" + before + ",rules@0");
		// the exchange completed: its pin is released and the old instance destroyed
		await().atMost(TestStates.TIMEOUT).untilAsserted(() -> assertThat(this.tracker.destroyed()).contains(oldInstance));
		HttpResponse<String> next = client.send(get("/fare?route=LHR-CDG"), HttpResponse.BodyHandlers.ofString());
		assertThat(next.body()).isEqualTo("95@" + after + " in fares@" + after + ",rules@0");
	}

	@Autowired
	private FareIndex index;

	/** Holds a request in the middle until the test lets it proceed. */
	static class Gate {

		volatile CompletableFuture<Void> arrived = new CompletableFuture<>();

		volatile CompletableFuture<Void> proceed = new CompletableFuture<>();

		void reset() {
			this.arrived = new CompletableFuture<>();
			this.proceed = new CompletableFuture<>();
		}

	}

	@RestController
	static class ReactiveFareController {

		private final FareIndex index;

		private final Gate gate;

		ReactiveFareController(FareIndex index, Gate gate) {
			this.index = index;
			this.gate = gate;
		}

		private String read(String route) {
			return this.index.fare(route) + "@" + this.index.version();
		}

		/** Reads the proxy on a worker thread, and the view from the Reactor Context. */
		@GetMapping("/fare")
		Mono<String> fare(@RequestParam String route) {
			return Mono.fromCallable(() -> read(route))
				.subscribeOn(Schedulers.boundedElastic())
				.zipWith(ZyncoReactive.view(), (fare, view) -> fare + " in " + view.label());
		}

		/** Reads, waits for the test to switch, reads again on another thread. */
		@GetMapping("/twice")
		Mono<String> twice(@RequestParam String route) {
			return Mono.fromCallable(() -> read(route))
				.subscribeOn(Schedulers.boundedElastic())
				.doOnNext((first) -> this.gate.arrived.complete(null))
				.flatMap((first) -> Mono.fromFuture(this.gate.proceed).thenReturn(first))
				.publishOn(Schedulers.parallel())
				.map((first) -> first + " " + read(route))
				.zipWith(ZyncoReactive.view(), (both, view) -> both + " in " + view.label());
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TestStates.StatesConfiguration.class, FareIndex.class, RuleBook.class, ReactiveFareController.class,
			Gate.class })
	static class ReactiveFareApplication {

	}

}
