package io.zynco.sample.demo;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local demo cluster ({@code ./demo}): starts three fare services as child processes on
 * this machine (HTTP on 127.0.0.1:8081-8083, Zynco on loopback: multicast on {@code lo} with
 * TTL 0, or unicast with seeds where loopback multicast is off), loads the fare table through
 * the coordinator's admin API, publishes a 1% repricing, rolls the cluster back through the
 * Actuator endpoint, and checks every response of a bounded client load against the version
 * that served it. Prints progress and a summary, then the URLs to try, and keeps the cluster
 * running until Ctrl-C, which stops every node gracefully.
 */
public final class DemoCluster {

	static final String OPERATOR = "operator";

	static final String PASSWORD = "demo-operator-password";

	private final PrintStream out;

	private final Options options;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private final List<Node> nodes = new ArrayList<>();

	private final long started = System.nanoTime();

	DemoCluster(PrintStream out, Options options) {
		this.out = out;
		this.options = options;
	}

	public static void main(String[] args) throws Exception {
		Options options = Options.parse(args);
		DemoCluster demo = new DemoCluster(System.out, options);
		CountDownLatch stopped = new CountDownLatch(1);
		Thread hook = new Thread(() -> {
			demo.stop();
			stopped.countDown();
		}, "demo-shutdown");
		Runtime.getRuntime().addShutdownHook(hook);
		Summary summary;
		try {
			summary = demo.run();
		}
		catch (Exception ex) {
			System.out.println("\nDemo failed: " + ex.getMessage());
			System.out.println("Node logs: " + options.logs.toAbsolutePath());
			System.exit(1);
			return;
		}
		if (summary.errors() > 0) {
			System.exit(1);
		}
		if (options.stay) {
			System.out.println("\nThe cluster keeps running; press Ctrl-C to stop all nodes.");
			stopped.await();
		}
		else {
			System.exit(0);
		}
	}

	record Summary(List<Step> steps, long errors, long requests) {
	}

	record Step(String name, long version, long fullBytes, long sentBytes, double convergeMs, double switchMs,
			long requests, long errors) {
	}

	Summary run() throws Exception {
		Files.createDirectories(this.options.logs);
		this.out.printf(Locale.ROOT, "Zynco demo: 3 fare services on this machine, %,d fares%n", this.options.fares);
		this.out.printf(Locale.ROOT, "  node logs in %s%n%n", this.options.logs.toAbsolutePath());
		startNodes();
		awaitCluster();

		List<Step> steps = new ArrayList<>();
		Node coordinator = coordinator();
		this.out.printf(Locale.ROOT, "  coordinator: %s; data transport: %s%n%n", coordinator.name,
				status(coordinator).path("transport").asString(""));

		// 1. the initial load, on the coordinator (it distributes without a forwarding hop)
		steps.add(publishStep("initial load", coordinator, "/admin/reload?fares=" + this.options.fares, null));
		// 2. a 1% repricing, published on another node, under client load
		try (ClientLoad load = ClientLoad.start(this.http, this.json, this.nodes, this.options.requestsPerSecond)) {
			Step reprice = publishStep("reprice 1%", this.nodes.get(1), "/admin/reprice?share=0.01&seed=7", load);
			steps.add(reprice);
			// 3. a rollback to the initial load, through the Actuator endpoint of the third node
			steps.add(rollbackStep(this.nodes.get(2), steps.get(0).version(), load));
			load.finish();
			printSummary(steps, load);
			printUrls();
			return new Summary(steps, load.errors() + load.inconsistent(), load.requests());
		}
	}

	private void startNodes() throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String jar = this.options.jar;
		String cluster = "zynco-demo-" + ProcessHandle.current().pid();
		int multicastPort = multicastPort();
		String transport = loopbackMulticast() ? "multicast" : "unicast";
		for (int i = 1; i <= 3; i++) {
			int httpPort = this.options.httpBasePort + i - 1;
			int controlPort = this.options.controlBasePort + i - 1;
			requireFree(httpPort, "HTTP");
			requireFree(controlPort, "Zynco control");
			List<String> command = new ArrayList<>(List.of(java, "-Xmx" + this.options.heap, "-XX:+UseG1GC",
					"-jar", jar, "--server.port=" + httpPort, "--server.address=127.0.0.1",
					"--zynco.node-name=node-" + i, "--zynco.cluster-name=" + cluster,
					"--zynco.control.port=" + controlPort,
					"--zynco.membership.seeds=127.0.0.1:" + this.options.controlBasePort,
					"--zynco.multicast.port=" + multicastPort, "--zynco.multicast.network-interface=lo",
					"--zynco.multicast.ttl=0", "--zynco.transfer.mode=" + transport, "--zynco.transfer.packet-size=60000",
					"--zynco.transfer.socket-buffer=16MB", "--zynco.transfer.initial-rate=256MB",
					"--zynco.transfer.max-rate=2GB", "--zynco.membership.failure-timeout=5s",
					"--zynco.switching.prepare-timeout=60s", "--sample.load-on-start=false",
					"--sample.seed=42", "--sample.admin.user=" + OPERATOR, "--sample.admin.password=" + PASSWORD));
			Path log = this.options.logs.resolve("node-" + i + ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			this.nodes.add(new Node("node-" + i, httpPort, controlPort, process, log));
		}
		this.out.printf(Locale.ROOT, "  started node-1..3 (HTTP ports %d-%d, control ports %d-%d)%n",
				this.options.httpBasePort, this.options.httpBasePort + 2, this.options.controlBasePort,
				this.options.controlBasePort + 2);
	}

	private void awaitCluster() throws Exception {
		long start = System.nanoTime();
		awaitProgress("nodes start and form one cluster", Duration.ofMinutes(3), () -> {
			for (Node node : this.nodes) {
				if (!node.process.isAlive()) {
					throw new IllegalStateException(node.name + " exited; see " + node.log);
				}
			}
			return this.nodes.stream().allMatch((node) -> {
				JsonNode zynco = get(node, "/actuator/zynco");
				return zynco != null && zynco.path("node").path("ready").asBoolean(false)
						&& zynco.path("members").size() == 3;
			});
		}, () -> {
			long ready = this.nodes.stream().filter((node) -> {
				JsonNode status = get(node, "/api/status");
				return status != null && status.path("ready").asBoolean(false);
			}).count();
			return ready + " of 3 nodes up and ready";
		});
		this.out.printf(Locale.ROOT, "  cluster formed: 3 members, all ready (%.1f s)%n", seconds(start));
	}

	private Step publishStep(String name, Node on, String path, ClientLoad load) throws Exception {
		Node coordinator = coordinator();
		long sentBefore = counter(coordinator, "zynco.bytes.sent");
		double switchBefore = switchSeconds(coordinator);
		long requestsBefore = (load != null) ? load.requests() : 0;
		long errorsBefore = (load != null) ? load.errors() + load.inconsistent() : 0;
		long start = System.nanoTime();
		CompletableFuture<HttpResponse<String>> call = this.http.sendAsync(
				operatorRequest(on, path).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(10)).build(),
				HttpResponse.BodyHandlers.ofString());
		awaitProgress(name + " (published on " + on.name + ")", Duration.ofMinutes(10), call::isDone,
				() -> versionsLine());
		HttpResponse<String> response = call.join();
		if (response.statusCode() != 200) {
			throw new IllegalStateException(name + " failed: HTTP " + response.statusCode() + " " + response.body());
		}
		JsonNode result = this.json.readTree(response.body());
		JsonNode fares = result.isArray() ? result.get(0) : result;
		long version = fares.path("version").asLong();
		double publishedMs = millis(start);
		awaitProgress("every node serves fares v" + version, Duration.ofMinutes(5),
				() -> this.nodes.stream().allMatch((node) -> servedVersion(node) == version), this::versionsLine);
		double convergeMs = millis(start);
		long sent = counter(coordinator, "zynco.bytes.sent") - sentBefore;
		long full = versionBytes(coordinator, version);
		this.out.printf(Locale.ROOT, "  %s: fares v%d on all nodes in %.0f ms (publish answered after %.0f ms)%n", name,
				version, convergeMs, publishedMs);
		return new Step(name, version, full, sent, convergeMs, (switchSeconds(coordinator) - switchBefore) * 1000, (load != null) ? load.requests() - requestsBefore : 0,
				(load != null) ? load.errors() + load.inconsistent() - errorsBefore : 0);
	}

	private Step rollbackStep(Node on, long version, ClientLoad load) throws Exception {
		long requestsBefore = load.requests();
		long errorsBefore = load.errors() + load.inconsistent();
		Node coordinator = coordinator();
		double switchBefore = switchSeconds(coordinator);
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.send(operatorRequest(on, "/actuator/zynco/fares/rollback")
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"version\":" + version + "}"))
			.timeout(Duration.ofMinutes(2))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("rollback failed: HTTP " + response.statusCode() + " " + response.body());
		}
		awaitProgress("every node serves fares v" + version + " again", Duration.ofMinutes(2),
				() -> this.nodes.stream().allMatch((node) -> servedVersion(node) == version), this::versionsLine);
		double convergeMs = millis(start);
		this.out.printf(Locale.ROOT, "  rollback (through %s's endpoint): fares v%d on all nodes in %.0f ms%n", on.name,
				version, convergeMs);
		return new Step("rollback", version, versionBytes(coordinator, version), 0, convergeMs,
				(switchSeconds(coordinator) - switchBefore) * 1000,
				load.requests() - requestsBefore, load.errors() + load.inconsistent() - errorsBefore);
	}

	private void printSummary(List<Step> steps, ClientLoad load) {
		this.out.printf(Locale.ROOT, "%n  %-13s %7s %11s %22s %10s %11s %10s %7s%n", "step", "version", "full size",
				"bytes sent", "converge", "switch", "requests", "errors");
		for (Step step : steps) {
			String sent = (step.sentBytes() > 0) ? String.format(Locale.ROOT, "%s (%.2f%%)", mib(step.sentBytes()),
					100.0 * step.sentBytes() / Math.max(1, step.fullBytes())) : "0 (pointer move)";
			this.out.printf(Locale.ROOT, "  %-13s %7s %11s %22s %7.0f ms %8.1f ms %10s %7d%n", step.name(),
					"v" + step.version(), mib(step.fullBytes()), sent, step.convergeMs(), step.switchMs(),
					(step.requests() > 0) ? String.format(Locale.ROOT, "%,d", step.requests()) : "-", step.errors());
		}
		this.out.printf(Locale.ROOT, "%n  client load: %,d requests to 3 nodes, %d failed, %d inconsistent with their version%n",
				load.requests(), load.errors(), load.inconsistent());
		this.out.printf(Locale.ROOT, "  (converge: from the publish call until every node serves the version; switch: prepare"
				+ " to commit on the coordinator, zynco.switch.time; bytes sent: by the coordinator, headers included)%n");
	}

	private void printUrls() {
		String n1 = "http://127.0.0.1:" + this.nodes.get(0).httpPort;
		this.out.printf(Locale.ROOT, "%nTry it (any node: ports %d, %d, %d):%n", this.nodes.get(0).httpPort,
				this.nodes.get(1).httpPort, this.nodes.get(2).httpPort);
		this.out.println("  curl -i '" + n1 + "/api/fares?route=LHR-JFK&carrier=BA&limit=5'");
		this.out.println("  curl -s '" + n1 + "/api/quote?route=CDG-SIN&fareClass=Y'");
		this.out.println("  curl -s '" + n1 + "/api/status'");
		this.out.println("  curl -s '" + n1 + "/actuator/zynco'                  # versions, chains, members");
		this.out.println("  curl -s '" + n1 + "/actuator/health/readiness'");
		this.out.println("  curl -s -u " + OPERATOR + ":" + PASSWORD + " -X POST '" + n1
				+ "/admin/reprice?share=0.01&seed=8'   # publish a change");
		this.out.println("  curl -s -u " + OPERATOR + ":" + PASSWORD + " -X POST '" + n1
				+ "/actuator/zynco/fares/rollback' -H 'Content-Type: application/json' -d '{\"version\":1}'");
	}

	// ------------------------------------------------------------------- HTTP helpers

	private HttpRequest.Builder operatorRequest(Node node, String path) {
		String credentials = Base64.getEncoder()
			.encodeToString((OPERATOR + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
		return HttpRequest.newBuilder(node.uri(path)).header("Authorization", "Basic " + credentials);
	}

	JsonNode get(Node node, String path) {
		try {
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.ofString());
			return (response.statusCode() == 200) ? this.json.readTree(response.body()) : null;
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	private JsonNode status(Node node) {
		JsonNode zynco = get(node, "/actuator/zynco");
		return (zynco != null) ? zynco.path("node") : this.json.createObjectNode();
	}

	private Node coordinator() {
		for (Node node : this.nodes) {
			if (status(node).path("coordinator").asBoolean(false)) {
				return node;
			}
		}
		return this.nodes.get(0);
	}

	private long servedVersion(Node node) {
		JsonNode status = get(node, "/api/status");
		return (status != null) ? status.path("versions").path("fares").asLong(-1) : -1;
	}

	private long counter(Node node, String meter) {
		// bytes on the wire where the meter is split by kind (payload, wire)
		double wire = statistic(node, "/actuator/metrics/" + meter + "?tag=kind:wire", "COUNT");
		return (long) (Double.isNaN(wire) ? statistic(node, "/actuator/metrics/" + meter, "COUNT") : wire);
	}

	/** Seconds spent in switches the coordinator ran so far (the {@code zynco.switch.time} counter). */
	private double switchSeconds(Node coordinator) {
		double seconds = statistic(coordinator, "/actuator/metrics/zynco.switch.time", "COUNT");
		return Double.isNaN(seconds) ? 0 : seconds;
	}

	/** One statistic of a meter from the node's metrics endpoint, or NaN when it does not answer. */
	private double statistic(Node node, String path, String statistic) {
		JsonNode metric = get(node, path);
		if (metric != null) {
			for (JsonNode measurement : metric.path("measurements")) {
				if (measurement.path("statistic").asString("").equals(statistic)) {
					return measurement.path("value").asDouble();
				}
			}
		}
		return Double.NaN;
	}

	private long versionBytes(Node node, long version) {
		JsonNode state = get(node, "/actuator/zynco/fares");
		if (state != null) {
			for (JsonNode v : state.path("versions")) {
				if (v.path("version").asLong() == version) {
					return v.path("dataBytes").asLong();
				}
			}
		}
		return 0;
	}

	private String versionsLine() {
		StringBuilder line = new StringBuilder();
		for (Node node : this.nodes) {
			long version = servedVersion(node);
			line.append(node.name).append(" v").append((version < 0) ? "?" : String.valueOf(version)).append("  ");
		}
		return line.toString().trim();
	}

	private void awaitProgress(String what, Duration timeout, BooleanSupplier done,
			java.util.function.Supplier<String> progress) throws InterruptedException {
		long start = System.nanoTime();
		long deadline = start + timeout.toNanos();
		long nextLine = start + TimeUnit.SECONDS.toNanos(2);
		while (!done.getAsBoolean()) {
			long now = System.nanoTime();
			if (now > deadline) {
				throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
			}
			if (now > nextLine) {
				this.out.printf(Locale.ROOT, "    ... %s: %.0f s, %s%n", what, seconds(start), progress.get());
				nextLine = now + TimeUnit.SECONDS.toNanos(2);
			}
			Thread.sleep(50); // polling other processes over HTTP
		}
	}

	void stop() {
		if (this.nodes.isEmpty()) {
			return;
		}
		this.out.println("\nStopping the nodes (graceful shutdown)...");
		for (Node node : this.nodes) {
			node.process.destroy(); // SIGTERM: Spring Boot drains requests, then the node leaves the cluster
		}
		for (Node node : this.nodes) {
			try {
				if (!node.process.waitFor(30, TimeUnit.SECONDS)) {
					node.process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				node.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
		this.out.printf(Locale.ROOT, "Stopped after %.0f s.%n", seconds(this.started));
	}

	private static void requireFree(int port, String what) {
		try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
		}
		catch (IOException ex) {
			throw new IllegalStateException(what + " port " + port + " is in use (another demo still running?); "
					+ "stop it or choose other ports with --http-port and --control-port");
		}
	}

	/**
	 * Whether the loopback interface carries multicast (Linux: the MULTICAST flag, which
	 * {@code ./demo} sets when it can). Deciding here rather than with {@code auto} keeps a
	 * busy machine, where the start-up probe may time out, from falling back to unicast.
	 */
	static boolean loopbackMulticast() {
		try {
			String flags = Files.readString(Path.of("/sys/class/net/lo/flags")).trim();
			return (Integer.decode(flags) & 0x1000) != 0;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	private static int multicastPort() {
		// a multicast port of its own per demo run, so that two demos never share a group
		return 46_000 + (int) (ProcessHandle.current().pid() % 2_000);
	}

	private static double seconds(long start) {
		return (System.nanoTime() - start) / 1e9;
	}

	private static double millis(long start) {
		return (System.nanoTime() - start) / 1e6;
	}

	static String mib(long bytes) {
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
	}

	/** A child process running one fare service. */
	record Node(String name, int httpPort, int controlPort, Process process, Path log) {

		URI uri(String path) {
			return URI.create("http://127.0.0.1:" + this.httpPort + path);
		}

	}

	static final class Options {

		int fares = 1_000_000;

		boolean stay = true;

		int httpBasePort = 8081;

		int controlBasePort = 7601;

		int requestsPerSecond = 300;

		String heap = "1g";

		String jar = System.getProperty("java.class.path").split(File.pathSeparator)[0];

		Path logs = Path.of("target", "demo");

		static Options parse(String[] args) {
			Options options = new Options();
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--fares" -> options.fares = Integer.parseInt(args[++i]);
					case "--exit" -> options.stay = false;
					case "--http-port" -> options.httpBasePort = Integer.parseInt(args[++i]);
					case "--control-port" -> options.controlBasePort = Integer.parseInt(args[++i]);
					case "--rate" -> options.requestsPerSecond = Integer.parseInt(args[++i]);
					case "--heap" -> options.heap = args[++i];
					case "--jar" -> options.jar = args[++i];
					case "--logs" -> options.logs = Path.of(args[++i]);
					default -> {
						System.err.println("usage: ./demo [--fares N] [--exit] [--http-port 8081] [--control-port 7601]"
								+ " [--rate requests/s] [--heap 1g] [--logs dir]");
						System.exit(2);
					}
				}
			}
			return options;
		}

	}

}
