package io.zynco.sample.fares;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API (role {@code ZYNCO_OPERATOR}, see {@link SecurityConfiguration}): publishes
 * changes to the whole cluster and answers once every member switched to them.
 *
 * <pre>
 * POST   /admin/reload?fares=1000000&amp;seed=42     generate and load both states
 * POST   /admin/reload-file?path=/data/fares.csv    load the fares from a file on this node
 * POST   /admin/export?path=/data/fares.csv         write the fares served now to a file
 * POST   /admin/reprice?share=0.01&amp;seed=7        reprice 1% of the fares
 * POST   /admin/routes?route=LHR-AKL&amp;carriers=3  file fares for a new route
 * DELETE /admin/routes/LHR-AKL                      withdraw a route
 * POST   /admin/rules/amend?share=0.05&amp;seed=3    amend 5% of the rule sets
 * </pre>
 *
 * <p>{@code reload-file} and {@code export} read and write files on the node itself, with the
 * service's own permissions: the operator role is trusted with the node's file system.
 */
@RestController
@RequestMapping("/admin")
public class AdminController {

	private final FareChanges changes;

	private final SampleProperties properties;

	public AdminController(FareChanges changes, SampleProperties properties) {
		this.changes = changes;
		this.properties = properties;
	}

	@PostMapping("/reload")
	public List<FareChanges.Change> reload(@RequestParam(required = false) Integer fares,
			@RequestParam(required = false) Long seed) {
		return this.changes.reload((fares != null) ? fares : this.properties.getFares(),
				(seed != null) ? seed : this.properties.getSeed(), (done) -> {
				});
	}

	@PostMapping("/reload-file")
	public FareChanges.Change reloadFile(@RequestParam String path) throws IOException {
		return this.changes.reloadFromFile(Path.of(path));
	}

	@PostMapping("/export")
	public Map<String, Object> export(@RequestParam String path) throws IOException {
		return Map.of("path", path, "fares", this.changes.export(Path.of(path)));
	}

	@PostMapping("/reprice")
	public FareChanges.Change reprice(@RequestParam(defaultValue = "0.01") double share,
			@RequestParam(defaultValue = "1") long seed) {
		return this.changes.reprice(share, seed);
	}

	@PostMapping("/routes")
	public FareChanges.Change addRoute(@RequestParam String route, @RequestParam(defaultValue = "3") int carriers) {
		return this.changes.addRoute(route, carriers);
	}

	@DeleteMapping("/routes/{route}")
	public FareChanges.Change withdrawRoute(@PathVariable String route) {
		return this.changes.withdrawRoute(route);
	}

	@PostMapping("/rules/amend")
	public FareChanges.Change amendRules(@RequestParam(defaultValue = "0.05") double share,
			@RequestParam(defaultValue = "1") long seed) {
		return this.changes.amendRules(share, seed);
	}

}
