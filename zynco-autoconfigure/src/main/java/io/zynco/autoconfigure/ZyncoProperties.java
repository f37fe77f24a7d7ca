package io.zynco.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.zynco.replication.NodeConfig;
import io.zynco.replication.SwitchPolicy;
import io.zynco.transport.TransportMode;

/**
 * Configuration of a Zynco node, bound from {@code zynco.*}. Unset values fall back to the
 * defaults of {@link NodeConfig}, which work on one machine's loopback; values are checked
 * when the node is built, and a bad one fails the start with a message naming the property.
 * Not thread-safe (a binding target).
 */
@ConfigurationProperties("zynco")
public class ZyncoProperties {

	/** Whether to run a Zynco node, the @ZyncoState scope and the routing filter. */
	private boolean enabled = true;

	/** Operator-facing name of this node; a random "node-" name when unset. */
	private String nodeName;

	/** Name of the cluster; defaults to spring.application.name, lower-cased, or "zynco". */
	private String clusterName;

	private final Control control = new Control();

	private final Membership membership = new Membership();

	private final Multicast multicast = new Multicast();

	private final Transfer transfer = new Transfer();

	private final Chain chain = new Chain();

	private final Switching switching = new Switching();

	private final Security security = new Security();

	private final Scope scope = new Scope();

	private final Routing routing = new Routing();

	private final Scheduling scheduling = new Scheduling();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getNodeName() {
		return this.nodeName;
	}

	public void setNodeName(String nodeName) {
		this.nodeName = nodeName;
	}

	public String getClusterName() {
		return this.clusterName;
	}

	public void setClusterName(String clusterName) {
		this.clusterName = clusterName;
	}

	public Control getControl() {
		return this.control;
	}

	public Membership getMembership() {
		return this.membership;
	}

	public Multicast getMulticast() {
		return this.multicast;
	}

	public Transfer getTransfer() {
		return this.transfer;
	}

	public Chain getChain() {
		return this.chain;
	}

	public Switching getSwitching() {
		return this.switching;
	}

	public Security getSecurity() {
		return this.security;
	}

	public Scope getScope() {
		return this.scope;
	}

	public Routing getRouting() {
		return this.routing;
	}

	public Scheduling getScheduling() {
		return this.scheduling;
	}

	/** The TCP control channel: membership, feedback and switch coordination. */
	public static class Control {

		/** IP address both channels bind to and advertise to peers (or a host name resolving to one of this host's addresses, such as a container's own); loopback unless a secret is set. */
		private String bindAddress = "127.0.0.1";

		/** TCP port of the control channel; 0 picks a free port (give seeds a fixed one). */
		private int port = 0;

		public String getBindAddress() {
			return this.bindAddress;
		}

		public void setBindAddress(String bindAddress) {
			this.bindAddress = bindAddress;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

	}

	/** Joining the cluster and detecting failed members. */
	public static class Membership {

		/** Control addresses ("host:port") of members to contact at start. */
		private List<String> seeds = new ArrayList<>();

		/** Interval between heartbeats on the control channel. */
		private Duration heartbeatInterval = Duration.ofMillis(200);

		/** Base of the failure timeout, to which twice the average round-trip time is added. */
		private Duration failureTimeout = Duration.ofSeconds(1);

		public List<String> getSeeds() {
			return this.seeds;
		}

		public void setSeeds(List<String> seeds) {
			this.seeds = seeds;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public Duration getFailureTimeout() {
			return this.failureTimeout;
		}

		public void setFailureTimeout(Duration failureTimeout) {
			this.failureTimeout = failureTimeout;
		}

	}

	/** The UDP multicast group that carries data packets. */
	public static class Multicast {

		/** Multicast group address. */
		private String group = "239.255.90.1";

		/** UDP port of the multicast group. */
		private int port = 45_901;

		/** Network interface for multicast; "lo" on a loopback bind, else the bind address's interface. */
		private String networkInterface;

		/** Multicast time-to-live; 0 (this host) on a loopback bind, else 1 (the local network). */
		private Integer ttl;

		public String getGroup() {
			return this.group;
		}

		public void setGroup(String group) {
			this.group = group;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public String getNetworkInterface() {
			return this.networkInterface;
		}

		public void setNetworkInterface(String networkInterface) {
			this.networkInterface = networkInterface;
		}

		public Integer getTtl() {
			return this.ttl;
		}

		public void setTtl(Integer ttl) {
			this.ttl = ttl;
		}

	}

	/** How versions travel: the data plane. */
	public static class Transfer {

		/** How data packets reach members: multicast, unicast, or auto (probe multicast, else unicast). */
		private TransportMode mode = TransportMode.AUTO;

		/** Largest UDP datagram sent, headers included (1472 B suits an Ethernet MTU). */
		private DataSize packetSize = DataSize.ofBytes(1_472);

		/** Requested send and receive buffer of the data socket (the kernel may cap it). */
		private DataSize socketBuffer = DataSize.ofMegabytes(4);

		/** Send rate a transfer starts at, per second; it adapts to feedback. */
		private DataSize initialRate = DataSize.ofMegabytes(100);

		/** Highest send rate of a transfer, per second. */
		private DataSize maxRate = DataSize.ofGigabytes(1);

		/** Time after which members that have not completed a transfer are dropped from it and catch up. */
		private Duration deadline = Duration.ofSeconds(60);

		/** Largest transfer accepted from a peer; 2 GB at most. */
		private DataSize maxSize = DataSize.ofMegabytes(2047);

		public TransportMode getMode() {
			return this.mode;
		}

		public void setMode(TransportMode mode) {
			this.mode = mode;
		}

		public DataSize getPacketSize() {
			return this.packetSize;
		}

		public void setPacketSize(DataSize packetSize) {
			this.packetSize = packetSize;
		}

		public DataSize getSocketBuffer() {
			return this.socketBuffer;
		}

		public void setSocketBuffer(DataSize socketBuffer) {
			this.socketBuffer = socketBuffer;
		}

		public DataSize getInitialRate() {
			return this.initialRate;
		}

		public void setInitialRate(DataSize initialRate) {
			this.initialRate = initialRate;
		}

		public DataSize getMaxRate() {
			return this.maxRate;
		}

		public void setMaxRate(DataSize maxRate) {
			this.maxRate = maxRate;
		}

		public Duration getDeadline() {
			return this.deadline;
		}

		public void setDeadline(Duration deadline) {
			this.deadline = deadline;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

	}

	/** The window of recent versions each state keeps. */
	public static class Chain {

		/** Most versions of each state kept in the window (at least 2). */
		private int maxVersions = 8;

		/** Heap budget of each state's window, shared segments counted once; unbounded when unset. */
		private DataSize maxMemory;

		public int getMaxVersions() {
			return this.maxVersions;
		}

		public void setMaxVersions(int maxVersions) {
			this.maxVersions = maxVersions;
		}

		public DataSize getMaxMemory() {
			return this.maxMemory;
		}

		public void setMaxMemory(DataSize maxMemory) {
			this.maxMemory = maxMemory;
		}

	}

	/** The cluster-wide two-phase switch. */
	public static class Switching {

		/** Default switch policy: auto switches once every member holds a new version, manual waits for an operator. */
		private SwitchPolicy policy = SwitchPolicy.AUTO;

		/** Switch policy of individual states, by state name, overriding the default policy. */
		private Map<String, SwitchPolicy> policies = new LinkedHashMap<>();

		/** Time the coordinator waits for every member to prepare before it aborts the switch. */
		private Duration prepareTimeout = Duration.ofSeconds(30);

		public SwitchPolicy getPolicy() {
			return this.policy;
		}

		public void setPolicy(SwitchPolicy policy) {
			this.policy = policy;
		}

		public Map<String, SwitchPolicy> getPolicies() {
			return this.policies;
		}

		public void setPolicies(Map<String, SwitchPolicy> policies) {
			this.policies = policies;
		}

		public Duration getPrepareTimeout() {
			return this.prepareTimeout;
		}

		public void setPrepareTimeout(Duration prepareTimeout) {
			this.prepareTimeout = prepareTimeout;
		}

	}

	/** Authentication of members and packets. */
	public static class Security {

		/** Cluster secret shared by every member, at least 16 bytes; without it a node binds to loopback only. */
		private String secret;

		/** Protection of data packets; aes-gcm with a secret, none without one (loopback only). */
		private NodeConfig.PacketSecurity packetSecurity;

		public String getSecret() {
			return this.secret;
		}

		public void setSecret(String secret) {
			this.secret = secret;
		}

		public NodeConfig.PacketSecurity getPacketSecurity() {
			return this.packetSecurity;
		}

		public void setPacketSecurity(NodeConfig.PacketSecurity packetSecurity) {
			this.packetSecurity = packetSecurity;
		}

	}

	/** The @ZyncoState scope: one bean instance per version of the states it is built from. */
	public static class Scope {

		/** Whether instances of versions no longer active are kept while their versions are in the window, so a rollback reuses them. */
		private boolean retainInactive = true;

		public boolean isRetainInactive() {
			return this.retainInactive;
		}

		public void setRetainInactive(boolean retainInactive) {
			this.retainInactive = retainInactive;
		}

	}

	/**
	 * How the JVM's threads share the CPU with request threads during a switch. Zynco's own
	 * background threads always get a long scheduler slice where the platform has one (system
	 * property zynco.background-slice-micros; see io.zynco.state.Yield).
	 */
	public static class Scheduling {

		/**
		 * Whether the JVM's JIT compiler and concurrent GC threads get the long scheduler slice
		 * of background threads too (Linux 6.12 and later), so that request threads preempt them
		 * at once.
		 */
		private boolean jvmThreads = false;

		/**
		 * How often the JVM's threads are given the slice again when jvm-threads is on, since
		 * the JVM starts compiler threads as it goes.
		 */
		private Duration jvmThreadsInterval = Duration.ofSeconds(10);

		public boolean isJvmThreads() {
			return this.jvmThreads;
		}

		public void setJvmThreads(boolean jvmThreads) {
			this.jvmThreads = jvmThreads;
		}

		public Duration getJvmThreadsInterval() {
			return this.jvmThreadsInterval;
		}

		public void setJvmThreadsInterval(Duration jvmThreadsInterval) {
			this.jvmThreadsInterval = jvmThreadsInterval;
		}

	}

	/** Pinning each web request to the view active at its arrival. */
	public static class Routing {

		/** Whether to register the filter (servlet or reactive) that pins each request to one view. */
		private boolean enabled = true;

		/** Response header naming the versions a request was served from; empty for none. */
		private String responseHeader = "Zynco-Versions";

		/** Whether tasks submitted to the application task executor within a request see the request's view. */
		private boolean propagateToTasks = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getResponseHeader() {
			return this.responseHeader;
		}

		public void setResponseHeader(String responseHeader) {
			this.responseHeader = responseHeader;
		}

		public boolean isPropagateToTasks() {
			return this.propagateToTasks;
		}

		public void setPropagateToTasks(boolean propagateToTasks) {
			this.propagateToTasks = propagateToTasks;
		}

	}

}
