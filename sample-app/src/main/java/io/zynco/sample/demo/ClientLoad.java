package io.zynco.sample.demo;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.json.JsonMapper;


/**
 * A bounded client load on the fare API, spread over the nodes, that checks every response
 * with {@link FareAnswers}. Stops by itself after
 * {@link #MAX_DURATION} or {@link #MAX_REQUESTS}, whichever comes first.
 */
public final class ClientLoad implements AutoCloseable {

	static final Duration MAX_DURATION = Duration.ofMinutes(10);

	static final long MAX_REQUESTS = 1_000_000;

	private static final String[] QUERIES = { "route=LHR-JFK&carrier=BA", "route=CDG-SIN&carrier=AF",
			"route=FRA-HND&carrier=LH", "route=AMS-LAX&fareClass=Y", "route=DXB-SYD&carrier=EK", "route=ORD-MUC",
			"route=ATL-LIS&carrier=DL", "route=ZRH-ICN&fareClass=J" };

	private final HttpClient http;

	private final FareAnswers answers;

	private final List<DemoCluster.Node> nodes;

	private final int requestsPerSecond;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final AtomicLong requests = new AtomicLong();

	private final AtomicLong errors = new AtomicLong();

	private final AtomicLong inconsistent = new AtomicLong();


	private final List<Thread> threads = new ArrayList<>();

	private final List<String> problems = new ArrayList<>();

	private ClientLoad(HttpClient http, JsonMapper json, List<DemoCluster.Node> nodes, int requestsPerSecond) {
		this.http = http;
		this.answers = new FareAnswers(json);
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
			FareAnswers.Outcome outcome = this.answers.check(node.name(), query, response);
			if (!outcome.ok()) {
				fail(outcome.failed() ? this.errors : this.inconsistent, outcome.problem());
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

	@Override
	public void close() {
		finish();
	}

}
