package io.zynco.benchmarks.replication;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} command-line options (flags without a value read as "true"). */
final class Args {

	private final Map<String, String> values = new HashMap<>();

	private Args() {
	}

	static Args parse(String[] args) {
		Args parsed = new Args();
		for (int i = 0; i < args.length; i++) {
			String a = args[i];
			if (!a.startsWith("--")) {
				throw new IllegalArgumentException("unexpected argument '" + a + "'; options look like --name value");
			}
			String key = a.substring(2);
			if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
				parsed.values.put(key, args[++i]);
			}
			else {
				parsed.values.put(key, "true");
			}
		}
		return parsed;
	}

	String get(String key, String fallback) {
		return this.values.getOrDefault(key, fallback);
	}

	String require(String key) {
		String v = this.values.get(key);
		if (v == null) {
			throw new IllegalArgumentException("--" + key + " is required");
		}
		return v;
	}

	int getInt(String key, int fallback) {
		String v = this.values.get(key);
		return (v != null) ? Integer.parseInt(v) : fallback;
	}

	long getLong(String key, long fallback) {
		String v = this.values.get(key);
		return (v != null) ? Long.parseLong(v) : fallback;
	}

	double getDouble(String key, double fallback) {
		String v = this.values.get(key);
		return (v != null) ? Double.parseDouble(v) : fallback;
	}

	boolean flag(String key) {
		return Boolean.parseBoolean(this.values.getOrDefault(key, "false"));
	}

	boolean has(String key) {
		return this.values.containsKey(key);
	}

}
