package io.zynco.spring.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.ZyncoState;
import io.zynco.spring.ZyncoStateScope;
import io.zynco.spring.ZyncoViews;
import io.zynco.spring.reactive.ZyncoReactive;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

import static io.zynco.spring.web.TornReads.TORN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The concurrency guarantee of {@link ZyncoTornReadHttpTests} for a reactive application
 * (WebFlux on Tomcat, automatic context propagation): each request reads a
 * {@code @ZyncoState} bean through its proxy on three threads of two schedulers
 * ({@code boundedElastic}, then {@code parallel}, then {@code boundedElastic} again) and the
 * view from the Reactor {@code Context}, while the test publishes, rolls back and switches
 * forward hundreds of times. Every read of a request must come from the version its
 * {@code Zynco-Versions} header names: no torn read, no error, and the instances of versions
 * that left the window are destroyed. Synchronised by latches and futures only.
 */
@SpringBootTest(classes = ZyncoTornReadReactiveTests.ReactiveTornApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=reactive", "spring.reactor.context-propagation=auto",
				"zynco.transfer.mode=unicast", "zynco.membership.heartbeat-interval=50ms",
				"zynco.membership.failure-timeout=500ms", "zynco.switching.prepare-timeout=5s",
				"zynco.chain.max-versions=" + ZyncoTornReadReactiveTests.WINDOW, "server.address=127.0.0.1",
				"spring.autoconfigure.exclude="
						+ "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration,"
						+ "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration,"
						+ "org.springframework.boot.security.autoconfigure.actuate.web.reactive."
						+ "ReactiveManagementWebSecurityAutoConfiguration" })
class ZyncoTornReadReactiveTests {

	static final int WINDOW = 8;

	private static final int OPERATIONS = 300;

	private static final int CLIENTS = 8;

	private static final Duration TIMEOUT = Duration.ofSeconds(20);


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

	@AfterAll
	static void restoreReactorHooks() {
		// Boot enabled it for this application: do not leak it into the other tests of the JVM
		Hooks.disableAutomaticContextPropagation();
	}

	@Test
	void reactiveRequestsNeverSeeATornReadAcrossThreadHopsWhileTheClusterSwitches() throws Exception {
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
			.timeout(TIMEOUT)
			.build();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong requests = new AtomicLong();
		Queue<String> torn = new ConcurrentLinkedQueue<>();
		Queue<String> errors = new ConcurrentLinkedQueue<>();
		Queue<String[]> early = new ConcurrentLinkedQueue<>();
		Map<Long, Boolean> versionsSeen = new ConcurrentHashMap<>();
		Set<String> threads = ConcurrentHashMap.newKeySet();
		CountDownLatch running = new CountDownLatch(CLIENTS);
		// set after the last operation: each reader counts it down after a request sent later
		AtomicReference<CountDownLatch> afterLast = new AtomicReference<>();
		ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
		List<Future<?>> readers = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			readers.add(pool.submit(() -> {
				boolean counted = false;
				boolean countedAfter = false;
				while (!stop.get()) {
					CountDownLatch after = afterLast.get();
					try {
						HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
						requests.incrementAndGet();
						if (response.statusCode() != 200) {
							errors.add(response.statusCode() + ": " + response.body());
						}
						else {
							String header = response.headers().firstValue("Zynco-Versions").orElse("");
							String problem = check(header, response.body(), expected, versionsSeen, early, threads);
							if (problem != null) {
								torn.add(problem);
							}
						}
					}
					catch (Exception ex) {
						errors.add(ex.toString());
					}
					if (!counted) {
						counted = true;
						running.countDown();
					}
					if (after != null && !countedAfter) {
						countedAfter = true;
						after.countDown();
					}
				}
				return null;
			}));
		}

		TornReads.Churn churn;
		try {
			assertThat(running.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("every reader is running").isTrue();
			churn = TornReads.churn(this.node, state, counter, expected, OPERATIONS, new Random(5));
			CountDownLatch after = new CountDownLatch(CLIENTS);
			afterLast.set(after);
			assertThat(after.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("every reader saw the last version")
				.isTrue();
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
		System.out.printf("ZyncoTornReadReactiveTests: %d requests, %d publishes, %d rollbacks, %d switch-forwards, "
				+ "%d versions seen, %d reading threads, %d torn reads, %d errors%n", requests.get(), publishes,
				churn.rollbacks(), churn.forwards(), versionsSeen.size(), threads.size(), torn.size(), errors.size());
		for (String[] response : early) {
			String problem = check(response[0], response[1], expected, versionsSeen, null, threads);
			if (problem != null) {
				torn.add(problem);
			}
		}
		assertThat(torn).as("torn reads").isEmpty();
		assertThat(errors).as("errors").isEmpty();
		assertThat(churn.rollbacks()).isGreaterThan(OPERATIONS / 4);
		assertThat(requests.get()).isGreaterThan(OPERATIONS);
		assertThat(versionsSeen.size()).isGreaterThan(1);
		assertThat(threads).anyMatch((name) -> name.startsWith("boundedElastic"))
			.anyMatch((name) -> name.startsWith("parallel"));

		// every instance of a version that left the window is destroyed (on the cleaner thread)
		await().atMost(TIMEOUT).untilAsserted(() -> {
			List<Long> window = state.chain().versions().stream().map((version) -> version.number()).toList();
			assertThat(this.lives.alive.values()).allSatisfy((version) -> assertThat(window).contains(version));
		});
		int destroyed = this.lives.destroyed.get();
		int alive = this.lives.alive.size();
		System.out.printf("ZyncoTornReadReactiveTests: %d instances built, %d destroyed, %d alive (window %d), "
				+ "scope %s%n", this.lives.built.get(), destroyed, alive, WINDOW, this.scope.instanceCounts());
		assertThat(destroyed).isGreaterThanOrEqualTo(publishes - WINDOW);
		assertThat(alive).isLessThanOrEqualTo(WINDOW);
		assertThat(this.lives.built.get()).isEqualTo(destroyed + alive);
		assertThat(this.lives.usedAfterDestroy.get()).isZero();
	}


	/**
	 * A problem with one response, or {@code null}. Body:
	 * {@code a,b,bean version,context version,thread|thread|thread}.
	 */
	private static String check(String header, String body, Map<Long, Long> expected, Map<Long, Boolean> seen,
			Queue<String[]> early, Set<String> threads) {
		String prefix = TORN.name() + "@";
		if (!header.startsWith(prefix)) {
			return "header '" + header + "' for body " + body;
		}
		long headerVersion = Long.parseLong(header.substring(prefix.length()));
		String[] parts = body.split(",");
		long a = Long.parseLong(parts[0]);
		long b = Long.parseLong(parts[1]);
		long beanVersion = Long.parseLong(parts[2]);
		long contextVersion = Long.parseLong(parts[3]);
		String[] readers = parts[4].split("\\|");
		Set<String> distinct = new HashSet<>(List.of(readers));
		threads.addAll(distinct);
		seen.put(headerVersion, Boolean.TRUE);
		if (distinct.size() < 2) {
			return "the reads of " + body + " did not hop threads";
		}
		Long value = expected.get(headerVersion);
		boolean consistent = a == b && beanVersion == headerVersion && contextVersion == headerVersion;
		if (value == null && early != null && consistent) {
			// served before publish() returned (it completes after the switch): check it later
			early.add(new String[] { header, body });
			return null;
		}
		if (!consistent || value == null || value != a) {
			return "header " + header + " (expected " + value + "), body " + body;
		}
		return null;
	}


	/** Two fields copied from one version, with some work between them to widen any race. */
	@ZyncoState("torn")
	public static class ReactiveTornBean {

		private static final AtomicInteger ids = new AtomicInteger();

		private final int id = ids.incrementAndGet();

		private final long a;

		private final long b;

		private final long version;

		private final TornReads.Lives lives;

		private volatile boolean destroyed;

		public ReactiveTornBean(StateView<String, Long> torn, ClusterView view, TornReads.Lives lives) {
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
				this.lives.usedAfterDestroy.incrementAndGet();
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
	static class ReactiveTornController {

		private final ReactiveTornBean bean;

		ReactiveTornController(ReactiveTornBean bean) {
			this.bean = bean;
		}

		/** Three reads through the proxy on three threads, then the view of the Reactor Context. */
		@GetMapping("/torn")
		Mono<String> torn() {
			return Mono.fromCallable(() -> this.bean.a() + "," + Thread.currentThread().getName())
				.subscribeOn(Schedulers.boundedElastic())
				.publishOn(Schedulers.parallel())
				.map((first) -> {
					String[] parts = first.split(",");
					return parts[0] + "," + this.bean.b() + "," + parts[1] + "|" + Thread.currentThread().getName();
				})
				.flatMap((two) -> Mono.fromCallable(() -> {
					int comma = two.indexOf(',', two.indexOf(',') + 1);
					return two.substring(0, comma) + "," + this.bean.version() + "," + two.substring(comma + 1) + "|"
							+ Thread.currentThread().getName();
				}).subscribeOn(Schedulers.boundedElastic()))
				.zipWith(ZyncoReactive.view(), (reads, view) -> {
					// a,b,version,threads -> a,b,version,context version,threads
					int comma = reads.lastIndexOf(',');
					return reads.substring(0, comma) + "," + view.version(TORN.name()).number()
							+ reads.substring(comma);
				});
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ ReactiveTornBean.class, ReactiveTornController.class })
	static class ReactiveTornApplication {

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
