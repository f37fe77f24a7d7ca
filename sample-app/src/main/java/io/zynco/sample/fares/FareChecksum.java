package io.zynco.sample.fares;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The checksum every API response carries, so that a client can check that the content it
 * got is what the versions named in the response hold: CRC32C (hex) of the canonical lines of
 * the fares (and rules) in the response, in order. Any two responses naming the same versions
 * and the same query must carry the same checksum, on every node and at any time.
 *
 * <pre>
 * fare|key|carrier|fareClass|amountCents|currency|ruleSet|revision|basis\n
 * rule|id|advancePurchaseDays|minStayDays|maxStayDays|refundable|changeable|baggagePieces|revision\n
 * </pre>
 */
public final class FareChecksum {

	private FareChecksum() {
	}

	public static String of(List<FareBook.FareLine> fares, List<Rule> rules) {
		CRC32C crc = new CRC32C();
		StringBuilder line = new StringBuilder(128);
		for (FareBook.FareLine fare : fares) {
			line.setLength(0);
			line.append("fare|").append(fare.key()).append('|').append(fare.carrier()).append('|')
				.append(fare.fareClass()).append('|').append(fare.amountCents()).append('|').append(fare.currency())
				.append('|').append(fare.ruleSet()).append('|').append(fare.revision()).append('|')
				.append(fare.basis()).append('\n');
			crc.update(line.toString().getBytes(StandardCharsets.UTF_8));
		}
		for (Rule rule : rules) {
			line.setLength(0);
			line.append("rule|").append(rule.id()).append('|').append(rule.advancePurchaseDays()).append('|')
				.append(rule.minStayDays()).append('|').append(rule.maxStayDays()).append('|').append(rule.refundable())
				.append('|').append(rule.changeable()).append('|').append(rule.baggagePieces()).append('|')
				.append(rule.revision()).append('\n');
			crc.update(line.toString().getBytes(StandardCharsets.UTF_8));
		}
		return String.format("%08x", crc.getValue());
	}

}
