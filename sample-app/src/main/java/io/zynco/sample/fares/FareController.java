package io.zynco.sample.fares;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.ZyncoViews;

/**
 * The public, read-only fare API. Every response names the versions of {@code fares} and
 * {@code rules} that served it (also in the {@code Zynco-Versions} header) and carries a
 * {@link FareChecksum checksum} of its content. Each request reads one version of each
 * state from start to end: the routing filter pins it on arrival and {@link FareBook} is the
 * instance built for that version.
 */
@RestController
@RequestMapping("/api")
public class FareController {

	private static final int MAX_LIMIT = 1_000;

	private final FareBook book;

	private final ZyncoViews views;

	private final ZyncoNode node;

	public FareController(FareBook book, ZyncoViews views, ZyncoNode node) {
		this.book = book;
		this.views = views;
		this.node = node;
	}

	/** {@code GET /api/fares?route=LHR-JFK[&carrier=BA][&fareClass=Y][&limit=50]} */
	@GetMapping("/fares")
	public SearchResponse search(@RequestParam String route, @RequestParam(required = false) String carrier,
			@RequestParam(required = false) String fareClass, @RequestParam(defaultValue = "50") int limit) {
		FareKeys.checkRoute(route);
		if (limit < 0 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 0 and " + MAX_LIMIT + ": " + limit);
		}
		FareBook.Search search = this.book.search(route, carrier, fareClass, limit);
		return new SearchResponse(versions(), search.route(), search.matching(), search.fares(),
				FareChecksum.of(search.fares(), List.of()));
	}

	/** {@code GET /api/fare?key=LHR-JFK/BA/Y/123}: one fare and its rule. */
	@GetMapping("/fare")
	public FareResponse fare(@RequestParam String key) {
		FareBook.FareLine fare = this.book.fare(key);
		if (fare == null) {
			throw new FareChanges.NotFound("no fare " + key + " in fares version " + versions().get("fares"));
		}
		Rule rule = this.book.rule(fare.ruleSet());
		return new FareResponse(versions(), fare, rule, FareChecksum.of(List.of(fare), (rule != null) ? List.of(rule) : List.of()));
	}

	/** {@code GET /api/quote?route=LHR-JFK&fareClass=Y}: the cheapest fare in a class, with its rule. */
	@GetMapping("/quote")
	public FareResponse quote(@RequestParam String route, @RequestParam String fareClass) {
		FareKeys.checkRoute(route);
		FareBook.Quote quote = this.book.quote(route, fareClass);
		if (quote == null) {
			throw new FareChanges.NotFound("no fare in class " + fareClass + " on " + route);
		}
		return new FareResponse(versions(), quote.fare(), quote.rule(),
				FareChecksum.of(List.of(quote.fare()), (quote.rule() != null) ? List.of(quote.rule()) : List.of()));
	}

	/** {@code GET /api/routes}: the routes and their number of fares. */
	@GetMapping("/routes")
	public RoutesResponse routes() {
		return new RoutesResponse(versions(), this.book.fareCount(), this.book.ruleCount(), this.book.routeCounts());
	}

	/** {@code GET /api/status}: this node, whether it is ready, and the versions and roots it serves. */
	@GetMapping("/status")
	public StatusResponse status() {
		ClusterView view = this.views.current();
		Map<String, String> roots = new LinkedHashMap<>();
		view.versions().forEach((state, version) -> roots.put(state, Long.toHexString(version.rootFingerprint())));
		return new StatusResponse(this.node.config().name(), this.node.isReady(), versions(), roots,
				this.book.fareCount(), this.book.ruleCount());
	}

	private Map<String, Long> versions() {
		Map<String, Long> versions = new LinkedHashMap<>();
		this.views.current().versions().forEach((state, version) -> versions.put(state, version.number()));
		return versions;
	}

	public record SearchResponse(Map<String, Long> versions, String route, int matching, List<FareBook.FareLine> fares,
			String checksum) {
	}

	public record FareResponse(Map<String, Long> versions, FareBook.FareLine fare, Rule rule, String checksum) {
	}

	public record RoutesResponse(Map<String, Long> versions, long fares, long rules, Map<String, Integer> routes) {
	}

	public record StatusResponse(String node, boolean ready, Map<String, Long> versions, Map<String, String> roots,
			long fares, long rules) {
	}

}
