package io.zynco.sample.fares;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

import io.zynco.replication.ReplicatedState;
import io.zynco.sample.FareGenerator;
import io.zynco.spring.ZyncoViews;
import io.zynco.state.Snapshot;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

/**
 * Publishes changes to the fares and rules, the way a pricing back office would: a full
 * reload (generated, or from a file), a repricing of a share of the fares, a route added or
 * withdrawn, rules amended. Each method returns once the cluster switched to the new version
 * (or, under the manual switch policy, once every member holds it).
 *
 * <p>A publish made on any member travels to the coordinator, which assigns its version and
 * distributes it (a delta larger than one control frame goes in 1 MiB pieces). Repricing 1% of
 * a million fares is about 0.7 MB.
 */
@Service
public class FareChanges {

	private static final Logger logger = LoggerFactory.getLogger(FareChanges.class);

	private final ZyncoViews views;

	private final ReplicatedState<String, Fare> fares;

	private final ReplicatedState<String, Rule> rules;

	private final SampleProperties properties;

	public FareChanges(ZyncoViews views, SampleProperties properties) {
		this.views = views;
		this.fares = views.state(FareStates.FARES);
		this.rules = views.state(FareStates.RULES);
		this.properties = properties;
	}

	/**
	 * Replaces both states with a generated table of {@code count} fares ({@code seed} as
	 * {@code sample.seed} does). Progress (fares generated) goes to {@code progress}.
	 */
	public List<Change> reload(int count, long seed, LongConsumer progress) {
		if (count < 0) {
			throw new IllegalArgumentException("count must not be negative: " + count);
		}
		long start = System.nanoTime();
		FareGenerator generator = new FareGenerator(seed);
		StateType<String, Fare>.TypedBuilder builder = FareStates.FARES.builder();
		for (int i = 0; i < count; i++) {
			builder.put(generator.key(i), generator.fare(i, 0));
			if ((i + 1) % 50_000 == 0) {
				progress.accept(i + 1);
			}
		}
		progress.accept(count);
		Snapshot fareTable = builder.build();
		StateType<String, Rule>.TypedBuilder ruleBuilder = FareStates.RULES.builder();
		for (int i = 0; i < FareGenerator.RULE_SETS; i++) {
			ruleBuilder.put("R" + i, generator.rule(i, 0));
		}
		Change ruleChange = publish(this.rules, "reload", FareGenerator.RULE_SETS, start,
				this.rules.publishReload(ruleBuilder.build()));
		Change fareChange = publish(this.fares, "reload", count, start, this.fares.publishReload(fareTable));
		return List.of(fareChange, ruleChange);
	}

	/** Replaces the fares with the content of a file written by {@link #export}. */
	public Change reloadFromFile(Path file) throws IOException {
		long start = System.nanoTime();
		StateType<String, Fare>.TypedBuilder builder = FareStates.FARES.builder();
		long count = 0;
		try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			String line;
			int number = 0;
			while ((line = reader.readLine()) != null) {
				number++;
				if (line.isBlank() || line.startsWith("#")) {
					continue;
				}
				String[] fields = line.split(",", -1);
				if (fields.length != 6) {
					throw new IllegalArgumentException(file + " line " + number
							+ ": expected 6 fields (key,amountCents,currency,ruleSet,revision,basis), found "
							+ fields.length);
				}
				String key = fields[0];
				String[] parts = key.split("/", -1);
				if (parts.length != 4) {
					throw new IllegalArgumentException(file + " line " + number + ": bad fare key '" + key
							+ "' (expected ROUTE/CARRIER/CLASS/TARIFF)");
				}
				FareKeys.checkRoute(parts[0]);
				try {
					builder.put(key, new Fare(parts[1], parts[2], Long.parseLong(fields[1]), fields[2], fields[3],
							Integer.parseInt(fields[4]), fields[5]));
				}
				catch (IllegalArgumentException ex) {
					throw new IllegalArgumentException(file + " line " + number + ": " + ex.getMessage(), ex);
				}
				count++;
			}
		}
		return publish(this.fares, "reload from " + file.getFileName(), count, start,
				this.fares.publishReload(builder.build()));
	}

	/** Writes the fares this node serves now to a file that {@link #reloadFromFile} reads. */
	public long export(Path file) throws IOException {
		StateView<String, Fare> view = this.views.active().view(FareStates.FARES);
		long[] count = new long[1];
		try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			writer.write("# key,amountCents,currency,ruleSet,revision,basis (fares version "
					+ this.views.active().version("fares").number() + ")\n");
			IOException[] failure = new IOException[1];
			view.forEach((key, fare) -> {
				if (failure[0] != null) {
					return;
				}
				try {
					writer.write(key + "," + fare.amountCents() + "," + fare.currency() + "," + fare.ruleSet() + ","
							+ fare.revision() + "," + fare.basis() + "\n");
					count[0]++;
				}
				catch (IOException ex) {
					failure[0] = ex;
				}
			});
			if (failure[0] != null) {
				throw failure[0];
			}
		}
		return count[0];
	}

	/**
	 * Reprices a share of the fares (each fare is picked with probability {@code share}, from
	 * {@code seed}): each picked fare gets a new price and one more revision.
	 */
	public Change reprice(double share, long seed) {
		if (!(share > 0 && share <= 1)) {
			throw new IllegalArgumentException("share must be in (0, 1], for example 0.01 for 1%: " + share);
		}
		long start = System.nanoTime();
		FareGenerator generator = new FareGenerator(this.properties.getSeed());
		List<String> keys = new ArrayList<>();
		List<Fare> repriced = new ArrayList<>();
		SplittableRandom random = new SplittableRandom(seed);
		// draw first, decode only the fares drawn: a 1% repricing decodes 1% of the table
		this.fares.view().snapshot().forEach((buffer, keyOffset, keyLength, valueOffset, valueLength) -> {
			if (random.nextDouble() < share) {
				String key = new String(buffer, keyOffset, keyLength, StandardCharsets.UTF_8);
				Fare fare = FareCodecs.fares().decode(buffer, valueOffset, valueLength);
				keys.add(key);
				repriced.add(fare.repriced(generator.price(key.hashCode() ^ seed, fare.revision() + 1)));
			}
		});
		return publish(this.fares, "reprice " + (share * 100) + "%", keys.size(), start,
				this.fares.publish((edit) -> {
					for (int i = 0; i < keys.size(); i++) {
						edit.put(keys.get(i), repriced.get(i));
					}
				}));
	}

	/** Files fares for a new route: every fare class of {@code carriers} carriers. */
	public Change addRoute(String route, int carriers) {
		FareKeys.checkRoute(route);
		if (carriers < 1 || carriers > FareGenerator.carriers().length) {
			throw new IllegalArgumentException(
					"carriers must be between 1 and " + FareGenerator.carriers().length + ": " + carriers);
		}
		if (!keysOnRoute(route).isEmpty()) {
			throw new IllegalStateException("route " + route + " already has fares; withdraw it first");
		}
		long start = System.nanoTime();
		FareGenerator generator = new FareGenerator(this.properties.getSeed());
		String[] allCarriers = FareGenerator.carriers();
		List<String> keys = new ArrayList<>();
		for (int c = 0; c < carriers; c++) {
			for (String fareClass : FareGenerator.fareClasses()) {
				keys.add(FareKeys.key(route, allCarriers[c], fareClass, 90_000_000L + c));
			}
		}
		return publish(this.fares, "add route " + route, keys.size(), start, this.fares.publish((edit) -> {
			for (String key : keys) {
				edit.put(key, generator.fare(key, key.hashCode(), 0));
			}
		}));
	}

	/** Withdraws every fare on a route. */
	public Change withdrawRoute(String route) {
		FareKeys.checkRoute(route);
		long start = System.nanoTime();
		List<String> keys = keysOnRoute(route);
		if (keys.isEmpty()) {
			throw new NotFound("route " + route + " has no fares");
		}
		return publish(this.fares, "withdraw route " + route, keys.size(), start,
				this.fares.publish((edit) -> keys.forEach(edit::remove)));
	}

	/** Amends a share of the rule sets (each one more revision, new conditions). */
	public Change amendRules(double share, long seed) {
		if (!(share > 0 && share <= 1)) {
			throw new IllegalArgumentException("share must be in (0, 1], for example 0.05 for 5%: " + share);
		}
		long start = System.nanoTime();
		FareGenerator generator = new FareGenerator(this.properties.getSeed() ^ seed);
		List<Rule> amended = new ArrayList<>();
		SplittableRandom random = new SplittableRandom(seed);
		this.rules.view().forEach((id, rule) -> {
			if (random.nextDouble() < share) {
				Rule fresh = generator.rule(Integer.parseInt(id.substring(1)), rule.revision() + 1);
				amended.add(new Rule(id, fresh.advancePurchaseDays(), fresh.minStayDays(), fresh.maxStayDays(),
						fresh.refundable(), fresh.changeable(), fresh.baggagePieces(), rule.revision() + 1));
			}
		});
		return publish(this.rules, "amend rules", amended.size(), start, this.rules.publish((edit) -> {
			for (Rule rule : amended) {
				edit.put(rule.id(), rule);
			}
		}));
	}

	/** The keys of the fares on a route in the version this node serves (keys only, no value decoded). */
	private List<String> keysOnRoute(String route) {
		List<String> keys = new ArrayList<>();
		this.fares.view().snapshot().forEach((buffer, keyOffset, keyLength, valueOffset, valueLength) -> {
			String key = new String(buffer, keyOffset, keyLength, StandardCharsets.UTF_8);
			if (FareKeys.route(key).equals(route)) {
				keys.add(key);
			}
		});
		return keys;
	}

	private Change publish(ReplicatedState<?, ?> state, String what, long changes, long start,
			CompletableFuture<Long> publish) {
		try {
			long version = publish.get();
			Change change = new Change(state.name(), what, version, changes, (System.nanoTime() - start) / 1_000_000);
			logger.info("Published {}", change);
			return change;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CompletionException(ex);
		}
		catch (ExecutionException ex) {
			throw new CompletionException(ex.getCause());
		}
	}

	/** One published change. */
	public record Change(String state, String change, long version, long entries, long millis) {
	}

	/** Something the change needs does not exist. */
	public static class NotFound extends RuntimeException {

		private static final long serialVersionUID = 1L;

		public NotFound(String message) {
			super(message);
		}

	}

}
