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
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.zynco.sample.fares.FareBook;
import io.zynco.sample.fares.FareChecksum;
import io.zynco.sample.fares.Rule;

/**
 * HTTP access to fare service nodes for the tests, and a bounded checked client load: every
 * response must be 200, name in its header the versions its body names, carry a checksum
 * that matches its content, and agree with every other response to the same query naming
 * the same versions (on any node, at any time).
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

		public final Map<String, String> answers = new ConcurrentHashMap<>();

		public final List<String> problems = new ArrayList<>();

		final List<Thread> threads = new ArrayList<>();

		private volatile List<URI> targets;

		Load(List<URI> nodes, Duration maxDuration) {
			this.nodes = List.copyOf(nodes);
			this.targets = this.nodes;
			this.deadline = System.nanoTime() + maxDuration.toNanos();
		}

		/** Sends the load only to these nodes from now on (a node being killed is left out). */
		public void target(List<URI> nodes) {
			this.targets = List.copyOf(nodes);
		}

		void run(int id) {
			SplittableRandom random = new SplittableRandom(id);
			while (this.running.get() && System.nanoTime() < this.deadline) {
				List<URI> targets = this.targets;
				URI node = targets.get(random.nextInt(targets.size()));
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
				HttpResponse<String> response = get(node, "/api/fares?limit=25&" + query);
				if (response.statusCode() != 200) {
					problem(this.failed, node + " answered " + response.statusCode() + " to " + query + ": "
							+ response.body());
					return;
				}
				JsonNode body = json.readTree(response.body());
				String versions = "fares@" + body.path("versions").path("fares").asLong() + ",rules@"
						+ body.path("versions").path("rules").asLong();
				String header = response.headers().firstValue("Zynco-Versions").orElse("");
				List<FareBook.FareLine> fares = new ArrayList<>();
				body.path("fares").forEach((fare) -> fares.add(json.treeToValue(fare, FareBook.FareLine.class)));
				String checksum = body.path("checksum").asString();
				if (!header.equals(versions)) {
					problem(this.inconsistent, node + ": header " + header + ", body " + versions);
				}
				else if (!FareChecksum.of(fares, List.<Rule>of()).equals(checksum)) {
					problem(this.inconsistent, node + ": the checksum does not match the content of " + query);
				}
				else {
					String previous = this.answers.putIfAbsent(query + " @ " + versions, checksum);
					if (previous != null && !previous.equals(checksum)) {
						problem(this.inconsistent, node + ": two different answers to " + query + " at " + versions);
					}
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

		/** The distinct versions label seen in answers. */
		public long versionsSeen() {
			return this.answers.keySet().stream().map((key) -> key.substring(key.indexOf(" @ "))).distinct().count();
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
