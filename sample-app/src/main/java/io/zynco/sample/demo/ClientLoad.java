package io.zynco.sample.demo;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
 * A bounded client load on the fare API, spread over the nodes, that checks every response:
 * the status is 200, the {@code Zynco-Versions} header names the versions in the body, the
 * checksum matches the fares in the body, and any two responses to the same query that name
 * the same versions carry the same content (on any node, at any time). Stops by itself after
 * {@link #MAX_DURATION} or {@link #MAX_REQUESTS}, whichever comes first.
 */
public final class ClientLoad implements AutoCloseable {

	static final Duration MAX_DURATION = Duration.ofMinutes(10);

	static final long MAX_REQUESTS = 1_000_000;

	private static final String[] QUERIES = { "route=LHR-JFK&carrier=BA", "route=CDG-SIN&carrier=AF",
			"route=FRA-HND&carrier=LH", "route=AMS-LAX&fareClass=Y", "route=DXB-SYD&carrier=EK", "route=ORD-MUC",
			"route=ATL-LIS&carrier=DL", "route=ZRH-ICN&fareClass=J" };

	private final HttpClient http;

	private final JsonMapper json;

	private final List<DemoCluster.Node> nodes;

	private final int requestsPerSecond;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final AtomicLong requests = new AtomicLong();

	private final AtomicLong errors = new AtomicLong();

	private final AtomicLong inconsistent = new AtomicLong();

	private final Map<String, String> checksums = new ConcurrentHashMap<>();

	private final List<Thread> threads = new ArrayList<>();

	private final List<String> problems = new ArrayList<>();

	private ClientLoad(HttpClient http, JsonMapper json, List<DemoCluster.Node> nodes, int requestsPerSecond) {
		this.http = http;
		this.json = json;
		this.nodes = nodes;
		this.requestsPerSecond = requestsPerSecond;
	}

	/** Starts the load: two client threads sharing {@code requestsPerSecond}. */
	static ClientLoad start(HttpClient http, JsonMapper json, List<DemoCluster.Node> nodes, int requestsPerSecond) {
		ClientLoad load = new ClientLoad(http, json, nodes, requestsPerSecond);
		for (int t = 0; t < 2; t++) {
			int id = t;
			Thread thread = new Thread(() -> load.loop(id, 2), "demo-client-" + t);
			thread.setDaemon(true);
			load.threads.add(thread);
			thread.start();
		}
		return load;
	}

	private void loop(int id, int threads) {
		SplittableRandom random = new SplittableRandom(id);
		long intervalNanos = TimeUnit.SECONDS.toNanos(1) * threads / Math.max(1, this.requestsPerSecond);
		long start = System.nanoTime();
		long next = start;
		while (this.running.get() && System.nanoTime() - start < MAX_DURATION.toNanos()
				&& this.requests.get() < MAX_REQUESTS) {
			DemoCluster.Node node = this.nodes.get(random.nextInt(this.nodes.size()));
			String query = QUERIES[random.nextInt(QUERIES.length)];
			check(node, query);
			next += intervalNanos;
			long wait = next - System.nanoTime();
			if (wait > 0) {
				try {
					TimeUnit.NANOSECONDS.sleep(wait); // pacing the client's own request rate
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}
	}

	private void check(DemoCluster.Node node, String query) {
		this.requests.incrementAndGet();
		try {
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(node.uri("/api/fares?limit=20&" + query)).timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				fail(this.errors, node.name() + " answered " + response.statusCode() + " to " + query);
				return;
			}
			JsonNode body = this.json.readTree(response.body());
			String versions = "fares@" + body.path("versions").path("fares").asLong() + ",rules@"
					+ body.path("versions").path("rules").asLong();
			String header = response.headers().firstValue("Zynco-Versions").orElse("");
			List<FareBook.FareLine> fares = new ArrayList<>();
			for (JsonNode fare : body.path("fares")) {
				fares.add(new FareBook.FareLine(fare.path("key").asString(), fare.path("carrier").asString(),
						fare.path("fareClass").asString(), fare.path("amountCents").asLong(),
						fare.path("currency").asString(), fare.path("ruleSet").asString(), fare.path("revision").asInt(),
						fare.path("basis").asString()));
			}
			String checksum = body.path("checksum").asString();
			if (!header.equals(versions)) {
				fail(this.inconsistent, node.name() + ": header " + header + " but body " + versions);
			}
			else if (!FareChecksum.of(fares, List.<Rule>of()).equals(checksum)) {
				fail(this.inconsistent, node.name() + ": checksum does not match the content, " + query);
			}
			else {
				String previous = this.checksums.putIfAbsent(query + " @ " + versions, checksum);
				if (previous != null && !previous.equals(checksum)) {
					fail(this.inconsistent, node.name() + ": two different answers for " + query + " at " + versions);
				}
			}
		}
		catch (Exception ex) {
			fail(this.errors, node.name() + ": " + ex);
		}
	}

	private void fail(AtomicLong counter, String problem) {
		counter.incrementAndGet();
		synchronized (this.problems) {
			if (this.problems.size() < 20) {
				this.problems.add(problem);
				System.out.println("  client: " + problem);
			}
		}
	}

	/** Stops the client threads and waits for them. */
	void finish() {
		this.running.set(false);
		try {
			for (Thread thread : this.threads) {
				thread.join(TimeUnit.SECONDS.toMillis(15));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	long requests() {
		return this.requests.get();
	}

	long errors() {
		return this.errors.get();
	}

	long inconsistent() {
		return this.inconsistent.get();
	}

	/** The distinct (query, versions) pairs seen. */
	int answersSeen() {
		return this.checksums.size();
	}

	@Override
	public void close() {
		finish();
	}

}
