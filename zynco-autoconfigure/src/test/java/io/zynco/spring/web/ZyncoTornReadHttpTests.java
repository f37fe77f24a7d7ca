package io.zynco.spring.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.ZyncoState;
import io.zynco.spring.ZyncoStateScope;
import io.zynco.spring.ZyncoViews;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

import static io.zynco.spring.web.TornReads.TORN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 4's concurrency guarantee over real HTTP: client threads read a {@code @ZyncoState}
 * bean whose two fields must agree with each other and with the {@code Zynco-Versions}
 * header, while the test publishes, rolls back and switches forward hundreds of times. No
 * torn read, no error, and the instances of versions that left the window are destroyed.
 *
 * <p>Each version of state {@code torn} is self-describing: entries {@code a} and {@code b}
 * both hold the version's publish counter. The bean copies them into two fields with some
 * work in between; the controller reads them through the proxy in two calls with work in
 * between, so a request that reached two instances would answer {@code a != b}, and one that
 * reached an instance of another version than its header names would not match the value
 * recorded when that version was published.
 */
@SpringBootTest(classes = ZyncoTornReadHttpTests.TornApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "zynco.transfer.mode=unicast", "zynco.membership.heartbeat-interval=50ms",
				"zynco.membership.failure-timeout=500ms", "zynco.switching.prepare-timeout=5s",
				"zynco.chain.max-versions=" + ZyncoTornReadHttpTests.WINDOW, "server.address=127.0.0.1" })
class ZyncoTornReadHttpTests {

	static final int WINDOW = 8;

	private static final int OPERATIONS = 240;

	private static final int CLIENTS = 6;


	@LocalServerPort
	private int port;

	@Autowired
	private ZyncoViews views;

	@Autowired
	private ZyncoNode node;

	@Autowired
	private ZyncoStateScope scope;

	@Autowired
	private TornReads.Lives lives;

	@Test
	void clientsNeverSeeATornReadWhileTheClusterSwitches() throws Exception {
		ReplicatedState<String, Long> state = this.views.state(TORN);
		// version -> the value both entries hold in it (version 0 is empty: -1)
		Map<Long, Long> expected = new ConcurrentHashMap<>();
		expected.put(0L, -1L);
		AtomicLong counter = new AtomicLong();
		TornReads.publish(state, counter, expected);

		HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/torn"))
			.timeout(Duration.ofSeconds(20))
			.build();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong requests = new AtomicLong();
		Queue<String> torn = new ConcurrentLinkedQueue<>();
		Queue<String> errors = new ConcurrentLinkedQueue<>();
		Map<Long, Boolean> versionsSeen = new ConcurrentHashMap<>();
		// responses for a version whose publish had not completed yet: checked at the end
		Queue<String[]> early = new ConcurrentLinkedQueue<>();
		ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
		List<Future<?>> readers = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			readers.add(pool.submit(() -> {
				while (!stop.get()) {
					try {
						HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
						requests.incrementAndGet();
						if (response.statusCode() != 200) {
							errors.add(response.statusCode() + ": " + response.body());
							continue;
						}
						String header = response.headers().firstValue("Zynco-Versions").orElse("");
						String problem = check(header, response.body(), expected, versionsSeen, early);
						if (problem != null) {
							torn.add(problem);
						}
					}
					catch (Exception ex) {
						errors.add(ex.toString());
					}
				}
				return null;
			}));
		}

		TornReads.Churn churn;
		try {
			// wait (bounded) for the readers to be running before the switches start
			await().atMost(Duration.ofSeconds(20)).until(() -> requests.get() >= CLIENTS);
			churn = TornReads.churn(this.node, state, counter, expected, OPERATIONS, new Random(4));
			// let the readers see the last version before they stop
			long last = requests.get();
			await().atMost(Duration.ofSeconds(20)).until(() -> requests.get() >= last + CLIENTS);
		}
		finally {
			stop.set(true);
			for (Future<?> reader : readers) {
				reader.get(30, TimeUnit.SECONDS);
			}
			pool.shutdownNow();
		}

		// and the first, before the readers started
		int publishes = churn.publishes() + 1;
		System.out.printf("ZyncoTornReadHttpTests: %d requests, %d publishes, %d rollbacks, %d switch-forwards, "
				+ "%d versions seen, %d torn reads, %d errors%n", requests.get(), publishes, churn.rollbacks(),
				churn.forwards(), versionsSeen.size(), torn.size(), errors.size());
		for (String[] response : early) {
			String problem = check(response[0], response[1], expected, versionsSeen, null);
			if (problem != null) {
				torn.add(problem);
			}
		}
		assertThat(torn).as("torn reads").isEmpty();
		assertThat(errors).as("errors").isEmpty();
		assertThat(churn.rollbacks()).isGreaterThan(OPERATIONS / 4);
		assertThat(requests.get()).isGreaterThan(OPERATIONS);
		assertThat(versionsSeen.size()).isGreaterThan(1);

		// every instance of a version that left the window is destroyed (on the cleaner thread)
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			List<Long> window = state.chain().versions().stream().map((version) -> version.number()).toList();
			assertThat(this.lives.alive.values()).allSatisfy((version) -> assertThat(window).contains(version));
		});
		int destroyed = this.lives.destroyed.get();
		int alive = this.lives.alive.size();
		System.out.printf("ZyncoTornReadHttpTests: %d instances built, %d destroyed, %d alive (window %d), "
				+ "scope %s%n", this.lives.built.get(), destroyed, alive, WINDOW, this.scope.instanceCounts());
		assertThat(destroyed).isGreaterThanOrEqualTo(publishes - WINDOW);
		assertThat(alive).isLessThanOrEqualTo(WINDOW);
		assertThat(this.lives.built.get()).isEqualTo(destroyed + alive);
		assertThat(this.views.isPinned()).isFalse();
	}


	/** A problem with one response, or {@code null}. Body: {@code a,b,version}. */
	private static String check(String header, String body, Map<Long, Long> expected, Map<Long, Boolean> seen,
			Queue<String[]> early) {
		String prefix = TORN.name() + "@";
		if (!header.startsWith(prefix)) {
			return "header '" + header + "' for body " + body;
		}
		long headerVersion = Long.parseLong(header.substring(prefix.length()));
		String[] parts = body.split(",");
		long a = Long.parseLong(parts[0]);
		long b = Long.parseLong(parts[1]);
		long beanVersion = Long.parseLong(parts[2]);
		seen.put(headerVersion, Boolean.TRUE);
		Long value = expected.get(headerVersion);
		if (value == null && early != null && a == b && beanVersion == headerVersion) {
			// served before publish() returned (it completes after the switch): check it later
			early.add(new String[] { header, body });
			return null;
		}
		if (a != b || beanVersion != headerVersion || value == null || value != a) {
			return "header " + header + " (expected " + value + "), body " + body;
		}
		return null;
	}


	/** Two fields copied from one version, with some work between them to widen any race. */
	@ZyncoState("torn")
	public static class TornBean {

		private static final AtomicInteger ids = new AtomicInteger();

		private final int id = ids.incrementAndGet();

		private final long a;

		private final long b;

		private final long version;

		private final TornReads.Lives lives;

		private volatile boolean destroyed;

		public TornBean(StateView<String, Long> torn, io.zynco.replication.ClusterView view, TornReads.Lives lives) {
			this.version = view.version(TORN.name()).number();
			Long first = torn.get("a");
			this.a = (first != null) ? first : -1;
			Thread.yield();
			Long second = torn.get("b");
			this.b = (second != null) ? second : -1;
			this.lives = lives;
			lives.built.incrementAndGet();
			lives.alive.put(this.id, this.version);
		}

		public long a() {
			checkAlive();
			return this.a;
		}

		public long b() {
			checkAlive();
			return this.b;
		}

		public long version() {
			checkAlive();
			return this.version;
		}

		private void checkAlive() {
			if (this.destroyed) {
				throw new IllegalStateException("instance " + this.id + " of version " + this.version + " was destroyed");
			}
		}

		@PreDestroy
		void destroy() {
			this.destroyed = true;
			this.lives.alive.remove(this.id);
			this.lives.destroyed.incrementAndGet();
		}

	}

	@RestController
	static class TornController {

		private final TornBean bean;

		TornController(TornBean bean) {
			this.bean = bean;
		}

		@GetMapping("/torn")
		String torn() {
			long a = this.bean.a();
			Thread.yield();
			long b = this.bean.b();
			Thread.yield();
			return a + "," + b + "," + this.bean.version();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TornBean.class, TornController.class })
	static class TornApplication {

		@Bean
		StateType<String, Long> tornType() {
			return TORN;
		}

		@Bean
		TornReads.Lives lives() {
			return new TornReads.Lives();
		}

	}

}
