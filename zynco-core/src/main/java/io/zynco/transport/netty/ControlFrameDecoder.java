package io.zynco.transport.netty;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.InvalidFrameException;

/**
 * Turns one length-stripped frame ({@code type | body}, from a
 * {@code LengthFieldBasedFrameDecoder}) into a {@link ControlMessage}. A malformed frame
 * raises an {@link InvalidFrameException} carrying the rejection reason. Stateless and
 * {@link Sharable}.
 */
@Sharable
public final class ControlFrameDecoder extends MessageToMessageDecoder<ByteBuf> {

	/** The shared instance. */
	public static final ControlFrameDecoder INSTANCE = new ControlFrameDecoder();

	private ControlFrameDecoder() {
		super(ByteBuf.class);
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
		out.add(ControlFrameCodec.decode(frame));
	}

}
