package io.zynco.transport.netty;

import java.lang.reflect.Constructor;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The node loop and the channel types that fit it: native epoll when
 * {@code io.netty.channel.epoll.Epoll.isAvailable()} (the optional
 * {@code netty-transport-native-epoll} jar is present and loads on this OS), NIO otherwise. Both Netty channels of a
 * node are built from one instance, so they share its single event loop ({@link #loop()}),
 * which is where every listener runs and all protocol state lives.
 *
 * <p>
 * Thread-safe (immutable). {@link #close()} shuts the group down only if this instance
 * created it.
 */
public final class NettyTransports implements AutoCloseable {

	private static final System.Logger LOG = System.getLogger(NettyTransports.class.getName());

	/** The kind of I/O the loop runs. */
	public enum Kind {

		/** Linux native epoll ({@code netty-transport-native-epoll}). */
		EPOLL,

		/** JDK NIO selectors: everywhere. */
		NIO

	}

	private final Kind kind;

	private final EventLoopGroup group;

	private final EventLoop loop;

	private final boolean ownsGroup;

	private NettyTransports(Kind kind, EventLoopGroup group, boolean ownsGroup) {
		this.kind = kind;
		this.group = Objects.requireNonNull(group, "group");
		this.loop = group.next();
		this.ownsGroup = ownsGroup;
	}

	/**
	 * A new single-threaded node loop named {@code threadName}: epoll if available, else NIO.
	 * {@link #close()} shuts it down.
	 */
	public static NettyTransports newNodeLoop(String threadName) {
		Kind kind = epollAvailable() ? Kind.EPOLL : Kind.NIO;
		return newNodeLoop(threadName, kind);
	}

	/** A new single-threaded node loop of the given kind. */
	public static NettyTransports newNodeLoop(String threadName, Kind kind) {
		ThreadFactory threads = new DefaultThreadFactory(threadName, true);
		IoHandlerFactory io = (kind == Kind.EPOLL) ? EpollSupport.ioHandlerFactory() : NioIoHandler.newFactory();
		LOG.log(System.Logger.Level.DEBUG, "node loop {0} uses {1}", threadName, kind);
		return new NettyTransports(kind, new MultiThreadIoEventLoopGroup(1, threads, io), true);
	}

	/**
	 * Wraps a group the caller owns (and shuts down). Its I/O must be of the given kind; the
	 * channels use {@code group.next()} only, so one thread.
	 */
	public static NettyTransports of(EventLoopGroup group, Kind kind) {
		return new NettyTransports(kind, group, false);
	}

	/** Whether the native epoll transport can be used in this JVM. */
	public static boolean epollAvailable() {
		return EpollSupport.isAvailable();
	}

	public Kind kind() {
		return this.kind;
	}

	public EventLoopGroup group() {
		return this.group;
	}

	/** The node loop: the one thread every channel of this node is registered with. */
	public EventLoop loop() {
		return this.loop;
	}

	public Class<? extends ServerChannel> serverChannelClass() {
		return (this.kind == Kind.EPOLL) ? EpollSupport.serverChannelClass() : NioServerSocketChannel.class;
	}

	public Class<? extends io.netty.channel.socket.SocketChannel> socketChannelClass() {
		return (this.kind == Kind.EPOLL) ? EpollSupport.socketChannelClass() : NioSocketChannel.class;
	}

	/** Datagram channels of the given address family (multicast options need the right one). */
	public ChannelFactory<DatagramChannel> datagramChannelFactory(SocketProtocolFamily family) {
		Objects.requireNonNull(family, "family");
		if (this.kind == Kind.EPOLL) {
			return EpollSupport.datagramChannelFactory(family);
		}
		return () -> new NioDatagramChannel(family);
	}

	/**
	 * Sets the multicast TTL (hop limit) of a datagram channel of this kind. Not
	 * {@code DatagramChannelConfig.setTimeToLive}: the epoll transport maps that to
	 * {@code IP_TTL}, the unicast TTL, and rejects 0; here epoll sets {@code IP_MULTICAST_TTL}
	 * (or {@code IPV6_MULTICAST_HOPS}) directly.
	 */
	public void setMulticastTtl(DatagramChannel channel, SocketProtocolFamily family, int ttl) {
		if (this.kind == Kind.NIO) {
			// NIO maps it to StandardSocketOptions.IP_MULTICAST_TTL
			channel.config().setTimeToLive(ttl);
			return;
		}
		if (!channel.config().setOption(EpollSupport.multicastTtlOption(family), ttl)) {
			throw new IllegalStateException("the epoll channel refused the multicast TTL option");
		}
	}

	/** The multicast TTL of a datagram channel of this kind (tests). */
	int multicastTtl(DatagramChannel channel, SocketProtocolFamily family) {
		if (this.kind == Kind.NIO) {
			return channel.config().getTimeToLive();
		}
		return channel.config().getOption(EpollSupport.multicastTtlOption(family));
	}

	@Override
	public void close() {
		if (this.ownsGroup) {
			this.group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		}
	}

	@Override
	public String toString() {
		return "NettyTransports[" + this.kind + "]";
	}

	/**
	 * The epoll transport through reflection: {@code netty-transport-native-epoll} is an
	 * optional run-time dependency, absent from the compile class path.
	 */
	private static final class EpollSupport {

		private static final String PACKAGE = "io.netty.channel.epoll.";

		private static Class<?> load(String simpleName) throws ClassNotFoundException {
			return Class.forName(PACKAGE + simpleName, true, NettyTransports.class.getClassLoader());
		}

		static boolean isAvailable() {
			try {
				return (Boolean) load("Epoll").getMethod("isAvailable").invoke(null);
			}
			catch (ReflectiveOperationException | LinkageError ex) {
				return false;
			}
		}

		static IoHandlerFactory ioHandlerFactory() {
			if (!isAvailable()) {
				throw new IllegalStateException("the epoll transport is not available in this JVM");
			}
			try {
				return (IoHandlerFactory) load("EpollIoHandler").getMethod("newFactory").invoke(null);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("cannot create the epoll I/O handler", ex);
			}
		}

		static Class<? extends ServerChannel> serverChannelClass() {
			try {
				return load("EpollServerSocketChannel").asSubclass(ServerChannel.class);
			}
			catch (ClassNotFoundException ex) {
				throw new IllegalStateException("the epoll transport is not on the class path", ex);
			}
		}

		static Class<? extends io.netty.channel.socket.SocketChannel> socketChannelClass() {
			try {
				return load("EpollSocketChannel").asSubclass(io.netty.channel.socket.SocketChannel.class);
			}
			catch (ClassNotFoundException ex) {
				throw new IllegalStateException("the epoll transport is not on the class path", ex);
			}
		}

		/** {@code IntegerUnixChannelOption} for IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS (Linux values). */
		@SuppressWarnings("unchecked")
		static ChannelOption<Integer> multicastTtlOption(SocketProtocolFamily family) {
			boolean v6 = family == SocketProtocolFamily.INET6;
			String name = v6 ? "IPV6_MULTICAST_HOPS" : "IP_MULTICAST_TTL";
			int level = v6 ? 41 : 0;
			int optname = v6 ? 18 : 33;
			try {
				Class<?> option = Class.forName("io.netty.channel.unix.IntegerUnixChannelOption", true,
						NettyTransports.class.getClassLoader());
				return (ChannelOption<Integer>) option.getConstructor(String.class, int.class, int.class)
					.newInstance(name, level, optname);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("cannot create the epoll multicast TTL option", ex);
			}
		}

		static ChannelFactory<DatagramChannel> datagramChannelFactory(SocketProtocolFamily family) {
			Constructor<? extends DatagramChannel> constructor;
			try {
				constructor = load("EpollDatagramChannel").asSubclass(DatagramChannel.class)
					.getConstructor(SocketProtocolFamily.class);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("the epoll transport is not on the class path", ex);
			}
			return () -> {
				try {
					return constructor.newInstance(family);
				}
				catch (ReflectiveOperationException ex) {
					throw new IllegalStateException("cannot create an epoll datagram channel", ex);
				}
			};
		}

	}

}
