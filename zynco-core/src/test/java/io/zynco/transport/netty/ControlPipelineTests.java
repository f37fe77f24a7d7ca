package io.zynco.transport.netty;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessageSamples;
import io.zynco.protocol.InvalidFrameException;
import io.zynco.protocol.MessageTypes;
import io.zynco.protocol.RejectReason;
import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The control channel's codec handlers in {@link EmbeddedChannel}s, as in the real pipeline. */
class ControlPipelineTests {

	private static final int MAX = 64 * 1024;

	static Stream<ControlMessage> samples() {
		return ControlMessageSamples.all().stream();
	}

	private static EmbeddedChannel encoder() {
		return new EmbeddedChannel(new LengthFieldPrepender(4), new ControlFrameEncoder(MAX));
	}

	private static EmbeddedChannel decoder() {
		return new EmbeddedChannel(new LengthFieldBasedFrameDecoder(MAX + 4, 0, 4, 0, 4), ControlFrameDecoder.INSTANCE);
	}

	/** Everything the encoder wrote, as one buffer. */
	private static ByteBuf wire(EmbeddedChannel encoder, ControlMessage... messages) {
		for (ControlMessage message : messages) {
			assertThat(encoder.writeOutbound(message)).isTrue();
		}
		ByteBuf wire = Unpooled.buffer();
		for (ByteBuf part; (part = encoder.readOutbound()) != null;) {
			wire.writeBytes(part);
			part.release();
		}
		return wire;
	}

	@ParameterizedTest
	@MethodSource("samples")
	void roundTripsEveryFrameTypeThroughThePipeline(ControlMessage message) {
		EmbeddedChannel out = encoder();
		EmbeddedChannel in = decoder();
		ByteBuf wire = wire(out, message);
		assertThat(wire.getInt(0)).isEqualTo(wire.readableBytes() - 4);
		assertThat(wire.getByte(4)).isEqualTo(ControlFrameCodec.type(message));
		assertThat(in.writeInbound(wire)).isTrue();
		ControlMessage decoded = in.readInbound();
		assertThat(decoded).usingRecursiveComparison().withStrictTypeChecking().isEqualTo(message);
		Object rest = in.readInbound();
		assertThat(rest).isNull();
		assertThat(out.finish()).isFalse();
		assertThat(in.finish()).isFalse();
	}

	@Test
	void decodesFramesSplitAndCoalescedAnyhow() {
		SplittableRandom random = new SplittableRandom(Seeds.of(1).findFirst().orElseThrow());
		List<ControlMessage> messages = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			messages.add(ControlMessageSamples.random(random));
		}
		EmbeddedChannel out = encoder();
		EmbeddedChannel in = decoder();
		ByteBuf wire = wire(out, messages.toArray(ControlMessage[]::new));
		while (wire.isReadable()) {
			int chunk = Math.min(wire.readableBytes(), 1 + random.nextInt(700));
			in.writeInbound(wire.readRetainedSlice(chunk));
		}
		wire.release();
		for (ControlMessage message : messages) {
			ControlMessage decoded = in.readInbound();
			assertThat(decoded).usingRecursiveComparison().withStrictTypeChecking().isEqualTo(message);
		}
		assertThat(out.finish()).isFalse();
		assertThat(in.finish()).isFalse();
	}

	@Test
	void rejectsAFrameLongerThanTheMaximumBeforeBufferingIt() {
		EmbeddedChannel in = decoder();
		ByteBuf header = Unpooled.buffer().writeInt(MAX + 1).writeByte(MessageTypes.PUBLISH_REQUEST);
		assertThatExceptionOfType(TooLongFrameException.class).isThrownBy(() -> in.writeInbound(header));
		assertThat(NettyControlChannel.reasonOf(new TooLongFrameException("x"))).isEqualTo(RejectReason.TOO_LONG);
		assertThat(in.finish()).isFalse();
	}

	@Test
	void acceptsAFrameOfExactlyTheMaximum() {
		EmbeddedChannel out = new EmbeddedChannel(new LengthFieldPrepender(4), new ControlFrameEncoder(MAX));
		EmbeddedChannel in = decoder();
		// type (1) + request id (8) + byte array length (4) + bytes = MAX
		ControlMessage message = new ControlMessage.PublishRequest(1, new byte[MAX - 13]);
		ByteBuf wire = wire(out, message);
		assertThat(wire.getInt(0)).isEqualTo(MAX);
		in.writeInbound(wire);
		ControlMessage decoded = in.readInbound();
		assertThat(decoded).usingRecursiveComparison().isEqualTo(message);
		assertThat(out.finish()).isFalse();
		assertThat(in.finish()).isFalse();
	}

	@Test
	void refusesToSendAFrameLongerThanTheMaximum() {
		EmbeddedChannel out = encoder();
		ControlMessage message = new ControlMessage.PublishRequest(1, new byte[MAX - 12]);
		assertThatExceptionOfType(EncoderException.class).isThrownBy(() -> out.writeOutbound(message));
		assertThat(out.finish()).isFalse();
	}

	@Test
	void raisesTheReasonOfAMalformedFrame() {
		EmbeddedChannel in = decoder();
		ByteBuf unknown = Unpooled.buffer().writeInt(3).writeByte(99).writeShort(0);
		assertThatExceptionOfType(InvalidFrameException.class).isThrownBy(() -> in.writeInbound(unknown))
			.extracting(InvalidFrameException::reason)
			.isEqualTo(RejectReason.UNKNOWN_TYPE);
		ByteBuf truncated = Unpooled.buffer().writeInt(5).writeByte(MessageTypes.COMMIT).writeInt(7);
		assertThatExceptionOfType(InvalidFrameException.class).isThrownBy(() -> in.writeInbound(truncated))
			.extracting(InvalidFrameException::reason)
			.isEqualTo(RejectReason.TRUNCATED);
		assertThat(in.finish()).isFalse();
	}

}
