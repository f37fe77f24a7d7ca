package io.zynco.sample.fares;

import java.util.Objects;

/**
 * One published fare: what a carrier charges in one fare class on one route, with the rule
 * set that governs it. Fares are keyed by {@link FareKeys route/carrier/class/tariff}.
 *
 * @param carrier the two-letter carrier code
 * @param fareClass the one-letter booking class
 * @param amountCents the price in cents of {@code currency}
 * @param currency the ISO 4217 currency code
 * @param ruleSet the id of the {@link Rule} that applies, an entry of the {@code rules} state
 * @param revision how many times this fare was repriced (0 when first filed)
 * @param basis the fare basis code
 */
public record Fare(String carrier, String fareClass, long amountCents, String currency, String ruleSet, int revision,
		String basis) {

	public Fare {
		Objects.requireNonNull(carrier, "carrier");
		Objects.requireNonNull(fareClass, "fareClass");
		Objects.requireNonNull(currency, "currency");
		Objects.requireNonNull(ruleSet, "ruleSet");
		Objects.requireNonNull(basis, "basis");
		if (amountCents < 0) {
			throw new IllegalArgumentException("a fare's amount cannot be negative: " + amountCents);
		}
	}

	/** The same fare at a new price, one revision later. */
	public Fare repriced(long newAmountCents) {
		return new Fare(this.carrier, this.fareClass, newAmountCents, this.currency, this.ruleSet, this.revision + 1,
				this.basis);
	}

}
