package io.zynco.membership;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hashing;

import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Heartbeat;
import io.zynco.protocol.ControlMessage.HeartbeatAck;
import io.zynco.protocol.ControlMessage.ProbeReply;
import io.zynco.protocol.ControlMessage.ProbeRequest;
import io.zynco.protocol.ControlMessage.StateStatus;
import io.zynco.protocol.ControlMessage.View;
import io.zynco.protocol.ControlMessage.ViewRequest;
import io.zynco.protocol.MemberInfo;
import io.zynco.transport.ControlListener;

/**
 * One node's view of the cluster: who is live, how well each member answers, and who
 * coordinates (the oldest live member, {@link MemberInfo#olderThan}).
 *
 * <p>Membership knows no transport. The node forwards every control-channel event to it (it is
 * a {@link ControlListener}: {@code onConnected}, {@code onDisconnected}, and
 * {@code onMessage} for <em>every</em> frame, since any frame proves its sender alive), calls
 * {@link #tick(long)} at least every heartbeat interval, and carries out what membership asks
 * through a {@link MembershipOutput}: send a message, dial an address, close a connection.
 * Changes of the view are reported to a {@link MembershipListener}.
 *
 * <h2>In short</h2>
 * <ul>
 * <li>A member joins the view only when its own control connection passes the handshake
 * (hearsay never adds a member), and stays until it is removed as below.
 * <li>Every heartbeat interval, a {@link Heartbeat} goes to every member, carrying this node's
 * readiness, last switch, states and view digest; the receiver answers a {@link HeartbeatAck},
 * from which the sender measures the round trip (RTT, moving average with weight
 * {@link MembershipConfig#rttAlpha()}).
 * <li>A member's failure timeout is {@code failureTimeoutBase + 2 × RTT average}. Silent longer
 * than that, or disconnected, it becomes {@link MemberState#SUSPECT}: up to
 * {@link MembershipConfig#probeFanOut()} other members are asked ({@link ProbeRequest}) when
 * they last heard from it, and a disconnected member is dialed again. A frame from it, or a
 * reply saying it was heard within the timeout (and after our own last news), clears the
 * suspicion; otherwise it is removed one more timeout later. A suspected member is still live:
 * it counts in the view and may still be the coordinator.
 * <li>When a heartbeat's view digest differs from ours, we send the peer our {@link View}; a
 * view naming members we do not know makes us dial them. Members we removed recently are not
 * learned back from others' views (only their own connection brings them back).
 * </ul>
 * The full description, with the reasons, is in docs/replication.md, "Membership algorithm".
 *
 * <p>Time comes only from the injected node clock and from {@link #tick(long)}'s argument,
 * both in nanoseconds on the same scale; membership never sleeps nor reads the system clock.
 *
 * <p>Not thread-safe: confined to the node loop. Every method, queries included, must be
 * called on that thread; other threads post to the loop.
 */
public final class Membership implements ControlListener {

	private static final System.Logger logger = System.getLogger(Membership.class.getName());

	/** How many recent heartbeats are remembered to validate acks (12.8 s at 200 ms). */
	private static final int HEARTBEAT_HISTORY = 64;

	private static final long NANOS_PER_MILLI = 1_000_000L;

	private static final Comparator<MemberInfo> BY_AGE = (a, b) -> a.equals(b) ? 0 : (a.olderThan(b) ? -1 : 1);

	private final MemberInfo local;

	private final MembershipConfig config;

	private final List<InetSocketAddress> seeds;

	private final MembershipOutput output;

	private final MembershipListener listener;

	private final Supplier<LocalStatus> localStatus;

	private final LongSupplier nanoClock;

	private final long heartbeatIntervalNanos;

	private final long failureTimeoutBaseNanos;

	private final long reconnectIntervalNanos;

	private final long rejoinIntervalNanos;

	private final long removedRetentionNanos;

	private final Map<Long, Member> members = new HashMap<>();

	/** Recently removed members by id, oldest removal first. */
	private final LinkedHashMap<Long, Removed> removed = new LinkedHashMap<>();

	/** When each address was last dialed, so that dials are rate-limited. */
	private final Map<InetSocketAddress, Long> dials = new HashMap<>();

	/** Indirect probes awaiting a reply, by request id. */
	private final Map<Long, Probe> probes = new HashMap<>();

	private final long[] sentSequences = new long[HEARTBEAT_HISTORY];

	private final long[] sentNanos = new long[HEARTBEAT_HISTORY];

	private long heartbeatSequence;

	private long probeSequence;

	private boolean ticked;

	private long lastTickNanos;

	private long nextHeartbeatNanos;

	private long nextRejoinNanos;

	private long viewDigest;

	private MemberInfo coordinator;

	private long rejectedMembers;

	private Membership(Builder builder) {
		this.local = builder.local;
		this.config = builder.config;
		this.seeds = List.copyOf(builder.seeds);
		this.output = Objects.requireNonNull(builder.output, "output (what membership asks of the transport) is required");
		this.listener = builder.listener;
		this.localStatus = builder.localStatus;
		this.nanoClock = Objects.requireNonNull(builder.nanoClock, "nanoClock (the node's clock) is required");
		this.heartbeatIntervalNanos = this.config.heartbeatInterval().toNanos();
		this.failureTimeoutBaseNanos = this.config.failureTimeoutBase().toNanos();
		this.reconnectIntervalNanos = this.config.reconnectInterval().toNanos();
		this.rejoinIntervalNanos = this.config.rejoinInterval().toNanos();
		this.removedRetentionNanos = this.config.removedRetention().toNanos();
		Arrays.fill(this.sentSequences, -1);
		this.coordinator = this.local;
		this.viewDigest = computeViewDigest();
	}

	/** Starts configuring the membership of the node described by {@code local}. */
	public static Builder builder(MemberInfo local) {
		return new Builder(local);
	}

	// ---------------------------------------------------------------- events from the transport

	/**
	 * A control connection passed the handshake: the member joins the view, or, if it is
	 * already in it, is heard from (which clears a suspicion). A new process on the control
	 * address of a member in the view replaces that member ({@link RemovalReason#REPLACED}).
	 * Beyond {@link MembershipConfig#maxMembers()} the connection is closed.
	 */
	@Override
	public void onConnected(MemberInfo peer) {
		Objects.requireNonNull(peer, "peer");
		if (peer.id() == this.local.id()) {
			return;
		}
		long now = this.nanoClock.getAsLong();
		Member member = this.members.get(peer.id());
		if (member != null) {
			member.connected = true;
			heard(member, now);
			sendHeartbeat(member, now);
			return;
		}
		for (Member other : List.copyOf(this.members.values())) {
			if (sameAddress(other.info, peer) && other.info.startedAtMillis() <= peer.startedAtMillis()) {
				remove(other, RemovalReason.REPLACED, now);
			}
		}
		if (this.members.size() + 1 >= this.config.maxMembers()) {
			this.rejectedMembers++;
			logger.log(System.Logger.Level.WARNING, () -> "refusing member " + peer + ": the view is full ("
					+ this.config.maxMembers() + " members, membership maxMembers)");
			this.output.disconnect(peer.id());
			return;
		}
		this.removed.remove(peer.id());
		member = new Member(peer, now);
		this.members.put(peer.id(), member);
		viewChanged();
		notifyListener(() -> this.listener.memberJoined(peer));
		updateCoordinator();
		sendHeartbeat(member, now);
	}

	/**
	 * A member's control connection closed: the member becomes {@link MemberState#SUSPECT}
	 * (it is not removed yet) and is dialed again.
	 */
	@Override
	public void onDisconnected(long memberId) {
		Member member = this.members.get(memberId);
		if (member != null && member.connected) {
			disconnected(member, this.nanoClock.getAsLong());
		}
	}

	/**
	 * A frame arrived from an authenticated member. Every frame counts as a sign of life (it
	 * clears a suspicion); the membership messages ({@link Heartbeat}, {@link HeartbeatAck},
	 * {@link View}, {@link ViewRequest}, {@link ProbeRequest}, {@link ProbeReply}) are handled,
	 * the others left to the node. Frames from members not in the view are ignored.
	 */
	@Override
	public void onMessage(long from, ControlMessage message) {
		Member member = this.members.get(from);
		if (member == null || message == null) {
			return;
		}
		long now = this.nanoClock.getAsLong();
		heard(member, now);
		if (message instanceof Heartbeat heartbeat) {
			onHeartbeat(member, heartbeat, now);
		}
		else if (message instanceof HeartbeatAck ack) {
			onHeartbeatAck(member, ack, now);
		}
		else if (message instanceof View view) {
			onView(view, now);
		}
		else if (message instanceof ViewRequest) {
			this.output.send(from, currentView());
		}
		else if (message instanceof ProbeRequest request) {
			onProbeRequest(from, request, now);
		}
		else if (message instanceof ProbeReply reply) {
			onProbeReply(from, reply, now);
		}
	}

	/** A dial failed; the next attempt follows on the usual schedule. */
	@Override
	public void onConnectFailed(InetSocketAddress address, Throwable cause) {
	}

	// ---------------------------------------------------------------- periodic work

	/**
	 * Starts membership now: the first {@link #tick(long)} at the node clock's current time,
	 * which dials the seeds. Calling it is optional (the first tick does the same).
	 */
	public void start() {
		tick(this.nanoClock.getAsLong());
	}

	/**
	 * Periodic work: dials seeds (at the first tick, then every reconnect interval while the
	 * view holds no other member) and, every rejoin interval, the seeds not in the view and the
	 * recently removed members; sends heartbeats every heartbeat interval; dials disconnected
	 * members again; suspects silent members and removes those suspected for more than a
	 * failure timeout. Call it on the node loop at least every heartbeat interval.
	 *
	 * <p>A gap since the previous tick of more than half the failure timeout base means this
	 * node itself stalled (a long pause of the process or the loop); that time is not counted
	 * against the members, who could not reach us meanwhile.
	 * @param nowNanos the node clock's current time
	 */
	public void tick(long nowNanos) {
		long now = nowNanos;
		if (!this.ticked) {
			this.ticked = true;
			this.nextHeartbeatNanos = now;
			this.nextRejoinNanos = now + this.rejoinIntervalNanos;
		}
		else if (now - this.lastTickNanos > this.failureTimeoutBaseNanos / 2) {
			discountStall(this.lastTickNanos, now - this.lastTickNanos);
		}
		this.lastTickNanos = now;
		prune(now);
		dialSeedsAndRemoved(now);
		if (now - this.nextHeartbeatNanos >= 0) {
			heartbeatAll(now);
			this.nextHeartbeatNanos += this.heartbeatIntervalNanos;
			if (now - this.nextHeartbeatNanos >= 0) {
				this.nextHeartbeatNanos = now + this.heartbeatIntervalNanos;
			}
		}
		detectFailures(now);
	}

	// ---------------------------------------------------------------- queries

	/** This node. */
	public MemberInfo local() {
		return this.local;
	}

	public MembershipConfig config() {
		return this.config;
	}

	/** The live members (alive or suspected), this node included, oldest (the coordinator) first. */
	public List<MemberInfo> liveMembers() {
		List<MemberInfo> live = new ArrayList<>(this.members.size() + 1);
		live.add(this.local);
		for (Member member : this.members.values()) {
			live.add(member.info);
		}
		live.sort(BY_AGE);
		return List.copyOf(live);
	}

	/** The ids of the live members (alive or suspected), this node included. */
	public Set<Long> liveMemberIds() {
		Set<Long> ids = new HashSet<>(this.members.keySet());
		ids.add(this.local.id());
		return Collections.unmodifiableSet(ids);
	}

	/** Whether the member is live (alive or suspected) in this node's view; true for this node. */
	public boolean alive(long memberId) {
		return memberId == this.local.id() || this.members.containsKey(memberId);
	}

	/** A live member by id (this node included). */
	public Optional<MemberInfo> member(long memberId) {
		if (memberId == this.local.id()) {
			return Optional.of(this.local);
		}
		Member member = this.members.get(memberId);
		return (member != null) ? Optional.of(member.info) : Optional.empty();
	}

	/** The oldest live member, possibly this node. */
	public MemberInfo coordinator() {
		return this.coordinator;
	}

	/** Whether this node is the coordinator in its own view. */
	public boolean isCoordinator() {
		return this.coordinator.id() == this.local.id();
	}

	/**
	 * A 64-bit digest of the live members' ids and start times, independent of order: XXH3 over
	 * (id, startedAtMillis) pairs sorted by id. Equal views have equal digests.
	 */
	public long viewDigest() {
		return this.viewDigest;
	}

	/** A member's status (this node included), or empty if it is not in the view. */
	public Optional<MemberStatus> status(long memberId) {
		long now = this.nanoClock.getAsLong();
		if (memberId == this.local.id()) {
			return Optional.of(localStatus(now));
		}
		Member member = this.members.get(memberId);
		return (member != null) ? Optional.of(status(member, now)) : Optional.empty();
	}

	/** Every live member's status, this node included, oldest first. */
	public List<MemberStatus> statuses() {
		long now = this.nanoClock.getAsLong();
		List<MemberStatus> statuses = new ArrayList<>(this.members.size() + 1);
		for (MemberInfo info : liveMembers()) {
			statuses.add((info.id() == this.local.id()) ? localStatus(now) : status(this.members.get(info.id()), now));
		}
		return List.copyOf(statuses);
	}

	/**
	 * A member's failure timeout: {@code failureTimeoutBase + 2 × RTT average}; the base alone
	 * for this node, for unknown members and before the first RTT sample.
	 */
	public long failureTimeoutNanos(long memberId) {
		Member member = this.members.get(memberId);
		return (member != null) ? timeoutNanos(member) : this.failureTimeoutBaseNanos;
	}

	/** How many members were refused because the view was full. */
	public long rejectedMembers() {
		return this.rejectedMembers;
	}

	@Override
	public String toString() {
		return "Membership[local=" + this.local + ", coordinator=" + this.coordinator + ", members="
				+ this.members.values().stream().map((m) -> m.info + ":" + m.state).toList() + "]";
	}

	// ---------------------------------------------------------------- message handling

	private void onHeartbeat(Member member, Heartbeat heartbeat, long now) {
		member.ready = heartbeat.ready();
		member.switchId = heartbeat.switchId();
		member.states = (heartbeat.states() != null) ? List.copyOf(heartbeat.states()) : List.of();
		member.reportedDigest = heartbeat.viewDigest();
		this.output.send(member.info.id(), new HeartbeatAck(heartbeat.sequence(), heartbeat.sentNanos()));
		if (heartbeat.viewDigest() != this.viewDigest) {
			repairView(member, heartbeat.viewDigest(), now);
		}
	}

	private void onHeartbeatAck(Member member, HeartbeatAck ack, long now) {
		long sequence = ack.sequence();
		if (sequence <= 0) {
			return;
		}
		int slot = (int) (sequence % HEARTBEAT_HISTORY);
		if (sequence <= member.lastAckedSequence || this.sentSequences[slot] != sequence
				|| this.sentNanos[slot] != ack.echoedSentNanos()) {
			return;
		}
		member.lastAckedSequence = sequence;
		long sample = now - ack.echoedSentNanos();
		if (sample < 0) {
			return;
		}
		member.rttNanos = (member.rttNanos < 0) ? sample
				: member.rttNanos + this.config.rttAlpha() * (sample - member.rttNanos);
	}

	/**
	 * Sends our view to a peer whose digest differs, at most once per failure timeout base for
	 * the same pair of digests (a new pair is repaired at once).
	 */
	private void repairView(Member member, long theirDigest, long now) {
		if (member.viewPushed && member.pushedOurDigest == this.viewDigest && member.pushedTheirDigest == theirDigest
				&& now - member.viewPushedNanos < this.failureTimeoutBaseNanos) {
			return;
		}
		member.viewPushed = true;
		member.pushedOurDigest = this.viewDigest;
		member.pushedTheirDigest = theirDigest;
		member.viewPushedNanos = now;
		this.output.send(member.info.id(), currentView());
	}

	/**
	 * Learns members from a peer's view: dials each one we do not know, unless we removed it
	 * recently, or it is an earlier process on our own address or on the address of a member we
	 * know or removed. The view's coordinator id is not used: each node derives its own.
	 */
	private void onView(View view, long now) {
		if (view.members() == null) {
			return;
		}
		for (MemberInfo info : view.members()) {
			if (this.members.size() + 1 >= this.config.maxMembers()) {
				return;
			}
			if (info == null || info.id() == this.local.id() || this.members.containsKey(info.id())
					|| this.removed.containsKey(info.id()) || supersededIncarnation(info)) {
				continue;
			}
			dial(addressOf(info), now);
		}
	}

	private void onProbeRequest(long from, ProbeRequest request, long now) {
		long millisAgo;
		if (request.memberId() == this.local.id()) {
			millisAgo = 0;
		}
		else {
			Member member = this.members.get(request.memberId());
			millisAgo = (member != null && member.connected) ? (now - member.lastHeardNanos) / NANOS_PER_MILLI : -1;
		}
		this.output.send(from, new ProbeReply(request.requestId(), request.memberId(), millisAgo));
	}

	/**
	 * Clears a suspicion when the responder heard from the suspect recently enough and more
	 * recently than we did: the earliest moment its answer may refer to (request time minus the
	 * reported age) is within the suspect's failure timeout and after our own last news. An
	 * answer no fresher than what we know is no evidence.
	 */
	private void onProbeReply(long from, ProbeReply reply, long now) {
		Probe probe = this.probes.get(reply.requestId());
		if (probe == null || probe.responderId != from || probe.suspectId != reply.memberId()) {
			return;
		}
		this.probes.remove(reply.requestId());
		Member suspect = this.members.get(probe.suspectId);
		if (suspect == null || suspect.state != MemberState.SUSPECT || reply.lastHeardMillisAgo() < 0
				|| reply.lastHeardMillisAgo() > Long.MAX_VALUE / NANOS_PER_MILLI) {
			return;
		}
		long heardAt = probe.sentNanos - reply.lastHeardMillisAgo() * NANOS_PER_MILLI;
		if (now - heardAt > timeoutNanos(suspect) || heardAt - suspect.heardNanos() <= 0) {
			return;
		}
		suspect.indirectHeardNanos = heardAt;
		recover(suspect);
	}

	// ---------------------------------------------------------------- periodic parts

	private void discountStall(long lastTick, long gap) {
		for (Member member : this.members.values()) {
			if (lastTick - member.lastHeardNanos >= 0) {
				member.lastHeardNanos += gap;
			}
			if (lastTick - member.indirectHeardNanos >= 0) {
				member.indirectHeardNanos += gap;
			}
			if (member.state == MemberState.SUSPECT && lastTick - member.suspectedNanos >= 0) {
				member.suspectedNanos += gap;
			}
		}
	}

	private void prune(long now) {
		this.dials.values().removeIf((at) -> now - at >= this.reconnectIntervalNanos);
		Iterator<Removed> it = this.removed.values().iterator();
		while (it.hasNext()) {
			Removed r = it.next();
			if (now - r.removedNanos < this.removedRetentionNanos && this.removed.size() <= this.config.maxMembers()) {
				break;
			}
			it.remove();
		}
		this.probes.values().removeIf((probe) -> {
			Member suspect = this.members.get(probe.suspectId);
			return suspect == null || suspect.state != MemberState.SUSPECT || now - probe.sentNanos > timeoutNanos(suspect);
		});
	}

	private void dialSeedsAndRemoved(long now) {
		if (this.members.isEmpty()) {
			for (InetSocketAddress seed : this.seeds) {
				if (!matches(seed, this.local)) {
					dial(seed, now);
				}
			}
		}
		if (now - this.nextRejoinNanos >= 0) {
			this.nextRejoinNanos = now + this.rejoinIntervalNanos;
			for (InetSocketAddress seed : this.seeds) {
				if (!matches(seed, this.local) && !knownAddress(seed)) {
					dial(seed, now);
				}
			}
			for (Removed r : List.copyOf(this.removed.values())) {
				InetSocketAddress address = addressOf(r.info);
				if (!knownAddress(address)) {
					dial(address, now);
				}
			}
		}
	}

	private void heartbeatAll(long now) {
		Heartbeat heartbeat = newHeartbeat(now);
		for (Member member : List.copyOf(this.members.values())) {
			if (this.members.get(member.info.id()) != member) {
				continue;
			}
			if (this.output.send(member.info.id(), heartbeat)) {
				member.connected = true;
			}
			else if (member.connected) {
				disconnected(member, now);
			}
			else {
				dial(addressOf(member.info), now);
			}
		}
	}

	private void detectFailures(long now) {
		for (Member member : List.copyOf(this.members.values())) {
			if (this.members.get(member.info.id()) != member) {
				continue;
			}
			long timeout = timeoutNanos(member);
			if (member.state == MemberState.ALIVE) {
				if (now - member.heardNanos() > timeout) {
					suspect(member, now);
				}
			}
			else if (now - member.suspectedNanos > timeout) {
				remove(member, RemovalReason.UNREACHABLE, now);
			}
		}
	}

	// ---------------------------------------------------------------- transitions

	private void heard(Member member, long now) {
		if (now - member.lastHeardNanos > 0) {
			member.lastHeardNanos = now;
		}
		if (member.state == MemberState.SUSPECT) {
			recover(member);
		}
	}

	private void recover(Member member) {
		member.state = MemberState.ALIVE;
		this.probes.values().removeIf((probe) -> probe.suspectId == member.info.id());
		notifyListener(() -> this.listener.memberRecovered(member.info));
	}

	private void disconnected(Member member, long now) {
		member.connected = false;
		if (member.state == MemberState.ALIVE) {
			suspect(member, now);
		}
		dial(addressOf(member.info), now);
	}

	private void suspect(Member member, long now) {
		member.state = MemberState.SUSPECT;
		member.suspectedNanos = now;
		List<Member> responders = new ArrayList<>();
		for (Member other : this.members.values()) {
			if (other != member && other.connected && other.state == MemberState.ALIVE) {
				responders.add(other);
			}
		}
		responders.sort(Comparator.comparingLong((Member m) -> now - m.lastHeardNanos)
			.thenComparingLong((m) -> m.info.id()));
		int fanOut = Math.min(this.config.probeFanOut(), responders.size());
		List<Probe> sent = new ArrayList<>(fanOut);
		for (int i = 0; i < fanOut; i++) {
			Probe probe = new Probe(++this.probeSequence, member.info.id(), responders.get(i).info.id(), now);
			this.probes.put(probe.requestId, probe);
			sent.add(probe);
		}
		notifyListener(() -> this.listener.memberSuspected(member.info));
		for (Probe probe : sent) {
			this.output.send(probe.responderId, new ProbeRequest(probe.requestId, probe.suspectId));
		}
		if (!member.connected) {
			dial(addressOf(member.info), now);
		}
	}

	private void remove(Member member, RemovalReason reason, long now) {
		long id = member.info.id();
		this.members.remove(id);
		this.removed.remove(id);
		this.removed.put(id, new Removed(member.info, now));
		this.probes.values().removeIf((probe) -> probe.suspectId == id);
		viewChanged();
		this.output.disconnect(id);
		notifyListener(() -> this.listener.memberLeft(member.info, reason));
		updateCoordinator();
	}

	private void viewChanged() {
		this.viewDigest = computeViewDigest();
	}

	private void updateCoordinator() {
		MemberInfo oldest = this.local;
		for (Member member : this.members.values()) {
			if (member.info.olderThan(oldest)) {
				oldest = member.info;
			}
		}
		MemberInfo previous = this.coordinator;
		if (!previous.equals(oldest)) {
			this.coordinator = oldest;
			MemberInfo current = oldest;
			notifyListener(() -> this.listener.coordinatorChanged(previous, current));
		}
	}

	// ---------------------------------------------------------------- helpers

	private Heartbeat newHeartbeat(long now) {
		LocalStatus status = this.localStatus.get();
		long sequence = ++this.heartbeatSequence;
		int slot = (int) (sequence % HEARTBEAT_HISTORY);
		this.sentSequences[slot] = sequence;
		this.sentNanos[slot] = now;
		return new Heartbeat(sequence, now, this.viewDigest, status.ready(), status.switchId(), status.states());
	}

	private void sendHeartbeat(Member member, long now) {
		this.output.send(member.info.id(), newHeartbeat(now));
	}

	private View currentView() {
		return new View(this.coordinator.id(), liveMembers());
	}

	private long timeoutNanos(Member member) {
		return this.failureTimeoutBaseNanos + 2 * Math.max(0, Math.round(member.rttNanos));
	}

	private void dial(InetSocketAddress address, long now) {
		Long last = this.dials.get(address);
		if (last != null && now - last < this.reconnectIntervalNanos) {
			return;
		}
		if (last == null && this.dials.size() >= 4 * this.config.maxMembers()) {
			return;
		}
		this.dials.put(address, now);
		this.output.connect(address);
	}

	/**
	 * Whether {@code info} is another process on this node's control address (an earlier
	 * incarnation of this node), or a process no newer than one we know or removed on the same
	 * address: either way it must be gone.
	 */
	private boolean supersededIncarnation(MemberInfo info) {
		if (sameAddress(this.local, info)) {
			return true;
		}
		for (Member member : this.members.values()) {
			if (sameAddress(member.info, info) && info.startedAtMillis() <= member.info.startedAtMillis()) {
				return true;
			}
		}
		for (Removed r : this.removed.values()) {
			if (sameAddress(r.info, info) && info.startedAtMillis() <= r.info.startedAtMillis()) {
				return true;
			}
		}
		return false;
	}

	private boolean knownAddress(InetSocketAddress address) {
		for (Member member : this.members.values()) {
			if (matches(address, member.info)) {
				return true;
			}
		}
		return false;
	}

	private static boolean sameAddress(MemberInfo a, MemberInfo b) {
		return a.controlPort() == b.controlPort() && a.host().equals(b.host());
	}

	private static boolean matches(InetSocketAddress address, MemberInfo member) {
		if (address.getPort() != member.controlPort()) {
			return false;
		}
		if (address.getHostString().equals(member.host())) {
			return true;
		}
		return !address.isUnresolved() && address.getAddress().getHostAddress().equals(member.host());
	}

	private static InetSocketAddress addressOf(MemberInfo member) {
		return new InetSocketAddress(member.host(), member.controlPort());
	}

	private long computeViewDigest() {
		long[][] pairs = new long[this.members.size() + 1][];
		int i = 0;
		pairs[i++] = new long[] { this.local.id(), this.local.startedAtMillis() };
		for (Member member : this.members.values()) {
			pairs[i++] = new long[] { member.info.id(), member.info.startedAtMillis() };
		}
		Arrays.sort(pairs, Comparator.comparingLong((long[] p) -> p[0]));
		HashStream64 stream = Hashing.xxh3_64().hashStream();
		for (long[] pair : pairs) {
			stream.putLong(pair[0]).putLong(pair[1]);
		}
		return stream.getAsLong();
	}

	private MemberStatus localStatus(long now) {
		LocalStatus status = this.localStatus.get();
		return new MemberStatus(this.local, MemberState.ALIVE, true, true, now, 0, 0, this.failureTimeoutBaseNanos,
				status.ready(), status.switchId(), status.states(), this.viewDigest);
	}

	private MemberStatus status(Member member, long now) {
		return new MemberStatus(member.info, member.state, false, member.connected, member.lastHeardNanos,
				now - member.lastHeardNanos, (member.rttNanos < 0) ? -1 : Math.round(member.rttNanos),
				timeoutNanos(member), member.ready, member.switchId, member.states, member.reportedDigest);
	}

	private void notifyListener(Runnable call) {
		try {
			call.run();
		}
		catch (RuntimeException ex) {
			logger.log(System.Logger.Level.WARNING, "membership listener failed", ex);
		}
	}

	// ---------------------------------------------------------------- table entries

	/** One member in the view. */
	private static final class Member {

		final MemberInfo info;

		MemberState state = MemberState.ALIVE;

		boolean connected = true;

		/** Node-clock time of the last frame received from the member. */
		long lastHeardNanos;

		/** Earliest time a positive probe reply may refer to. */
		long indirectHeardNanos;

		long suspectedNanos;

		/** Round-trip moving average in nanoseconds, -1 before the first sample. */
		double rttNanos = -1;

		long lastAckedSequence;

		boolean ready;

		long switchId;

		List<StateStatus> states = List.of();

		long reportedDigest;

		boolean viewPushed;

		long pushedOurDigest;

		long pushedTheirDigest;

		long viewPushedNanos;

		Member(MemberInfo info, long now) {
			this.info = info;
			this.lastHeardNanos = now;
			this.indirectHeardNanos = now;
		}

		long heardNanos() {
			return (this.indirectHeardNanos - this.lastHeardNanos > 0) ? this.indirectHeardNanos : this.lastHeardNanos;
		}

	}

	private record Removed(MemberInfo info, long removedNanos) {
	}

	private record Probe(long requestId, long suspectId, long responderId, long sentNanos) {
	}

	// ---------------------------------------------------------------- builder

	/** Configures a {@link Membership}. Not thread-safe. */
	public static final class Builder {

		private final MemberInfo local;

		private MembershipConfig config = MembershipConfig.defaults();

		private List<InetSocketAddress> seeds = List.of();

		private MembershipOutput output;

		private MembershipListener listener = MembershipListener.NONE;

		private Supplier<LocalStatus> localStatus = () -> LocalStatus.READY_WITHOUT_STATES;

		private LongSupplier nanoClock;

		private Builder(MemberInfo local) {
			this.local = Objects.requireNonNull(local, "local");
		}

		/** Tuning; default {@link MembershipConfig#defaults()}. */
		public Builder config(MembershipConfig config) {
			this.config = Objects.requireNonNull(config, "config");
			return this;
		}

		/** Control addresses to dial at start and while the view holds no other member. */
		public Builder seeds(List<InetSocketAddress> seeds) {
			this.seeds = List.copyOf(Objects.requireNonNull(seeds, "seeds"));
			return this;
		}

		/** What membership asks of the transport (required). */
		public Builder output(MembershipOutput output) {
			this.output = Objects.requireNonNull(output, "output");
			return this;
		}

		/** Hears view changes; default none. */
		public Builder listener(MembershipListener listener) {
			this.listener = Objects.requireNonNull(listener, "listener");
			return this;
		}

		/** This node's readiness and states, read for every heartbeat; default ready with no state. */
		public Builder localStatus(Supplier<LocalStatus> localStatus) {
			this.localStatus = Objects.requireNonNull(localStatus, "localStatus");
			return this;
		}

		/** The node's clock in nanoseconds, on the scale of {@link Membership#tick(long)}'s argument (required). */
		public Builder nanoClock(LongSupplier nanoClock) {
			this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
			return this;
		}

		public Membership build() {
			return new Membership(this);
		}

	}

}
