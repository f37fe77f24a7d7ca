package io.zynco.transport.netty;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

/**
 * How full a datagram socket's receive queue is, read from the kernel with
 * {@code getsockopt(SOL_SOCKET, SO_MEMINFO)} through the epoll transport's raw socket option.
 * {@code SO_MEMINFO} (Linux 3.9 and later) fills {@code u32 meminfo[9]}; we read
 * {@code SK_MEMINFO_RMEM_ALLOC} (index 0: the bytes the queued datagrams take, skb overhead
 * included), {@code SK_MEMINFO_RCVBUF} (index 1: the limit; the kernel drops a datagram that
 * would take the queue past it) and {@code SK_MEMINFO_DROPS} (index 8). Their quotient is the
 * socket's own measure of congestion, with no estimate in it: a receiver whose loop keeps up
 * sees an almost empty queue, one that falls behind sees it fill long before the kernel drops.
 * <p>
 * Fails soft: with the NIO transport, off Linux, on an architecture whose socket option
 * numbers differ from the generic ones, or where the call fails, the methods return -1 and the
 * node falls back to estimating its backlog from loop stalls. Cheap (one system call, no
 * lock); call on the channel's event loop.
 */
final class SocketMemory {

	/** {@code SOL_SOCKET} and {@code SO_MEMINFO} in the generic Linux ABI (x86-64, arm64, riscv64). */
	private static final int SOL_SOCKET = 1;

	private static final int SO_MEMINFO = 55;

	/** {@code SK_MEMINFO_VARS}: the number of {@code u32} the kernel writes. */
	private static final int VARS = 9;

	private static final int RMEM_ALLOC = 0;

	private static final int RCVBUF = 1;

	private static final int DROPS = 8;

	/** The raw option, or null where it cannot be had. */
	private static final ChannelOption<ByteBuffer> MEMINFO = createOption();

	private SocketMemory() {
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
					SocketMemory.class.getClassLoader());
			return (ChannelOption<ByteBuffer>) raw.getConstructor(String.class, int.class, int.class, int.class)
				.newInstance("SO_MEMINFO", SOL_SOCKET, SO_MEMINFO, VARS * Integer.BYTES);
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			return null;
		}
	}

	/**
	 * The fraction of the channel's receive buffer its queued datagrams take: 0 when empty, 1
	 * (or a little above) when the kernel drops; -1 if unknown (see the class description).
	 */
	static double receiveOccupancy(Channel channel) {
		ByteBuffer info = read(channel);
		if (info == null) {
			return -1;
		}
		long rcvbuf = Integer.toUnsignedLong(info.getInt(RCVBUF * Integer.BYTES));
		long queued = Integer.toUnsignedLong(info.getInt(RMEM_ALLOC * Integer.BYTES));
		return (rcvbuf > 0) ? (double) queued / rcvbuf : -1;
	}

	/** Datagrams the kernel dropped on this socket since it opened (a full buffer); -1 if unknown. */
	static long drops(Channel channel) {
		ByteBuffer info = read(channel);
		return (info != null) ? Integer.toUnsignedLong(info.getInt(DROPS * Integer.BYTES)) : -1;
	}

	private static ByteBuffer read(Channel channel) {
		if (MEMINFO == null || channel == null || !channel.isOpen()) {
			return null;
		}
		try {
			ByteBuffer info = channel.config().getOption(MEMINFO);
			if (info == null || info.remaining() < VARS * Integer.BYTES) {
				return null; // NIO does not know the option; an old kernel writes fewer fields
			}
			return info.slice().order(ByteOrder.nativeOrder());
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
