package io.zynco.sample.fares;

import java.util.Objects;

/**
 * A fare rule set (the conditions a fare is sold under), shared by many fares.
 *
 * @param id the rule set's id, for example {@code R1234}
 * @param advancePurchaseDays the minimum days between booking and departure
 * @param minStayDays the minimum stay
 * @param maxStayDays the maximum stay
 * @param refundable whether the ticket is refundable
 * @param changeable whether the ticket may be changed
 * @param baggagePieces the checked bags included
 * @param revision how many times the rule set was amended
 */
public record Rule(String id, int advancePurchaseDays, int minStayDays, int maxStayDays, boolean refundable,
		boolean changeable, int baggagePieces, int revision) {

	public Rule {
		Objects.requireNonNull(id, "id");
	}

}
