package io.zynco.spring.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zynco.replication.ReplicatedState;
import io.zynco.spring.TestStates;
import io.zynco.spring.TestStates.FareIndex;
import io.zynco.spring.TestStates.RuleBook;
import io.zynco.spring.ZyncoViews;

import static io.zynco.spring.TestStates.FARES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter in a servlet application on Tomcat: each request, sync or async, sees one
 * version from start to end, across a switch that happens while it runs.
 */
@SpringBootTest(classes = ZyncoWebApplicationTests.FareApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "zynco.transfer.mode=unicast", "zynco.membership.heartbeat-interval=50ms",
				"zynco.membership.failure-timeout=500ms", "zynco.switching.prepare-timeout=5s",
				"server.address=127.0.0.1" })
class ZyncoWebApplicationTests {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@Autowired
	private ZyncoViews views;

	@Autowired
	private Gates gates;

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
	void aRequestIsServedFromTheViewActiveAtItsArrival() throws Exception {
		long v1 = publish("LHR-JFK", "100");
		HttpResponse<String> response = client.send(get("/fare?route=LHR-JFK"), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("100@" + v1);
		assertThat(response.headers().firstValue("Zynco-Versions")).hasValue("fares@" + v1 + ",rules@0");
	}

	@Test
	void aRequestSeesOneVersionAcrossASwitch() throws Exception {
		long before = publish("LHR-CDG", "80");
		this.gates.reset();
		CompletableFuture<HttpResponse<String>> pending = client.sendAsync(get("/twice?route=LHR-CDG"),
				HttpResponse.BodyHandlers.ofString());
		assertThat(this.gates.arrived.await(10, TimeUnit.SECONDS)).isTrue();
		long after = publish("LHR-CDG", "95");
		this.gates.proceed.countDown();
		HttpResponse<String> response = pending.get(20, TimeUnit.SECONDS);
		assertThat(response.body()).isEqualTo("80@" + before + " 80@" + before);
		assertThat(response.headers().firstValue("Zynco-Versions")).hasValue("fares@" + before + ",rules@0");
		assertThat(client.send(get("/fare?route=LHR-CDG"), HttpResponse.BodyHandlers.ofString()).body())
			.isEqualTo("95@" + after);
	}

	@Test
	void anAsyncRequestKeepsItsViewOnTheTaskExecutor() throws Exception {
		long before = publish("LHR-AMS", "60");
		this.gates.reset();
		CompletableFuture<HttpResponse<String>> pending = client.sendAsync(get("/async?route=LHR-AMS"),
				HttpResponse.BodyHandlers.ofString());
		assertThat(this.gates.arrived.await(10, TimeUnit.SECONDS)).isTrue();
		publish("LHR-AMS", "75");
		this.gates.proceed.countDown();
		HttpResponse<String> response = pending.get(20, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("60@" + before + " on zynco-task " + "60@" + before);
	}

	/** Latches for holding a request in the middle. */
	static class Gates {

		volatile CountDownLatch arrived = new CountDownLatch(1);

		volatile CountDownLatch proceed = new CountDownLatch(1);

		void reset() {
			this.arrived = new CountDownLatch(1);
			this.proceed = new CountDownLatch(1);
		}

		void hold() throws InterruptedException {
			this.arrived.countDown();
			if (!this.proceed.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("the test did not let the request proceed");
			}
		}

	}

	@RestController
	static class FareController {

		private final FareIndex index;

		private final Gates gates;

		FareController(FareIndex index, Gates gates) {
			this.index = index;
			this.gates = gates;
		}

		@GetMapping("/fare")
		String fare(@RequestParam String route) {
			return this.index.fare(route) + "@" + this.index.version();
		}

		@GetMapping("/twice")
		String twice(@RequestParam String route) throws InterruptedException {
			String first = fare(route);
			this.gates.hold();
			return first + " " + fare(route);
		}

		@GetMapping("/async")
		Callable<String> async(@RequestParam String route) {
			String first = fare(route);
			return () -> {
				this.gates.hold();
				String thread = Thread.currentThread().getName().startsWith("task-") ? "zynco-task" : "other";
				return first + " on " + thread + " " + fare(route);
			};
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TestStates.StatesConfiguration.class, FareIndex.class, RuleBook.class, FareController.class,
			Gates.class })
	static class FareApplication {

	}

}
