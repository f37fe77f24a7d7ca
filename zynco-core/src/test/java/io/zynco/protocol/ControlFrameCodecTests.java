package io.zynco.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.protocol.ControlMessage.CatchUpChunk;
import io.zynco.protocol.ControlMessage.Hello;
import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.PublishRequest;
import io.zynco.protocol.ControlMessage.TransferAck;
import io.zynco.protocol.ControlMessage.TransferDrop;
import io.zynco.protocol.ControlMessage.View;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ControlFrameCodecTests {

	static Stream<ControlMessage> samples() {
		return ControlMessageSamples.all().stream();
	}

	private static byte[] encode(ControlMessage message) {
		return ControlFrameCodec.encodeToArray(message);
	}

	private static RejectReason rejection(byte[] frame) {
		try {
			ControlFrameCodec.decode(frame);
		}
		catch (InvalidFrameException ex) {
			return ex.reason();
		}
		throw new AssertionError("frame was accepted: " + Arrays.toString(frame));
	}

	@Test
	void samplesCoverEveryMessageTypeWithDistinctTypeIds() {
		Set<Class<?>> sampled = ControlMessageSamples.all().stream().map(Object::getClass).collect(Collectors.toSet());
		assertThat(sampled).containsExactlyInAnyOrder(ControlMessage.class.getPermittedSubclasses());
		Set<Byte> ids = ControlMessageSamples.all().stream().map(ControlFrameCodec::type).collect(Collectors.toSet());
		assertThat(ids).hasSameSizeAs(sampled);
	}

	@ParameterizedTest
	@MethodSource("samples")
	void roundTripsEveryFrameType(ControlMessage message) {
		ByteBuf frame = Unpooled.buffer();
		try {
			ControlFrameCodec.encode(message, frame);
			assertThat(frame.getByte(0)).isEqualTo(ControlFrameCodec.type(message));
			ControlMessage decoded = ControlFrameCodec.decode(frame);
			assertThat(decoded).usingRecursiveComparison().withStrictTypeChecking().isEqualTo(message);
			assertThat(frame.isReadable()).isFalse();
		}
		finally {
			frame.release();
		}
	}

	@ParameterizedTest
	@MethodSource("samples")
	void everyTruncationIsRejected(ControlMessage message) {
		byte[] encoded = encode(message);
		for (int length = 0; length < encoded.length; length++) {
			byte[] truncated = Arrays.copyOf(encoded, length);
			assertThat(rejection(truncated)).as("%s cut to %d of %d bytes", message.getClass().getSimpleName(), length,
					encoded.length)
				.isEqualTo(RejectReason.TRUNCATED);
		}
	}

	@ParameterizedTest
	@MethodSource("samples")
	void trailingBytesAreRejected(ControlMessage message) {
		byte[] encoded = encode(message);
		assertThat(rejection(Arrays.copyOf(encoded, encoded.length + 1))).isEqualTo(RejectReason.TRAILING_BYTES);
	}

	@ParameterizedTest
	@MethodSource("samples")
	void everySingleByteCorruptionIsRejectedOrDecodesCleanly(ControlMessage message) {
		// fixed-width numbers have no redundancy (TCP and TLS protect them), so a corruption
		// either breaks the structure and is rejected, or yields another well-formed message;
		// never any other exception
		byte[] encoded = encode(message);
		for (int i = 0; i < encoded.length; i++) {
			for (int flip : new int[] { 0x01, 0x80, 0xFF }) {
				byte[] corrupt = encoded.clone();
				corrupt[i] ^= (byte) flip;
				try {
					ControlMessage decoded = ControlFrameCodec.decode(corrupt);
					assertThat(encode(decoded)).as("re-encoding of a corrupted frame").isEqualTo(corrupt);
				}
				catch (InvalidFrameException ex) {
					assertThat(ex.reason()).isNotNull();
				}
			}
		}
	}

	@Test
	void rejectsUnknownTypes() {
		for (int type : new int[] { 0, 9, 14, 25, 36, 42, 127, 200, 255 }) {
			assertThat(rejection(new byte[] { (byte) type, 0, 0, 0, 0, 0, 0, 0, 0 })).isEqualTo(RejectReason.UNKNOWN_TYPE);
		}
		assertThat(rejection(new byte[0])).isEqualTo(RejectReason.TRUNCATED);
	}

	@Test
	void rejectsBooleansOtherThanZeroOrOne() {
		byte[] encoded = encode(new TransferAck(1, true, "r"));
		encoded[1 + 8] = 2;
		assertThat(rejection(encoded)).isEqualTo(RejectReason.BAD_FIELD);
	}

	@Test
	void rejectsMalformedUtf8() {
		byte[] encoded = encode(new TransferDrop(1, "ab"));
		// a lone continuation byte, then an overlong encoding of '/'
		encoded[1 + 8 + 2] = (byte) 0x80;
		assertThat(rejection(encoded)).isEqualTo(RejectReason.BAD_UTF8);
		byte[] overlong = encode(new TransferDrop(1, "ab"));
		overlong[1 + 8 + 2] = (byte) 0xC0;
		overlong[1 + 8 + 3] = (byte) 0xAF;
		assertThat(rejection(overlong)).isEqualTo(RejectReason.BAD_UTF8);
	}

	@Test
	void rejectsHugeCountsAndLengthsBeforeAllocating() {
		byte[] view = encode(new View(1, List.of()));
		view[1 + 8] = (byte) 0xFF;
		view[1 + 8 + 1] = (byte) 0xFF;
		view[1 + 8 + 2] = (byte) 0xFF;
		view[1 + 8 + 3] = (byte) 0xFF;
		assertThat(rejection(view)).isEqualTo(RejectReason.TRUNCATED);
		byte[] publish = encode(new PublishRequest(1, new byte[4]));
		publish[1 + 8] = 0x7F;
		assertThat(rejection(publish)).isEqualTo(RejectReason.TRUNCATED);
		byte[] negative = encode(new PublishRequest(1, new byte[4]));
		negative[1 + 8] = (byte) 0x80;
		assertThat(rejection(negative)).isEqualTo(RejectReason.BAD_LENGTH);
		byte[] nack = encode(new Nack(1, new int[] { 1, 2 }, 0));
		nack[1 + 8] = 0x10;
		assertThat(rejection(nack)).isEqualTo(RejectReason.TRUNCATED);
	}

	@Test
	void rejectsNullWhereAValueIsRequired() {
		byte[] hello = encode(new Hello(MessageTypes.PROTOCOL_VERSION, "c", ControlMessageSamples.member(1),
				new byte[16]));
		// cluster name length 0xFFFF is the null marker
		hello[2] = (byte) 0xFF;
		hello[3] = (byte) 0xFF;
		assertThat(rejection(hello)).isEqualTo(RejectReason.BAD_FIELD);
		byte[] publish = encode(new PublishRequest(1, new byte[0]));
		Arrays.fill(publish, 9, 13, (byte) 0xFF);
		assertThat(rejection(publish)).isEqualTo(RejectReason.BAD_FIELD);
	}

	@Test
	void rejectsAnotherProtocolVersionWhateverFollows() {
		byte[] hello = encode(new Hello(MessageTypes.PROTOCOL_VERSION, "c", ControlMessageSamples.member(1),
				new byte[16]));
		hello[1] = 2;
		assertThat(rejection(hello)).isEqualTo(RejectReason.WRONG_VERSION);
		assertThat(rejection(new byte[] { MessageTypes.HELLO, 9, 1, 2, 3 })).isEqualTo(RejectReason.WRONG_VERSION);
	}

	@Test
	void keepsNullsWhereTheyAreAllowed() {
		CatchUpChunk refusal = new CatchUpChunk(1, (byte) 0, null, 0, 0, 0, true, false, "no such state", null);
		assertThat(ControlFrameCodec.decode(encode(refusal))).usingRecursiveComparison().isEqualTo(refusal);
		CatchUpChunk empty = new CatchUpChunk(1, (byte) 0, "s", 0, 0, 0, true, true, "", new byte[0]);
		assertThat(((CatchUpChunk) ControlFrameCodec.decode(encode(empty))).payload()).isEmpty();
		assertThat(((CatchUpChunk) ControlFrameCodec.decode(encode(empty))).reason()).isEmpty();
	}

	@Test
	void refusesToEncodeWhatCannotBeDecoded() {
		assertThatIllegalArgumentException().isThrownBy(() -> encode(new TransferDrop(1, "x".repeat(70_000))));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> encode(new TransferDrop(1, "\u00E9".repeat(ControlFrameCodec.MAX_STRING_BYTES / 2 + 1))));
		assertThat(encode(new TransferDrop(1, "x".repeat(ControlFrameCodec.MAX_STRING_BYTES)))).hasSize(1 + 8 + 2
				+ ControlFrameCodec.MAX_STRING_BYTES);
		assertThatIllegalArgumentException().isThrownBy(() -> encode(new Nack(1, new int[] { 1, 2, 3 }, 0)));
		assertThatIllegalArgumentException().isThrownBy(
				() -> encode(new Hello(1, "c", ControlMessageSamples.member(1), new byte[15])));
		assertThatIllegalArgumentException().isThrownBy(
				() -> encode(new Hello(256, "c", ControlMessageSamples.member(1), new byte[16])));
		assertThatExceptionOfType(NullPointerException.class)
			.isThrownBy(() -> encode(new Hello(1, null, ControlMessageSamples.member(1), new byte[16])));
	}

	@Test
	void encodesMemberInfoOnItsOwn() {
		MemberInfo member = new MemberInfo(-5, "näme", 12345, "10.0.0.7", 65535, 0);
		byte[] encoded = ControlFrameCodec.encodeMemberInfo(member);
		byte[] padded = new byte[encoded.length + 4];
		System.arraycopy(encoded, 0, padded, 2, encoded.length);
		assertThat(ControlFrameCodec.decodeMemberInfo(padded, 2, encoded.length)).isEqualTo(member);
		assertThatExceptionOfType(InvalidFrameException.class)
			.isThrownBy(() -> ControlFrameCodec.decodeMemberInfo(padded, 2, encoded.length + 1))
			.extracting(InvalidFrameException::reason)
			.isEqualTo(RejectReason.TRAILING_BYTES);
		assertThatExceptionOfType(InvalidFrameException.class)
			.isThrownBy(() -> ControlFrameCodec.decodeMemberInfo(encoded, 0, encoded.length - 1))
			.extracting(InvalidFrameException::reason)
			.isEqualTo(RejectReason.TRUNCATED);
	}

	@Test
	void reasonTagsAreStableAndUnique() {
		Set<String> tags = Arrays.stream(RejectReason.values()).map(RejectReason::tag).collect(Collectors.toSet());
		assertThat(tags).hasSize(RejectReason.values().length).allMatch((tag) -> tag.matches("[a-z][a-z0-9-]*"));
		assertThat(RejectReason.BAD_MAGIC.tag()).isEqualTo("bad-magic");
		assertThat(RejectReason.REPLAYED.tag()).isEqualTo("replayed");
		assertThat(RejectReason.UNKNOWN_TYPE.tag()).isEqualTo("unknown-type");
	}

}
