package io.zynco.membership;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.MemberInfo;

/**
 * A deterministic in-memory cluster of {@link Membership} instances: one shared fake clock, a
 * fake network of ordered connections with per-link latency, and ticks every
 * {@link #tickNanos}. Nothing happens between calls: {@link #deliver()} delivers what is due
 * now, {@link #advance(long)} moves the clock, delivering and ticking on the way.
 *
 * <p>The network follows the control channel's contract: a dial reaches an address after the
 * link's latency and, if a live, unpaused process listens there and the link is not cut,
 * both ends hear {@code onConnected} (the dialer one latency later); messages on a connection
 * arrive in order; closing a connection (or a crash) tells the other end after the latency.
 * A cut link (partition or black hole) drops messages in flight; connection events over a cut
 * link wait until it heals (a reset is only seen once packets flow). A paused process (a long
 * GC pause, a stuck loop) neither ticks nor handles anything: what arrives waits in its
 * backlog until it resumes.
 */
final class SimCluster {

	static final long MS = 1_000_000L;

	static final long SECOND = 1_000 * MS;

	static final long WALL_EPOCH_MILLIS = 1_700_000_000_000L;

	static final int PORT = 7000;

	enum Mode {

		DOWN, UP, PAUSED

	}

	final MembershipConfig config;

	final long tickNanos;

	private final SplittableRandom random;

	private final List<Node> nodes = new ArrayList<>();

	private final PriorityQueue<Event> events = new PriorityQueue<>();

	private final Map<Long, long[]> linkLatency = new HashMap<>();

	private final Set<Long> blackholes = new HashSet<>();

	private long baseLatencyNanos = MS;

	private long eventSequence;

	private long now;

	private long nextTickNanos;

	private long dropped;

	SimCluster(int size, MembershipConfig config, long tickNanos, long seed) {
		this.config = config;
		this.tickNanos = tickNanos;
		this.random = new SplittableRandom(seed);
		for (int i = 0; i < size; i++) {
			this.nodes.add(new Node(i));
		}
	}

	static SimCluster of(int size, long seed) {
		return new SimCluster(size, MembershipConfig.defaults(), 50 * MS, seed);
	}

	// ---------------------------------------------------------------- time

	long now() {
		return this.now;
	}

	/** Delivers every event due now (and those they cause now). */
	void deliver() {
		int guard = 0;
		while (!this.events.isEmpty() && this.events.peek().at <= this.now) {
			if (++guard > 1_000_000) {
				throw new IllegalStateException("runaway events at " + this.now);
			}
			this.events.poll().action.run();
		}
	}

	/** Moves the clock forward, delivering events and ticking the live nodes on the way. */
	void advance(long nanos) {
		long end = this.now + nanos;
		while (true) {
			Event next = this.events.peek();
			if (next != null && next.at <= this.nextTickNanos) {
				if (next.at > end) {
					break;
				}
				this.now = Math.max(this.now, next.at);
				deliver();
			}
			else {
				if (this.nextTickNanos > end) {
					break;
				}
				this.now = this.nextTickNanos;
				deliver();
				for (Node node : this.nodes) {
					if (node.mode == Mode.UP) {
						node.membership.tick(this.now);
					}
				}
				this.nextTickNanos += this.tickNanos;
			}
		}
		this.now = end;
	}

	/**
	 * Advances tick by tick until the condition holds, at most {@code maxNanos}.
	 * @return the time it took, or -1 if the condition never held
	 */
	long runUntil(BooleanSupplier condition, long maxNanos) {
		long start = this.now;
		while (this.now - start <= maxNanos) {
			if (condition.getAsBoolean()) {
				return this.now - start;
			}
			advance(this.tickNanos);
		}
		return -1;
	}

	// ---------------------------------------------------------------- nodes

	Node node(int index) {
		return this.nodes.get(index);
	}

	List<Node> nodes() {
		return this.nodes;
	}

	int size() {
		return this.nodes.size();
	}

	/** Starts (or restarts, as a new process with a new id) the node at this index. */
	Node start(int index, int... seedIndexes) {
		Node node = this.nodes.get(index);
		List<InetSocketAddress> seeds = new ArrayList<>();
		for (int s : seedIndexes) {
			seeds.add(this.nodes.get(s).address);
		}
		node.seeds = seeds;
		return restart(index);
	}

	/** Restarts the node with its previous seeds: a crash if it was running, then a new process. */
	Node restart(int index) {
		Node node = this.nodes.get(index);
		if (node.mode != Mode.DOWN) {
			kill(index);
		}
		long id;
		do {
			id = this.random.nextLong();
		}
		while (id == 0 || idInUse(id));
		node.connections.clear();
		node.backlog.clear();
		node.info = new MemberInfo(id, "n" + index, WALL_EPOCH_MILLIS + this.now / MS, node.host, PORT, PORT + 1);
		node.recorder = new Recorder(this);
		node.dialed.clear();
		node.membership = Membership.builder(node.info)
			.config(this.config)
			.seeds(node.seeds)
			.output(new NodeOutput(node, id))
			.listener(node.recorder)
			.nanoClock(this::now)
			.build();
		node.mode = Mode.UP;
		node.incarnations++;
		return node;
	}

	/** A crash: the process is gone and its connections reset (peers hear it one latency later). */
	void kill(int index) {
		Node node = this.nodes.get(index);
		node.mode = Mode.DOWN;
		node.backlog.clear();
		for (Connection c : List.copyOf(node.connections.values())) {
			close(c, node, false);
		}
	}

	/**
	 * The process is gone without a word (power loss, a cable pulled): its peers' connections
	 * stay half-open, and what they send is lost.
	 */
	void vanish(int index) {
		Node node = this.nodes.get(index);
		node.mode = Mode.DOWN;
		node.backlog.clear();
		node.connections.clear();
	}

	/** A hang: the process stops handling anything, its connections stay open. */
	void pause(int index) {
		Node node = this.nodes.get(index);
		if (node.mode == Mode.UP) {
			node.mode = Mode.PAUSED;
		}
	}

	/** The hang ends: the backlog is handled, in order, then ticks resume. */
	void resume(int index) {
		Node node = this.nodes.get(index);
		if (node.mode != Mode.PAUSED) {
			return;
		}
		node.mode = Mode.UP;
		int guard = 0;
		while (!node.backlog.isEmpty() && node.mode == Mode.UP) {
			if (++guard > 10_000_000) {
				throw new IllegalStateException("runaway backlog");
			}
			node.backlog.poll().run();
		}
	}

	// ---------------------------------------------------------------- network

	/** Cuts the network into groups: nodes in different groups cannot reach each other. */
	void partition(int[]... groups) {
		for (Node node : this.nodes) {
			node.group = -1;
		}
		for (int g = 0; g < groups.length; g++) {
			for (int index : groups[g]) {
				this.nodes.get(index).group = g;
			}
		}
		int lone = groups.length;
		for (Node node : this.nodes) {
			if (node.group < 0) {
				node.group = lone++;
			}
		}
	}

	/** Heals every partition and black hole. */
	void heal() {
		for (Node node : this.nodes) {
			node.group = 0;
		}
		this.blackholes.clear();
	}

	/** Drops everything between two nodes, both ways, while their connection stays open. */
	void blackhole(int a, int b) {
		this.blackholes.add(pairKey(a, b));
	}

	/** Latency between two nodes, each way, uniformly in [min, max] per message (in order). */
	void latency(int a, int b, long minNanos, long maxNanos) {
		this.linkLatency.put(pairKey(a, b), new long[] { minNanos, maxNanos });
	}

	long dropped() {
		return this.dropped;
	}

	boolean cut(Node a, Node b) {
		return a.group != b.group || this.blackholes.contains(pairKey(a.index, b.index));
	}

	private long latency(Node a, Node b) {
		long[] range = this.linkLatency.get(pairKey(a.index, b.index));
		if (range == null) {
			return this.baseLatencyNanos;
		}
		return range[0] + ((range[1] > range[0]) ? this.random.nextLong(range[1] - range[0] + 1) : 0);
	}

	private static long pairKey(int a, int b) {
		return ((long) Math.min(a, b) << 32) | Math.max(a, b);
	}

	private boolean idInUse(long id) {
		for (Node node : this.nodes) {
			if (node.info != null && node.info.id() == id) {
				return true;
			}
		}
		return false;
	}

	private Node at(InetSocketAddress address) {
		for (Node node : this.nodes) {
			if (node.host.equals(address.getHostString()) && address.getPort() == PORT) {
				return node;
			}
		}
		return null;
	}

	private void schedule(long at, Runnable action) {
		this.events.add(new Event(at, this.eventSequence++, action));
	}

	/** Runs an action on a process if it is still the same incarnation; waits while it is paused. */
	private void deliverTo(Node node, long incarnationId, Consumer<Membership> action) {
		if (node.mode == Mode.DOWN || node.info.id() != incarnationId) {
			this.dropped++;
			return;
		}
		if (node.mode == Mode.PAUSED) {
			node.backlog.add(() -> deliverTo(node, incarnationId, action));
			return;
		}
		action.accept(node.membership);
	}

	/** Sends along a connection, in order; a message over a cut link is lost. */
	private void transmit(Connection c, Node from, Consumer<Membership> action) {
		Node to = c.other(from);
		long toId = c.idOf(to);
		int direction = c.direction(from);
		long at = Math.max(this.now + latency(from, to), c.lastArrival[direction]);
		c.lastArrival[direction] = at;
		schedule(at, () -> {
			if (cut(from, to)) {
				this.dropped++;
				return;
			}
			deliverTo(to, toId, action);
		});
	}

	/** Sends a connection event, in order; over a cut link it waits until the link heals. */
	private void signal(Connection c, Node from, Consumer<Membership> action) {
		Node to = c.other(from);
		long toId = c.idOf(to);
		int direction = c.direction(from);
		long at = Math.max(this.now + latency(from, to), c.lastArrival[direction]);
		c.lastArrival[direction] = at;
		schedule(at, new Runnable() {

			@Override
			public void run() {
				if (cut(from, to)) {
					schedule(SimCluster.this.now + 100 * MS, this);
					return;
				}
				deliverTo(to, toId, action);
			}

		});
	}

	private void dial(Node dialer, long dialerId, InetSocketAddress address) {
		Node target = at(address);
		if (target == null) {
			return;
		}
		schedule(this.now + latency(dialer, target), () -> {
			if (dialer.mode == Mode.DOWN || dialer.info.id() != dialerId || target == dialer
					|| target.mode != Mode.UP || cut(dialer, target)) {
				return;
			}
			long targetId = target.info.id();
			Connection existing = dialer.connections.get(targetId);
			if (existing != null && existing.open) {
				return;
			}
			Connection c = new Connection(dialer, dialerId, target, targetId);
			dialer.connections.put(targetId, c);
			target.connections.put(dialerId, c);
			MemberInfo dialerInfo = dialer.info;
			MemberInfo targetInfo = target.info;
			signal(c, target, (m) -> m.onConnected(targetInfo));
			target.membership.onConnected(dialerInfo);
		});
	}

	/** Closes a connection; the closing end (if alive) hears it at once, the other end later. */
	private void close(Connection c, Node closer, boolean tellCloser) {
		if (!c.open) {
			return;
		}
		c.open = false;
		Node other = c.other(closer);
		long closerId = c.idOf(closer);
		long otherId = c.idOf(other);
		closer.connections.remove(otherId, c);
		other.connections.remove(closerId, c);
		if (tellCloser) {
			schedule(this.now, () -> deliverTo(closer, closerId, (m) -> {
				if (!closer.connections.containsKey(otherId)) {
					m.onDisconnected(otherId);
				}
			}));
		}
		signal(c, closer, (m) -> {
			if (!other.connections.containsKey(closerId)) {
				m.onDisconnected(closerId);
			}
		});
	}

	// ---------------------------------------------------------------- views

	List<Node> upNodes() {
		return this.nodes.stream().filter((n) -> n.mode == Mode.UP).toList();
	}

	/** Whether every running node sees exactly the running nodes, one coordinator, a full mesh. */
	boolean converged() {
		List<Node> up = upNodes();
		if (up.isEmpty()) {
			return true;
		}
		Set<Long> ids = up.stream().map((n) -> n.info.id()).collect(Collectors.toSet());
		long coordinator = up.get(0).membership.coordinator().id();
		for (Node node : up) {
			if (!node.liveIds().equals(ids) || node.membership.coordinator().id() != coordinator) {
				return false;
			}
			for (Node other : up) {
				Connection c = node.connections.get(other.info.id());
				if (other != node && (c == null || !c.open)) {
					return false;
				}
			}
		}
		return true;
	}

	String describe() {
		StringBuilder sb = new StringBuilder("t=" + this.now / MS + "ms\n");
		for (Node node : this.nodes) {
			sb.append("  ").append(node.index).append(' ').append(node.mode);
			if (node.membership != null) {
				sb.append(' ').append(node.membership).append(" conns=").append(node.connections.keySet().stream()
					.map(Long::toHexString)
					.toList());
			}
			sb.append('\n');
		}
		return sb.toString();
	}

	// ---------------------------------------------------------------- types

	/** One slot of the cluster: an address and the process currently running there. */
	final class Node {

		final int index;

		final String host;

		final InetSocketAddress address;

		final Map<Long, Connection> connections = new HashMap<>();

		final ArrayDeque<Runnable> backlog = new ArrayDeque<>();

		final List<InetSocketAddress> dialed = new ArrayList<>();

		List<InetSocketAddress> seeds = List.of();

		Mode mode = Mode.DOWN;

		MemberInfo info;

		Membership membership;

		Recorder recorder;

		int group;

		int incarnations;

		Node(int index) {
			this.index = index;
			this.host = "10.0.0." + (index + 1);
			this.address = new InetSocketAddress(this.host, PORT);
		}

		long id() {
			return this.info.id();
		}

		Set<Long> liveIds() {
			return this.membership.liveMembers().stream().map(MemberInfo::id).collect(Collectors.toSet());
		}

		@Override
		public String toString() {
			return "node " + this.index + ((this.info != null) ? " " + this.info : "");
		}

	}

	/** The transport of one process. */
	private final class NodeOutput implements MembershipOutput {

		private final Node node;

		private final long id;

		NodeOutput(Node node, long id) {
			this.node = node;
			this.id = id;
		}

		private boolean current() {
			return this.node.mode != Mode.DOWN && this.node.info.id() == this.id;
		}

		@Override
		public boolean send(long memberId, ControlMessage message) {
			if (!current()) {
				return false;
			}
			Connection c = this.node.connections.get(memberId);
			if (c == null || !c.open) {
				return false;
			}
			long from = this.id;
			transmit(c, this.node, (m) -> m.onMessage(from, message));
			return true;
		}

		@Override
		public void connect(InetSocketAddress address) {
			if (current()) {
				this.node.dialed.add(address);
				dial(this.node, this.id, address);
			}
		}

		@Override
		public void disconnect(long memberId) {
			if (!current()) {
				return;
			}
			Connection c = this.node.connections.get(memberId);
			if (c != null) {
				close(c, this.node, true);
			}
		}

	}

	/** A control connection between two processes. */
	static final class Connection {

		final Node a;

		final long aId;

		final Node b;

		final long bId;

		final long[] lastArrival = new long[2];

		boolean open = true;

		Connection(Node a, long aId, Node b, long bId) {
			this.a = a;
			this.aId = aId;
			this.b = b;
			this.bId = bId;
		}

		Node other(Node node) {
			return (node == this.a) ? this.b : this.a;
		}

		long idOf(Node node) {
			return (node == this.a) ? this.aId : this.bId;
		}

		int direction(Node from) {
			return (from == this.a) ? 0 : 1;
		}

	}

	private record Event(long at, long sequence, Runnable action) implements Comparable<Event> {

		@Override
		public int compareTo(Event other) {
			int c = Long.compare(this.at, other.at);
			return (c != 0) ? c : Long.compare(this.sequence, other.sequence);
		}

	}

	/** Records what a listener heard, with the time. */
	static final class Recorder implements MembershipListener {

		enum Kind {

			JOINED, LEFT, SUSPECTED, RECOVERED, COORDINATOR

		}

		record Heard(long at, Kind kind, MemberInfo member, RemovalReason reason) {
		}

		private final SimCluster cluster;

		final List<Heard> heard = new ArrayList<>();

		Recorder(SimCluster cluster) {
			this.cluster = cluster;
		}

		@Override
		public void memberJoined(MemberInfo member) {
			this.heard.add(new Heard(this.cluster.now, Kind.JOINED, member, null));
		}

		@Override
		public void memberLeft(MemberInfo member, RemovalReason reason) {
			this.heard.add(new Heard(this.cluster.now, Kind.LEFT, member, reason));
		}

		@Override
		public void memberSuspected(MemberInfo member) {
			this.heard.add(new Heard(this.cluster.now, Kind.SUSPECTED, member, null));
		}

		@Override
		public void memberRecovered(MemberInfo member) {
			this.heard.add(new Heard(this.cluster.now, Kind.RECOVERED, member, null));
		}

		@Override
		public void coordinatorChanged(MemberInfo previous, MemberInfo current) {
			this.heard.add(new Heard(this.cluster.now, Kind.COORDINATOR, current, null));
		}

		List<Heard> of(Kind kind, long memberId) {
			return this.heard.stream().filter((h) -> h.kind == kind && h.member.id() == memberId).toList();
		}

		/** When the first such event happened, or -1. */
		long first(Kind kind, long memberId) {
			List<Heard> list = of(kind, memberId);
			return list.isEmpty() ? -1 : list.get(0).at;
		}

	}

}
