package io.zynco.autoconfigure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

import io.zynco.replication.NodeConfig;
import io.zynco.replication.NodeConfig.PacketSecurity;
import io.zynco.spring.InvalidZyncoConfigurationException;
import io.zynco.state.StateType;
import io.zynco.transport.TransportMode;

/**
 * Builds a {@link NodeConfig} from {@link ZyncoProperties}, checking every value first so
 * that a bad one fails with an {@link InvalidZyncoConfigurationException} naming the
 * property and the fix. Applies the secure default: without {@code zynco.security.secret}
 * the node binds to loopback only, and says so. Thread-safe (stateless).
 */
public final class ZyncoNodeConfigFactory {

	private static final Log logger = LogFactory.getLog(ZyncoNodeConfigFactory.class);

	static final String SECRET = "zynco.security.secret";

	static final String BIND_ADDRESS = "zynco.control.bind-address";

	static final String PACKET_SECURITY = "zynco.security.packet-security";

	private static final int MIN_SECRET_BYTES = 16;

	private ZyncoNodeConfigFactory() {
	}

	/**
	 * A node configuration from the properties, adjusted by the customizers (TLS contexts,
	 * a coordinator, clocks: what properties cannot express).
	 * @param applicationName {@code spring.application.name}, the default cluster name, or
	 * {@code null}
	 * @throws InvalidZyncoConfigurationException naming the property at fault
	 */
	public static NodeConfig create(ZyncoProperties properties, String applicationName,
			List<ZyncoNodeCustomizer> customizers) {
		NodeConfig.Builder builder = builder(properties, applicationName);
		customizers.forEach((customizer) -> customizer.customize(builder));
		try {
			return builder.build();
		}
		catch (IllegalArgumentException ex) {
			// what the checks above did not catch: a customizer's setting
			throw new InvalidZyncoConfigurationException(null, null, "the node configuration is invalid: "
					+ ex.getMessage(), "Fix the setting named in the message (a ZyncoNodeCustomizer may have set it).", ex);
		}
	}

	static NodeConfig.Builder builder(ZyncoProperties properties, String applicationName) {
		NodeConfig.Builder builder = NodeConfig.builder();
		if (StringUtils.hasText(properties.getNodeName())) {
			builder.name(properties.getNodeName());
		}
		String cluster = clusterName(properties, applicationName);
		builder.cluster(cluster);
		security(properties, cluster, builder);
		control(properties.getControl(), builder);
		membership(properties.getMembership(), builder);
		transfer(properties, builder);
		chain(properties.getChain(), builder);
		check(properties.getSwitching().getPrepareTimeout(), "zynco.switching.prepare-timeout");
		builder.prepareTimeout(properties.getSwitching().getPrepareTimeout());
		return builder;
	}

	private static String clusterName(ZyncoProperties properties, String applicationName) {
		String name = properties.getClusterName();
		if (StringUtils.hasText(name)) {
			try {
				return StateType.checkName(name);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidZyncoConfigurationException("zynco.cluster-name", name,
						"a cluster name is 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
						"Set zynco.cluster-name to a name such as 'fare-service'; every member of a cluster uses the same one.");
			}
		}
		if (StringUtils.hasText(applicationName)) {
			String derived = applicationName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-")
				.replaceAll("^[^a-z0-9]+", "");
			if (derived.length() > 63) {
				derived = derived.substring(0, 63);
			}
			if (!derived.isEmpty()) {
				return derived;
			}
		}
		return "zynco";
	}

	private static void security(ZyncoProperties properties, String cluster, NodeConfig.Builder builder) {
		String secret = properties.getSecurity().getSecret();
		String bind = bindAddress(properties.getControl());
		PacketSecurity packetSecurity = properties.getSecurity().getPacketSecurity();
		boolean loopback = isLoopback(bind);
		if (!StringUtils.hasLength(secret)) {
			if (!loopback) {
				throw new InvalidZyncoConfigurationException(SECRET, null, "no cluster secret is set, so this node "
						+ "may bind to loopback only, but " + BIND_ADDRESS + " is '" + bind + "'. Without a secret any "
						+ "host on the network could join the cluster and inject state.", "Set " + SECRET
						+ " to a secret of at least " + MIN_SECRET_BYTES + " bytes, the same on every member (for "
						+ "example from an environment variable: ZYNCO_SECURITY_SECRET), or bind to loopback with "
						+ BIND_ADDRESS + "=127.0.0.1.");
			}
			if (packetSecurity != null && packetSecurity != PacketSecurity.NONE) {
				throw new InvalidZyncoConfigurationException(PACKET_SECURITY, packetSecurity,
						"packet security " + packetSecurity + " needs a cluster secret, and " + SECRET + " is not set",
						"Set " + SECRET + " to a secret of at least " + MIN_SECRET_BYTES
								+ " bytes, the same on every member, or remove " + PACKET_SECURITY + ".");
			}
			logger.warn("Zynco: " + SECRET + " is not set, so this node binds to loopback (" + bind
					+ ") only and does not authenticate members or packets. Set " + SECRET + " (at least "
					+ MIN_SECRET_BYTES + " bytes, the same on every member) to form a cluster across hosts.");
			// the control handshake is keyed even on loopback: a well-known key, which is why this binds to loopback only
			builder.secret(loopbackKey(cluster)).packetSecurity(PacketSecurity.NONE);
			return;
		}
		byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
		if (bytes.length < MIN_SECRET_BYTES) {
			throw new InvalidZyncoConfigurationException(SECRET, "<" + bytes.length + " bytes, hidden>",
					"the cluster secret has " + bytes.length + " bytes; at least " + MIN_SECRET_BYTES + " are required",
					"Set " + SECRET + " to a random secret of at least " + MIN_SECRET_BYTES
							+ " bytes (32 recommended), the same on every member.");
		}
		PacketSecurity effective = (packetSecurity != null) ? packetSecurity : PacketSecurity.AES_GCM;
		if (effective == PacketSecurity.NONE && !loopback) {
			throw new InvalidZyncoConfigurationException(PACKET_SECURITY, effective,
					"unauthenticated packets are allowed on loopback only, but " + BIND_ADDRESS + " is '" + bind + "'",
					"Set " + PACKET_SECURITY + " to aes-gcm (the default with a secret) or hmac-sha256.");
		}
		builder.secret(bytes).packetSecurity(effective);
	}

	/**
	 * The key of nodes without a configured secret: derived from the cluster name, so that
	 * every such node of the cluster on this host shares it. It is public knowledge and
	 * authenticates nothing; it only satisfies the keyed handshake of the control channel.
	 */
	static byte[] loopbackKey(String cluster) {
		try {
			return MessageDigest.getInstance("SHA-256")
				.digest(("zynco loopback-only key of cluster " + cluster).getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	private static void control(ZyncoProperties.Control control, NodeConfig.Builder builder) {
		String bind = bindAddress(control);
		if (isWildcard(bind)) {
			throw new InvalidZyncoConfigurationException(BIND_ADDRESS, bind,
					"the wildcard address cannot be advertised to peers",
					"Set " + BIND_ADDRESS + " to this host's address on the cluster network.");
		}
		port("zynco.control.port", control.getPort(), 0);
		builder.bindHost(bind).controlPort(control.getPort());
	}

	private static void membership(ZyncoProperties.Membership membership, NodeConfig.Builder builder) {
		for (String seed : membership.getSeeds()) {
			builder.seed(seed(seed));
		}
		Duration heartbeat = membership.getHeartbeatInterval();
		check(heartbeat, "zynco.membership.heartbeat-interval");
		Duration failure = membership.getFailureTimeout();
		check(failure, "zynco.membership.failure-timeout");
		if (failure.compareTo(heartbeat.multipliedBy(2)) < 0) {
			throw new InvalidZyncoConfigurationException("zynco.membership.failure-timeout", failure,
					"the failure timeout must be at least twice the heartbeat interval (" + heartbeat + ")",
					"Raise zynco.membership.failure-timeout or lower zynco.membership.heartbeat-interval.");
		}
		builder.heartbeatInterval(heartbeat).failureTimeout(failure);
	}

	private static InetSocketAddress seed(String seed) {
		String property = "zynco.membership.seeds";
		String action = "Give each seed as host:port, the control address of a member (its "
				+ BIND_ADDRESS + " and zynco.control.port), for example 10.0.0.7:7600.";
		if (seed == null) {
			throw new InvalidZyncoConfigurationException(property, null, "a seed is empty", action);
		}
		int colon = seed.lastIndexOf(':');
		if (colon <= 0 || colon == seed.length() - 1) {
			throw new InvalidZyncoConfigurationException(property, seed, "a seed needs a host and a port", action);
		}
		String host = seed.substring(0, colon).trim();
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port;
		try {
			port = Integer.parseInt(seed.substring(colon + 1).trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidZyncoConfigurationException(property, seed, "the port of a seed is not a number", action);
		}
		if (port <= 0 || port > 65535) {
			throw new InvalidZyncoConfigurationException(property, seed, "the port of a seed must be within 1..65535",
					action);
		}
		return InetSocketAddress.createUnresolved(host, port);
	}

	private static void transfer(ZyncoProperties properties, NodeConfig.Builder builder) {
		ZyncoProperties.Transfer transfer = properties.getTransfer();
		ZyncoProperties.Multicast multicast = properties.getMulticast();
		String bind = bindAddress(properties.getControl());
		boolean loopback = isLoopback(bind);
		if (transfer.getMode() == null) {
			throw new InvalidZyncoConfigurationException("zynco.transfer.mode", null, "the transport mode is not set",
					"Set zynco.transfer.mode to auto, multicast or unicast.");
		}
		builder.transportMode(transfer.getMode());
		String group = multicast.getGroup();
		if (!StringUtils.hasText(group) || !isIpLiteral(group) || !address(group).isMulticastAddress()) {
			throw new InvalidZyncoConfigurationException("zynco.multicast.group", group,
					"the multicast group must be a multicast IP address",
					"Set zynco.multicast.group to an address in 239.0.0.0/8 (organisation-local), such as 239.255.90.1.");
		}
		port("zynco.multicast.port", multicast.getPort(), 1);
		builder.multicastGroup(group, multicast.getPort());
		String networkInterface = multicast.getNetworkInterface();
		if (!StringUtils.hasText(networkInterface) && transfer.getMode() != TransportMode.UNICAST) {
			networkInterface = loopback ? "lo" : interfaceOf(bind);
		}
		if (StringUtils.hasText(networkInterface)) {
			builder.multicastInterface(networkInterface);
		}
		int ttl = (multicast.getTtl() != null) ? multicast.getTtl() : (loopback ? 0 : 1);
		if (ttl < 0 || ttl > 255) {
			throw new InvalidZyncoConfigurationException("zynco.multicast.ttl", ttl, "the TTL must be within 0..255",
					"Set zynco.multicast.ttl to 0 (this host), 1 (the local network) or the hops your routers need.");
		}
		builder.multicastTtl(ttl);
		long packetSize = bytes(transfer.getPacketSize(), "zynco.transfer.packet-size");
		if (packetSize < 576 || packetSize > 65_507) {
			throw new InvalidZyncoConfigurationException("zynco.transfer.packet-size", transfer.getPacketSize(),
					"the packet size must be within 576 B..65507 B", "Set zynco.transfer.packet-size to 1472B for an "
							+ "Ethernet MTU of 1500, 8972B for jumbo frames, or up to 65507B on loopback.");
		}
		builder.packetSize((int) packetSize);
		long socketBuffer = bytes(transfer.getSocketBuffer(), "zynco.transfer.socket-buffer");
		if (socketBuffer < 64 * 1024 || socketBuffer > Integer.MAX_VALUE) {
			throw new InvalidZyncoConfigurationException("zynco.transfer.socket-buffer", transfer.getSocketBuffer(),
					"the socket buffer must be at least 64KB and below 2GB", "Set zynco.transfer.socket-buffer to, say, 4MB.");
		}
		builder.socketBufferBytes((int) socketBuffer);
		long initialRate = bytes(transfer.getInitialRate(), "zynco.transfer.initial-rate");
		long maxRate = bytes(transfer.getMaxRate(), "zynco.transfer.max-rate");
		if (initialRate <= 0) {
			throw new InvalidZyncoConfigurationException("zynco.transfer.initial-rate", transfer.getInitialRate(),
					"the initial send rate must be positive", "Set zynco.transfer.initial-rate to, say, 100MB (per second).");
		}
		if (maxRate < initialRate) {
			throw new InvalidZyncoConfigurationException("zynco.transfer.max-rate", transfer.getMaxRate(),
					"the maximum send rate is below the initial rate (" + transfer.getInitialRate() + ")",
					"Set zynco.transfer.max-rate at or above zynco.transfer.initial-rate.");
		}
		builder.sendRate(initialRate, maxRate);
		check(transfer.getDeadline(), "zynco.transfer.deadline");
		builder.transferDeadline(transfer.getDeadline());
		long maxSize = bytes(transfer.getMaxSize(), "zynco.transfer.max-size");
		if (maxSize <= 0 || maxSize > Integer.MAX_VALUE - 64) {
			throw new InvalidZyncoConfigurationException("zynco.transfer.max-size", transfer.getMaxSize(),
					"the largest transfer must be within 1B..2GB", "Set zynco.transfer.max-size to at most 2GB; "
							+ "publish larger changes as several versions.");
		}
		builder.maxTransferBytes(maxSize);
	}

	private static void chain(ZyncoProperties.Chain chain, NodeConfig.Builder builder) {
		if (chain.getMaxVersions() < 2) {
			throw new InvalidZyncoConfigurationException("zynco.chain.max-versions", chain.getMaxVersions(),
					"the window must hold at least 2 versions (the active one and the newest)",
					"Set zynco.chain.max-versions to 2 or more; the default is 8.");
		}
		long memory = Long.MAX_VALUE;
		if (chain.getMaxMemory() != null) {
			memory = chain.getMaxMemory().toBytes();
			if (memory <= 0) {
				throw new InvalidZyncoConfigurationException("zynco.chain.max-memory", chain.getMaxMemory(),
						"the memory budget must be positive",
						"Set zynco.chain.max-memory to a size such as 2GB, or remove it for no budget.");
			}
		}
		builder.chain(chain.getMaxVersions(), memory);
	}

	private static void check(Duration duration, String property) {
		if (duration == null || duration.isZero() || duration.isNegative()) {
			throw new InvalidZyncoConfigurationException(property, duration, "the duration must be positive",
					"Set " + property + " to a positive duration such as 500ms or 30s.");
		}
	}

	private static long bytes(DataSize size, String property) {
		if (size == null) {
			throw new InvalidZyncoConfigurationException(property, null, "the size is not set",
					"Set " + property + " to a size such as 1472B or 4MB.");
		}
		return size.toBytes();
	}

	private static void port(String property, int port, int min) {
		if (port < min || port > 65535) {
			throw new InvalidZyncoConfigurationException(property, port, "the port must be within " + min + "..65535",
					"Set " + property + " to a free port" + ((min == 0) ? ", or 0 for any free one." : "."));
		}
	}

	/**
	 * The control channel's bind address as an IP literal: the property itself, or the address
	 * a host name resolves to (for example a container's or pod's own host name), which must
	 * be an address of this host, since peers reach the node there.
	 */
	static String bindAddress(ZyncoProperties.Control control) {
		String bind = control.getBindAddress();
		if (!StringUtils.hasText(bind)) {
			throw new InvalidZyncoConfigurationException(BIND_ADDRESS, bind,
					"the bind address must be an IP address of this host, which peers use to reach it",
					"Set " + BIND_ADDRESS + " to an IP literal such as 127.0.0.1, this host's address on the "
							+ "cluster network, or a host name that resolves to it (not 0.0.0.0).");
		}
		if (isIpLiteral(bind)) {
			return bind;
		}
		InetAddress resolved;
		try {
			resolved = InetAddress.getByName(bind);
		}
		catch (UnknownHostException ex) {
			throw new InvalidZyncoConfigurationException(BIND_ADDRESS, bind, "the host name does not resolve",
					"Set " + BIND_ADDRESS + " to this host's IP address on the cluster network, or to a host name "
							+ "that resolves to it.");
		}
		boolean local;
		try {
			local = resolved.isLoopbackAddress() || NetworkInterface.getByInetAddress(resolved) != null;
		}
		catch (SocketException ex) {
			local = false;
		}
		if (!local) {
			throw new InvalidZyncoConfigurationException(BIND_ADDRESS, bind,
					"the host name resolves to " + resolved.getHostAddress() + ", which is not an address of this host",
					"Set " + BIND_ADDRESS + " to this host's IP address on the cluster network, or to a host name "
							+ "that resolves to it.");
		}
		return resolved.getHostAddress();
	}

	static boolean isLoopback(String host) {
		if (host == null) {
			return false;
		}
		if (host.equals("localhost")) {
			return true;
		}
		return isIpLiteral(host) && address(host).isLoopbackAddress();
	}

	private static boolean isWildcard(String host) {
		return address(host).isAnyLocalAddress();
	}

	private static boolean isIpLiteral(String host) {
		if (host.equals("localhost")) {
			return true;
		}
		if (host.indexOf(':') >= 0) {
			return host.matches("[0-9A-Fa-f:.]+");
		}
		return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
	}

	private static InetAddress address(String literal) {
		try {
			// an IP literal: no name lookup happens
			return InetAddress.getByName(literal);
		}
		catch (UnknownHostException ex) {
			throw new InvalidZyncoConfigurationException(null, literal, "'" + literal + "' is not an IP address",
					"Use an IP literal.", ex);
		}
	}

	private static String interfaceOf(String bind) {
		try {
			NetworkInterface found = NetworkInterface.getByInetAddress(address(bind));
			if (found != null) {
				return found.getName();
			}
		}
		catch (SocketException ex) {
			// reported below
		}
		throw new InvalidZyncoConfigurationException("zynco.multicast.network-interface", null,
				"no network interface of this host has the address " + bind + " (" + BIND_ADDRESS + ")",
				"Set " + BIND_ADDRESS + " to an address of this host, or name the interface with "
						+ "zynco.multicast.network-interface.");
	}

}
