package io.zynco.state;

/**
 * Formatting of 64-bit fingerprints as the 16-digit lower-case hex used in logs, the
 * endpoint and docs. Stateless and thread-safe.
 */
public final class Fingerprints {

	private Fingerprints() {
	}

	public static String toHex(long fingerprint) {
		String hex = Long.toHexString(fingerprint);
		return "0".repeat(16 - hex.length()) + hex;
	}

	public static long fromHex(String hex) {
		if (hex.length() != 16) {
			throw new IllegalArgumentException("a fingerprint has 16 hex digits, not '" + hex + "'");
		}
		return Long.parseUnsignedLong(hex, 16);
	}

}
