package io.zynco.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.zynco.sample.demo.FareAnswers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP access to fare service nodes for the tests, and a bounded client load whose every
 * answer is checked by the fare service's own {@link FareAnswers}.
 */
public final class FareClient {

	public static final String USER = "operator";

	public static final String PASSWORD = "integration-operator-password";

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

	public static final JsonMapper json = JsonMapper.builder().build();

	private FareClient() {
	}

	public static HttpResponse<String> get(URI base, String path) throws Exception {
		return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/** The JSON body of a 200 answer, or {@code null} (any failure: a node may be down). */
	public static JsonNode getJson(URI base, String path) {
		try {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.ofString());
			return (response.statusCode() == 200) ? json.readTree(response.body()) : null;
		}
		catch (Exception ex) {
			return null;
		}
	}

	public static HttpResponse<String> post(URI base, String path, String jsonBody) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
			.timeout(Duration.ofMinutes(3))
			.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
		if (jsonBody != null) {
			request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
		}
		else {
			request.POST(HttpRequest.BodyPublishers.noBody());
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** {@code GET /api/status} of a node, or {@code null}. */
	/** Asserts a 200 answer to a reload (one entry per state) and returns its first state's version. */
	public static long reloadedVersion(HttpResponse<String> reload) {
		assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
		return json.readTree(reload.body()).get(0).path("version").asLong();
	}

	/** Asserts a 200 answer naming one version (a repricing, a switch) and returns that version. */
	public static long answeredVersion(HttpResponse<String> answer) {
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		return json.readTree(answer.body()).path("version").asLong();
	}

	public static JsonNode status(URI base) {
		return getJson(base, "/api/status");
	}

	/** The fares version a node serves, or -1 when it does not answer. */
	public static long faresVersion(URI base) {
		JsonNode status = status(base);
		return (status != null) ? status.path("versions").path("fares").asLong(-1) : -1;
	}

	public static boolean ready(URI base) {
		JsonNode status = status(base);
		return status != null && status.path("ready").asBoolean(false);
	}

	public static String faresRoot(URI base) {
		JsonNode status = status(base);
		return (status != null) ? status.path("roots").path("fares").asString("") : "";
	}

	/** Starts a bounded checked load (stops after {@code maxDuration} or {@link #close()}). */
	public static Load load(List<URI> nodes, int threads, Duration maxDuration) {
		Load load = new Load(nodes, maxDuration);
		for (int t = 0; t < threads; t++) {
			int id = t;
			Thread thread = new Thread(() -> load.run(id), "fare-client-" + t);
			thread.setDaemon(true);
			load.threads.add(thread);
			thread.start();
		}
		return load;
	}

	public static final class Load implements AutoCloseable {

		private static final String[] QUERIES = { "route=LHR-JFK&carrier=BA", "route=CDG-SIN", "route=FRA-HND&fareClass=Y",
				"route=DXB-SYD", "route=ORD-MUC&carrier=LH", "route=ATL-LIS" };

		private final List<URI> nodes;

		private final long deadline;

		private final AtomicBoolean running = new AtomicBoolean(true);

		public final AtomicLong requests = new AtomicLong();

		public final AtomicLong failed = new AtomicLong();

		public final AtomicLong inconsistent = new AtomicLong();

		private final FareAnswers answers = new FareAnswers(json);

		public final List<String> problems = new ArrayList<>();

		final List<Thread> threads = new ArrayList<>();


		Load(List<URI> nodes, Duration maxDuration) {
			this.nodes = List.copyOf(nodes);
			this.deadline = System.nanoTime() + maxDuration.toNanos();
		}

		void run(int id) {
			SplittableRandom random = new SplittableRandom(id);
			while (this.running.get() && System.nanoTime() < this.deadline) {
				URI node = this.nodes.get(random.nextInt(this.nodes.size()));
				String query = QUERIES[random.nextInt(QUERIES.length)];
				check(node, query);
				try {
					TimeUnit.MILLISECONDS.sleep(5); // paces the client (about 200 requests/s per thread at most)
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}

		private void check(URI node, String query) {
			this.requests.incrementAndGet();
			try {
				FareAnswers.Outcome outcome = this.answers.check(node.toString(), query,
						get(node, "/api/fares?limit=25&" + query));
				if (!outcome.ok()) {
					problem(outcome.failed() ? this.failed : this.inconsistent, outcome.problem());
				}
			}
			catch (Exception ex) {
				problem(this.failed, node + ": " + ex);
			}
		}

		private void problem(AtomicLong counter, String problem) {
			counter.incrementAndGet();
			synchronized (this.problems) {
				if (this.problems.size() < 20) {
					this.problems.add(problem);
				}
			}
		}

		/** The distinct versions labels the answers named. */
		public long versionsSeen() {
			return this.answers.versionsSeen();
		}

		@Override
		public void close() {
			stop();
		}

		/** Stops the client threads and waits for them to finish their last request. */
		public void stop() {
			this.running.set(false);
			try {
				for (Thread thread : this.threads) {
					thread.join(TimeUnit.SECONDS.toMillis(20));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
