package io.zynco.transport.netty;

import java.nio.ByteBuffer;
import java.util.Locale;

import io.netty.channel.ChannelOption;

/**
 * Raw socket options ({@code getsockopt}/{@code setsockopt} with a byte buffer) through the
 * epoll transport's {@code RawUnixChannelOption}, for the Linux options Netty does not name:
 * {@link SocketMemory}'s {@code SO_MEMINFO} and {@link OwnPacketFilter}'s
 * {@code SO_ATTACH_FILTER}. The option numbers callers pass are those of the generic Linux ABI,
 * so an option is only had on Linux on the architectures that use it (x86-64, arm64,
 * riscv64), and only where the epoll transport is on the class path; the channel must then be
 * an epoll one for the option to work (NIO channels ignore it).
 */
final class RawOptions {

	/** {@code SOL_SOCKET} in the generic Linux ABI. */
	static final int SOL_SOCKET = 1;

	private RawOptions() {
	}

	/**
	 * The raw option {@code optname} at {@code level}, with a value of {@code length} bytes, or
	 * null where it cannot be had (see the class description).
	 */
	@SuppressWarnings("unchecked")
	static ChannelOption<ByteBuffer> create(String name, int level, int optname, int length) {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		boolean genericAbi = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")
				|| arch.equals("riscv64");
		if (!os.startsWith("linux") || !genericAbi) {
			return null;
		}
		try {
			Class<?> raw = Class.forName("io.netty.channel.unix.RawUnixChannelOption", true,
					RawOptions.class.getClassLoader());
			return (ChannelOption<ByteBuffer>) raw.getConstructor(String.class, int.class, int.class, int.class)
				.newInstance(name, level, optname, length);
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			return null;
		}
	}

}
