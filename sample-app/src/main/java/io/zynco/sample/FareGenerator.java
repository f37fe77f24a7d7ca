package io.zynco.sample;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

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

	public static byte[] utf8(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

}
