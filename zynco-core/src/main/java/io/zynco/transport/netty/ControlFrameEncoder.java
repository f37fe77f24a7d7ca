package io.zynco.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;

/**
 * Writes a {@link ControlMessage} as {@code type | body}; a {@code LengthFieldPrepender(4)}
 * before it in the pipeline adds the length. A message whose frame would exceed the maximum
 * frame length fails its write (the peer would reject it). Stateless and {@link Sharable}.
 */
@Sharable
public final class ControlFrameEncoder extends MessageToByteEncoder<ControlMessage> {

	private final int maxFrameLength;

	/** @param maxFrameLength largest {@code length} (type and body) to send */
	public ControlFrameEncoder(int maxFrameLength) {
		super(ControlMessage.class);
		this.maxFrameLength = maxFrameLength;
	}

	@Override
	protected void encode(ChannelHandlerContext ctx, ControlMessage message, ByteBuf out) {
		int start = out.writerIndex();
		ControlFrameCodec.encode(message, out);
		int length = out.writerIndex() - start;
		if (length > this.maxFrameLength) {
			out.writerIndex(start);
			throw new EncoderException(message.getClass().getSimpleName() + " frame of " + length
					+ " bytes exceeds the maximum frame length " + this.maxFrameLength);
		}
	}

}
