package io.zynco.transport.netty;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

import io.zynco.protocol.DataPacket;
import io.zynco.protocol.MessageTypes;

/**
 * A classic BPF socket filter ({@code setsockopt(SOL_SOCKET, SO_ATTACH_FILTER)}, attached
 * through the epoll transport's raw socket option) that makes the kernel drop the packets
 * that carry this node's id on its multicast group socket, before they are queued: its own
 * multicast, looped back (and anything forged with its id, which the channel drops
 * uncounted too).
 * <p>
 * Multicast loopback is on (other nodes on the same host must receive the group), so every
 * packet a node multicasts also comes back to its own group socket. Without the filter the
 * sender's loop reads its whole transfer back (the kernel's copy out of the socket, the
 * channel's copy into its receive array) only to drop each packet on its sender id; with it,
 * the kernel drops them in the sending call, so they take neither receive-buffer memory nor a
 * wake-up of the loop. The data channel still drops its own packets in user space, for where
 * the filter cannot be had.
 * <p>
 * The program (offsets relative to the UDP header, where the kernel runs a UDP socket's
 * filter; classic BPF loads words in network order, as the packet header is written):
 * <pre>
 *   ld  len                    ; datagram length, UDP header included
 *   jlt #8+16, accept          ; too short to hold a sender id: the channel rejects and counts it
 *   ldb [8+3]                  ; type
 *   jeq #PROBE, accept         ; the auto mode's probe must come back to its sender
 *   ld  [8+8]                  ; sender id, high word
 *   jne #high, accept
 *   ld  [8+12]                 ; sender id, low word
 *   jne #low, accept
 *   ret #0                     ; drop
 * accept:
 *   ret #0xFFFFFFFF            ; keep the whole datagram
 * </pre>
 * Fails soft: with the NIO transport, off Linux, on an architecture whose socket option
 * numbers or pointer size differ, or when the call fails, {@link #attach} returns false.
 */
final class OwnPacketFilter {

	/** {@code SOL_SOCKET} and {@code SO_ATTACH_FILTER} in the generic Linux ABI (x86-64, arm64, riscv64). */
	private static final int SOL_SOCKET = 1;

	private static final int SO_ATTACH_FILTER = 26;

	/** {@code struct sock_fprog} on LP64: {@code u16 len}, padding, {@code struct sock_filter *}. */
	private static final int FPROG_SIZE = 16;

	/** {@code struct sock_filter}: {@code u16 code, u8 jt, u8 jf, u32 k}. */
	private static final int INSTRUCTION_SIZE = 8;

	/** Where the UDP payload (our header) starts in what the filter sees. */
	private static final int UDP_HEADER = 8;

	private static final short LD_W_LEN = 0x80; // BPF_LD | BPF_W | BPF_LEN

	private static final short LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS

	private static final short LD_B_ABS = 0x30; // BPF_LD | BPF_B | BPF_ABS

	private static final short JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K

	private static final short JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K

	private static final short RET_K = 0x06; // BPF_RET | BPF_K

	private static final ChannelOption<ByteBuffer> ATTACH = createOption();

	private OwnPacketFilter() {
	}

	@SuppressWarnings("unchecked")
	private static ChannelOption<ByteBuffer> createOption() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		boolean genericAbi = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")
				|| arch.equals("riscv64");
		if (!os.startsWith("linux") || !genericAbi) {
			return null;
		}
		try {
			Class<?> raw = Class.forName("io.netty.channel.unix.RawUnixChannelOption", true,
					OwnPacketFilter.class.getClassLoader());
			return (ChannelOption<ByteBuffer>) raw.getConstructor(String.class, int.class, int.class, int.class)
				.newInstance("SO_ATTACH_FILTER", SOL_SOCKET, SO_ATTACH_FILTER, FPROG_SIZE);
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			return null;
		}
	}

	/**
	 * Attaches the filter to {@code channel}, a group socket of a node with id {@code localId}.
	 * @return whether the kernel took it (see the class description)
	 */
	static boolean attach(Channel channel, long localId) {
		if (ATTACH == null || channel == null || !channel.isOpen()) {
			return false;
		}
		int minLength = UDP_HEADER + DataPacket.SENDER_ID_OFFSET + Long.BYTES;
		int[][] program = {
				// code, jt, jf, k; jumps count the instructions skipped
				{ LD_W_LEN, 0, 0, 0 },
				{ JGE_K, 0, 7, minLength }, // 1: short -> 9 (accept)
				{ LD_B_ABS, 0, 0, UDP_HEADER + DataPacket.TYPE_OFFSET },
				{ JEQ_K, 5, 0, MessageTypes.PROBE }, // 3: probe -> 9
				{ LD_W_ABS, 0, 0, UDP_HEADER + DataPacket.SENDER_ID_OFFSET },
				{ JEQ_K, 0, 3, (int) (localId >>> 32) }, // 5: other high word -> 9
				{ LD_W_ABS, 0, 0, UDP_HEADER + DataPacket.SENDER_ID_OFFSET + Integer.BYTES },
				{ JEQ_K, 0, 1, (int) localId }, // 7: other low word -> 9
				{ RET_K, 0, 0, 0 }, // 8: our own packet: drop
				{ RET_K, 0, 0, -1 }, // 9: accept whole
		};
		ByteBuf instructions = Unpooled.directBuffer(program.length * INSTRUCTION_SIZE);
		try {
			if (!instructions.hasMemoryAddress()) {
				return false; // no address to hand the kernel (Netty without Unsafe)
			}
			boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
			for (int[] op : program) {
				if (little) {
					instructions.writeShortLE(op[0]).writeByte(op[1]).writeByte(op[2]).writeIntLE(op[3]);
				}
				else {
					instructions.writeShort(op[0]).writeByte(op[1]).writeByte(op[2]).writeInt(op[3]);
				}
			}
			// the kernel copies the program during the call: the buffers need not outlive it
			ByteBuffer fprog = ByteBuffer.allocateDirect(FPROG_SIZE).order(ByteOrder.nativeOrder());
			fprog.putShort(0, (short) program.length);
			fprog.putLong(8, instructions.memoryAddress());
			return channel.config().setOption(ATTACH, fprog);
		}
		catch (RuntimeException ex) {
			return false;
		}
		finally {
			instructions.release();
		}
	}

}
