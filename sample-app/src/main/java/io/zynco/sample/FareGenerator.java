package io.zynco.sample;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import io.zynco.sample.fares.Fare;
import io.zynco.sample.fares.Rule;

/**
 * Deterministic airline fares: the same seed and index give the same fare on every machine,
 * so that every node of a demo cluster can load identical content. Thread-safe (stateless).
 */
public final class FareGenerator {

	private static final String[] AIRPORTS = { "LHR", "JFK", "CDG", "FRA", "AMS", "MAD", "FCO", "DXB", "SIN", "HND",
			"LAX", "SFO", "ORD", "ATL", "YYZ", "GRU", "SYD", "ICN", "IST", "ZRH", "VIE", "CPH", "OSL", "ARN", "HEL",
			"DUB", "LIS", "BCN", "MUC", "BRU" };

	private static final String[] CARRIERS = { "BA", "AF", "LH", "KL", "IB", "AZ", "EK", "SQ", "NH", "AA", "UA", "DL",
			"AC", "LA", "QF", "KE", "TK", "LX", "OS", "SK" };

	private static final String[] CLASSES = { "F", "J", "W", "Y", "B", "M", "H", "K", "Q", "V", "L", "S", "N", "O",
			"G", "T" };

	private final long seed;

	public FareGenerator(long seed) {
		this.seed = seed;
	}

	/** The key of fare number {@code index}: route, carrier, fare class and a tariff number. */
	public String key(long index) {
		SplittableRandom random = new SplittableRandom(this.seed ^ (index * 0x9E3779B97F4A7C15L));
		String origin = AIRPORTS[random.nextInt(AIRPORTS.length)];
		String destination;
		do {
			destination = AIRPORTS[random.nextInt(AIRPORTS.length)];
		}
		while (destination.equals(origin));
		return origin + "-" + destination + "/" + CARRIERS[random.nextInt(CARRIERS.length)] + "/"
				+ CLASSES[random.nextInt(CLASSES.length)] + "/" + index;
	}

	/** The fare's value at a given price revision (about 200 bytes of text). */
	public String value(long index, int revision) {
		SplittableRandom random = new SplittableRandom(this.seed + index * 31 + revision * 0x632BE59BD9B4E019L);
		long cents = 4_900 + random.nextLong(250_000);
		return "amount=" + cents + ";currency=EUR;revision=" + revision + ";advance-purchase=" + random.nextInt(60)
				+ "d;min-stay=" + random.nextInt(7) + "d;max-stay=" + (30 + random.nextInt(300))
				+ "d;refundable=" + random.nextBoolean() + ";changeable=" + random.nextBoolean() + ";baggage="
				+ random.nextInt(3) + "pc;seasonality=" + Long.toHexString(random.nextLong()) + ";rule-set=R"
				+ random.nextInt(10_000) + ";fare-basis=" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36)
				+ ";channel=ALL;footnote=" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
	}

	/** The number of rule sets fares refer to ({@code R0} to {@code R9999}). */
	public static final int RULE_SETS = 10_000;

	/** The carriers fares are generated for. */
	public static String[] carriers() {
		return CARRIERS.clone();
	}

	/** The fare classes fares are generated for. */
	public static String[] fareClasses() {
		return CLASSES.clone();
	}

	/**
	 * Fare number {@code index} as a typed fare (its key is {@link #key(long)}), priced at
	 * {@code revision}.
	 */
	public Fare fare(long index, int revision) {
		return fare(key(index), index, revision);
	}

	/** A fare for a given key, priced deterministically from {@code salt} and {@code revision}. */
	public Fare fare(String key, long salt, int revision) {
		int first = key.indexOf('/');
		int second = key.indexOf('/', first + 1);
		int third = key.indexOf('/', second + 1);
		SplittableRandom shape = new SplittableRandom(this.seed * 0x2545F4914F6CDD1DL + salt);
		String ruleSet = "R" + shape.nextInt(RULE_SETS);
		String basis = key.substring(second + 1, third) + Long.toString(shape.nextLong() & 0xFFFFFFFL, 36).toUpperCase();
		return new Fare(key.substring(first + 1, second), key.substring(second + 1, third), price(salt, revision), "EUR",
				ruleSet, revision, basis);
	}

	/** The price in cents of fare {@code salt} at {@code revision}. */
	public long price(long salt, int revision) {
		SplittableRandom random = new SplittableRandom(this.seed + salt * 31 + revision * 0x632BE59BD9B4E019L);
		return 4_900 + random.nextLong(250_000);
	}

	/** Rule set number {@code id} at {@code revision}. */
	public Rule rule(int id, int revision) {
		SplittableRandom random = new SplittableRandom(this.seed ^ (id * 0xBF58476D1CE4E5B9L) + revision * 0x94D049BBL);
		int minStay = random.nextInt(7);
		return new Rule("R" + id, random.nextInt(60), minStay, minStay + 3 + random.nextInt(330), random.nextBoolean(),
				random.nextBoolean(), random.nextInt(3), revision);
	}

	public static byte[] utf8(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

}
