package io.zynco.sample.fares;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.zynco.state.Codec;

/**
 * Compact binary codecs for {@link Fare} and {@link Rule}. A million fares take about 45 MB
 * of values this way (JSON would take three times that, and be slower to decode on every
 * read). Encoding is deterministic, as Zynco requires: equal values give equal bytes.
 *
 * <p>Layout of a fare: {@code version(1) carrier fareClass amount(varint) currency ruleSet
 * revision(varint) basis}, each string as a length byte and UTF-8 bytes. A rule:
 * {@code version(1) id advance(varint) minStay(varint) maxStay(varint) flags(1)
 * baggage(varint) revision(varint)}.
 */
public final class FareCodecs {

	private static final int FORMAT = 1;

	private FareCodecs() {
	}

	public static Codec<Fare> fares() {
		return FareCodec.INSTANCE;
	}

	public static Codec<Rule> rules() {
		return RuleCodec.INSTANCE;
	}

	private enum FareCodec implements Codec<Fare> {

		INSTANCE;

		@Override
		public byte[] encode(Fare fare) {
			Writer out = new Writer(48);
			out.write(FORMAT);
			out.string(fare.carrier());
			out.string(fare.fareClass());
			out.varint(fare.amountCents());
			out.string(fare.currency());
			out.string(fare.ruleSet());
			out.varint(fare.revision());
			out.string(fare.basis());
			return out.toByteArray();
		}

		@Override
		public Fare decode(byte[] buffer, int offset, int length) {
			Reader in = new Reader(buffer, offset, length);
			in.format();
			Fare fare = new Fare(in.string(), in.string(), in.varint(), in.string(), in.string(), in.int32(),
					in.string());
			in.end();
			return fare;
		}

		@Override
		public String toString() {
			return "FareCodec";
		}

	}

	private enum RuleCodec implements Codec<Rule> {

		INSTANCE;

		@Override
		public byte[] encode(Rule rule) {
			Writer out = new Writer(24);
			out.write(FORMAT);
			out.string(rule.id());
			out.varint(rule.advancePurchaseDays());
			out.varint(rule.minStayDays());
			out.varint(rule.maxStayDays());
			out.write((rule.refundable() ? 1 : 0) | (rule.changeable() ? 2 : 0));
			out.varint(rule.baggagePieces());
			out.varint(rule.revision());
			return out.toByteArray();
		}

		@Override
		public Rule decode(byte[] buffer, int offset, int length) {
			Reader in = new Reader(buffer, offset, length);
			in.format();
			String id = in.string();
			int advance = in.int32();
			int minStay = in.int32();
			int maxStay = in.int32();
			int flags = in.byte8();
			Rule rule = new Rule(id, advance, minStay, maxStay, (flags & 1) != 0, (flags & 2) != 0, in.int32(),
					in.int32());
			in.end();
			return rule;
		}

		@Override
		public String toString() {
			return "RuleCodec";
		}

	}

	private static final class Writer extends ByteArrayOutputStream {

		Writer(int size) {
			super(size);
		}

		void string(String value) {
			byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
			if (bytes.length > 255) {
				throw new IllegalArgumentException("a string field holds at most 255 bytes: " + value);
			}
			write(bytes.length);
			write(bytes, 0, bytes.length);
		}

		void varint(long value) {
			if (value < 0) {
				throw new IllegalArgumentException("negative value: " + value);
			}
			while ((value & ~0x7FL) != 0) {
				write((int) ((value & 0x7F) | 0x80));
				value >>>= 7;
			}
			write((int) value);
		}

	}

	private static final class Reader {

		private final byte[] buffer;

		private final int end;

		private int position;

		Reader(byte[] buffer, int offset, int length) {
			this.buffer = buffer;
			this.position = offset;
			this.end = offset + length;
		}

		void format() {
			int format = byte8();
			if (format != FORMAT) {
				throw new IllegalArgumentException("unknown fare format " + format);
			}
		}

		int byte8() {
			if (this.position >= this.end) {
				throw new IllegalArgumentException("truncated value");
			}
			return this.buffer[this.position++] & 0xFF;
		}

		String string() {
			int length = byte8();
			if (this.position + length > this.end) {
				throw new IllegalArgumentException("truncated string");
			}
			String value = new String(this.buffer, this.position, length, StandardCharsets.UTF_8);
			this.position += length;
			return value;
		}

		long varint() {
			long value = 0;
			for (int shift = 0; shift < 64; shift += 7) {
				int b = byte8();
				value |= (long) (b & 0x7F) << shift;
				if ((b & 0x80) == 0) {
					return value;
				}
			}
			throw new IllegalArgumentException("varint too long");
		}

		int int32() {
			long value = varint();
			if (value > Integer.MAX_VALUE) {
				throw new IllegalArgumentException("value out of range: " + value);
			}
			return (int) value;
		}

		void end() {
			if (this.position != this.end) {
				throw new IllegalArgumentException((this.end - this.position) + " trailing bytes");
			}
		}

	}

}
