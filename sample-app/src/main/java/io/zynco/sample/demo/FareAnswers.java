package io.zynco.sample.demo;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.zynco.sample.fares.FareBook;
import io.zynco.sample.fares.FareChecksum;
import io.zynco.sample.fares.Rule;

/**
 * Checks answers of {@code GET /api/fares} the way a client can: the status is 200, the
 * {@code Zynco-Versions} header names the versions in the body, the checksum matches the
 * fares in the body, and any two answers to the same query that name the same versions carry
 * the same content (on any node, at any time). Shared by the demo's client load and the
 * integration tests' load. Thread-safe.
 */
public final class FareAnswers {

	private final JsonMapper json;

	private final Map<String, String> checksums = new ConcurrentHashMap<>();

	public FareAnswers(JsonMapper json) {
		this.json = json;
	}

	/**
	 * Checks one answer from {@code node} to {@code query}.
	 * @return {@link Outcome#OK}, or the problem: a failed request, or an answer inconsistent
	 * with its version
	 */
	public Outcome check(String node, String query, HttpResponse<String> response) {
		if (response.statusCode() != 200) {
			return Outcome.failed(node + " answered " + response.statusCode() + " to " + query + ": " + response.body());
		}
		JsonNode body = this.json.readTree(response.body());
		String versions = "fares@" + body.path("versions").path("fares").asLong() + ",rules@"
				+ body.path("versions").path("rules").asLong();
		String header = response.headers().firstValue("Zynco-Versions").orElse("");
		if (!header.equals(versions)) {
			return Outcome.inconsistent(node + ": header " + header + " but body " + versions);
		}
		List<FareBook.FareLine> fares = new ArrayList<>();
		body.path("fares").forEach((fare) -> fares.add(this.json.treeToValue(fare, FareBook.FareLine.class)));
		String checksum = body.path("checksum").asString();
		if (!FareChecksum.of(fares, List.<Rule>of()).equals(checksum)) {
			return Outcome.inconsistent(node + ": the checksum does not match the content of " + query);
		}
		String previous = this.checksums.putIfAbsent(query + " @ " + versions, checksum);
		if (previous != null && !previous.equals(checksum)) {
			return Outcome.inconsistent(node + ": two different answers to " + query + " at " + versions);
		}
		return Outcome.OK;
	}

	/** How many distinct versions labels the answers named. */
	public long versionsSeen() {
		return this.checksums.keySet().stream().map((key) -> key.substring(key.indexOf(" @ "))).distinct().count();
	}

	/**
	 * The verdict on one answer.
	 * @param failed whether the request failed (as opposed to an answer inconsistent with its version)
	 * @param problem what is wrong, {@code null} when nothing is
	 */
	public record Outcome(boolean failed, String problem) {

		public static final Outcome OK = new Outcome(false, null);

		static Outcome failed(String problem) {
			return new Outcome(true, problem);
		}

		static Outcome inconsistent(String problem) {
			return new Outcome(false, problem);
		}

		public boolean ok() {
			return this.problem == null;
		}

	}

}
