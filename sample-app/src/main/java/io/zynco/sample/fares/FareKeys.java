package io.zynco.sample.fares;

/**
 * Fare keys: {@code ORIGIN-DESTINATION/CARRIER/CLASS/TARIFF}, for example
 * {@code LHR-JFK/BA/Y/12345}. The route is the part before the first slash.
 */
public final class FareKeys {

	private FareKeys() {
	}

	public static String key(String route, String carrier, String fareClass, long tariff) {
		return route + "/" + carrier + "/" + fareClass + "/" + tariff;
	}

	/** The route ({@code LHR-JFK}) of a fare key. */
	public static String route(String key) {
		int slash = key.indexOf('/');
		return (slash < 0) ? key : key.substring(0, slash);
	}

	/** Whether a fare key names this carrier and class ({@code null} matches any). */
	public static boolean matches(String key, String carrier, String fareClass) {
		int first = key.indexOf('/');
		int second = key.indexOf('/', first + 1);
		int third = key.indexOf('/', second + 1);
		if (first < 0 || second < 0 || third < 0) {
			return false;
		}
		return (carrier == null || key.regionMatches(first + 1, carrier, 0, second - first - 1)
				&& carrier.length() == second - first - 1)
				&& (fareClass == null || key.regionMatches(second + 1, fareClass, 0, third - second - 1)
						&& fareClass.length() == third - second - 1);
	}

	/** Checks a route name: two three-letter airport codes joined by a dash. */
	public static String checkRoute(String route) {
		if (route == null || !route.matches("[A-Z]{3}-[A-Z]{3}") || route.substring(0, 3).equals(route.substring(4))) {
			throw new IllegalArgumentException(
					"a route is two different three-letter airport codes joined by a dash, like LHR-JFK, not '" + route
							+ "'");
		}
		return route;
	}

}
