package io.zynco.replication;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.netty.channel.EventLoop;

import io.zynco.membership.LocalStatus;
import io.zynco.membership.MemberStatus;
import io.zynco.membership.Membership;
import io.zynco.membership.MembershipListener;
import io.zynco.membership.RemovalReason;
import io.zynco.membership.StateReport;
import io.zynco.protocol.ControlFrameCodec;
import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Abort;
import io.zynco.protocol.ControlMessage.CatchUpChunk;
import io.zynco.protocol.ControlMessage.CatchUpRequest;
import io.zynco.protocol.ControlMessage.Commit;
import io.zynco.protocol.ControlMessage.Heartbeat;
import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.Pin;
import io.zynco.protocol.ControlMessage.Prepare;
import io.zynco.protocol.ControlMessage.Prepared;
import io.zynco.protocol.ControlMessage.PublishChunk;
import io.zynco.protocol.ControlMessage.PublishRequest;
import io.zynco.protocol.ControlMessage.PublishResult;
import io.zynco.protocol.ControlMessage.StateStatus;
import io.zynco.protocol.ControlMessage.SwitchRequest;
import io.zynco.protocol.ControlMessage.SwitchResult;
import io.zynco.protocol.ControlMessage.Switched;
import io.zynco.protocol.ControlMessage.TransferAck;
import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.protocol.ControlMessage.TransferDrop;
import io.zynco.protocol.DataPacket;
import io.zynco.protocol.MemberInfo;
import io.zynco.protocol.StateVersion;
import io.zynco.replication.transfer.RateController;
import io.zynco.replication.transfer.TransferReceiver;
import io.zynco.replication.transfer.TransferRejectedException;
import io.zynco.replication.transfer.TransferSender;
import io.zynco.replication.transfer.TransferSpec;
import io.zynco.replication.transfer.PacketOutcome;
import io.zynco.replication.transfer.TransferOutput;
import io.zynco.replication.transfer.TransferResult;
import io.zynco.state.ChangeSet;
import io.zynco.state.Delta;
import io.zynco.state.DeltaFormatException;
import io.zynco.state.DeltaMismatchException;
import io.zynco.state.Edit;
import io.zynco.state.Fingerprints;
import io.zynco.state.Snapshot;
import io.zynco.state.StateType;
import io.zynco.state.Yield;
import io.zynco.transport.ControlChannel;
import io.zynco.transport.ControlListener;
import io.zynco.transport.DataChannel;
import io.zynco.transport.DataListener;
import io.zynco.transport.TransportMode;
import io.zynco.transport.netty.NettyTransports;
import io.zynco.version.Version;
import io.zynco.version.VersionChain;
import io.zynco.version.VersionChain.ParentCost;

/**
 * A member of a Zynco cluster: holds the registered states, replicates new versions to and
 * from the other members, and switches with them.
 *
 * <h2>Roles</h2> Every node serves its {@linkplain #view() view}. The oldest live member is
 * also the <em>coordinator</em>: it assigns version numbers, sends every new version to the
 * others (one UDP multicast send per packet, repairs on NACK), and runs the two-phase
 * switch. A publish on another node travels to the coordinator over TCP first.
 *
 * <h2>Threading</h2> All protocol state is confined to one event-loop thread (the node
 * loop). Public methods are thread-safe: they hop onto the loop and return futures. Heavy
 * work (applying a delta, encoding, preparing beans) runs on worker threads and posts its
 * result back. {@link #view()} is a volatile read and never blocks.
 */
public final class ZyncoNode implements AutoCloseable {

	private static final System.Logger LOG = System.getLogger(ZyncoNode.class.getName());

	private static final int CATCH_UP_CHUNK = 1 << 20;

	/** Largest delta a member forwards to the coordinator in one control frame. */
	static final int MAX_FORWARDED_DELTA = (16 << 20) - 64;

	/** Piece size of a delta forwarded in {@link PublishChunk}s. */
	static final int PUBLISH_CHUNK = 1 << 20;

	private final NodeConfig config;

	private final Map<String, Slot> slots = new LinkedHashMap<>();

	private final AtomicReference<ClusterView> view = new AtomicReference<>(ClusterView.EMPTY);

	private final List<ReplicationListener> listeners = new CopyOnWriteArrayList<>();

	private final List<SwitchParticipant> participants = new CopyOnWriteArrayList<>();

	private final NodeStats stats = new NodeStats();

	private final AtomicLong ids = new AtomicLong(ThreadLocalRandom.current().nextLong() & 0x7FFF_FFFF_FFFF_0000L);

	private volatile State lifecycle = State.NEW;

	private volatile boolean ready;

	private MemberInfo self;

	private NettyTransports transports;

	private EventLoop loop;

	private ExecutorService worker;

	/** Whether the loop ticks (between start and close; node loop only). */
	private boolean ticking;

	/** When the next tick is due, on {@link System#nanoTime()} (node loop only). */
	private long nextTickAt;

	/** Ticks run so far (written by the node loop). */
	private volatile long ticks;

	/** Streaming decode steps run for incoming transfers (written by the node loop; tests). */
	private volatile long streamSteps;

	/** Control messages this node ignores on arrival, as if lost with a connection (tests). */
	private volatile Predicate<ControlMessage> dropIncomingControl;

	/** Transfers from this size on are decoded while their packets arrive. */
	private static final long STREAM_MIN_BYTES = 4L << 20;

	/** New contiguous bytes of a transfer that make a streaming decode step worth a task. */
	private static final int STREAM_STEP_BYTES = 2 << 20;

	/** Threads of the worker pool; large snapshots are decoded and applied on all of them. */
	private static final int WORKER_THREADS = 2;

	private ControlChannel control;

	private DataChannel data;

	private Membership membership;

	private ScheduledFuture<?> ticker;

	private RateController rate;

	private TransferSender.Config senderConfig;

	private TransferReceiver.Config receiverConfig;

	// ---- state confined to the node loop

	/** Last heartbeat of every member (and a synthetic one for this node). */
	private final Map<Long, Heartbeat> statuses = new HashMap<>();

	private final Map<Long, MemberInfo> members = new HashMap<>();

	/** UDP data addresses of members, by id (see {@link #dataAddress(long)}). */
	private final Map<Long, InetSocketAddress> dataAddresses = new HashMap<>();

	/** Transfers this node sends, by transfer id. */
	private final Map<Long, Outgoing> outgoing = new HashMap<>();

	/**
	 * Arrays on their way to a member in control messages of 1 MiB (catch-up answers, deltas
	 * forwarded to the coordinator), in the order they started. Node loop only.
	 */
	private final List<ChunkedSend> chunkedSends = new ArrayList<>();

	/** Coordinator: large publishes arriving in pieces, by member. Node loop only. */
	private final PublishUploads uploads;

	/** Transfers this node receives, by transfer id. */
	private final Map<Long, Incoming> incoming = new HashMap<>();

	/** Requests this node made and awaits an answer to, by request id. */
	private final Map<Long, Pending> requests = new HashMap<>();

	/** Coordinator: publishes in progress, one per state. */
	private final Map<String, Publishing> publishing = new HashMap<>();

	/** Coordinator: switches waiting for their round; one round runs at a time. */
	private final List<SwitchPlan> switchQueue = new ArrayList<>();

	/** Coordinator: the round in progress. */
	private SwitchRound round;

	/**
	 * States pinned by operators, and at which version: on the coordinator the pins it
	 * enforces, on other members those the coordinator announced (so they survive its failure
	 * when the next coordinator had them).
	 */
	private final Map<String, Long> pins = new HashMap<>();

	/** {@link #pins} for readers off the loop. */
	private volatile Map<String, Long> pinsSnapshot = Map.of();

	/** Member: pins sent to the coordinator and awaiting its announcement, with their request ids. */
	private final List<Map.Entry<Pin, Long>> pinsInFlight = new ArrayList<>();

	/** {@link #memberViews()} for readers off the loop, refreshed by the tick. */
	private volatile List<MemberView> memberSnapshot = List.of();

	private long memberSnapshotAt;

	private static final long MEMBER_SNAPSHOT_NANOS = 100_000_000L;

	/** Member: the switch this node prepared and awaits the outcome of. */
	private PreparedSwitch prepared;

	/**
	 * Member: a prepare waiting for versions this node does not hold yet (newer than its
	 * newest, for example after a restart) and fetches from the coordinator first.
	 */
	private PendingPrepare pendingPrepare;

	/** Switch and rollback requests of this node waiting until it serves their switch. */
	private final List<AwaitSwitch> awaitingSwitch = new ArrayList<>();

	/** Member: catch-ups in progress, by state. */
	private final Map<String, CatchUp> catchUps = new HashMap<>();

	/** The newest catch-up request each member sent this node, per state (node loop only). */
	private final NewestRequests catchUpRequests = new NewestRequests();

	/** Highest version number this node has seen per state (for assigning the next). */
	private final Map<String, Long> highestVersion = new HashMap<>();

	private long highestSwitchId;

	private MemberInfo lastLeader;

	/** After a failed catch-up prepare, no new attempt before this time (when set). */
	private long catchUpRetryAfter;

	private boolean catchUpBackoff;

	private long lastAnnounce;

	private boolean announced;

	private static final long ANNOUNCE_INTERVAL_NANOS = 1_000_000_000L;

	private ZyncoNode(NodeConfig config) {
		this.config = config;
		this.uploads = new PublishUploads(config.maxTransferBytes);
	}

	/** A node with this configuration; register states, then {@link #start()}. */
	public static ZyncoNode create(NodeConfig config) {
		return new ZyncoNode(Objects.requireNonNull(config, "config"));
	}

	// ======================================================================= public API

	/**
	 * Registers a state before {@link #start()}. Its version 0 is the empty snapshot, active
	 * until the first publish.
	 */
	public synchronized <K, V> ReplicatedState<K, V> register(StateType<K, V> type, SwitchPolicy policy) {
		if (this.lifecycle != State.NEW) {
			throw new IllegalStateException("states are registered before the node starts");
		}
		if (this.slots.containsKey(type.name())) {
			throw new IllegalArgumentException("state '" + type.name() + "' is registered already");
		}
		VersionChain chain = VersionChain.builder()
			.maxVersions(this.config.chainMaxVersions)
			.maxHeapBytes(this.config.chainMaxHeapBytes)
			.clock(this.config.clock)
			.evictionListener((evicted) -> this.listeners
				.forEach((l) -> l.versionEvicted(type.name(), evicted.number())))
			.build();
		chain.appendAndActivate(0, type.emptySnapshot(), Version.NO_PARENT, "empty", -1);
		ReplicatedState<K, V> handle = new ReplicatedState<>(this, type, chain, policy);
		this.slots.put(type.name(), new Slot(type.name(), type.segmentBits(), chain, policy, handle));
		this.view.set(this.view.get().with(0, Map.of(type.name(), chain.active())));
		this.highestVersion.put(type.name(), 0L);
		return handle;
	}

	/** Registers a state that switches as soon as every member holds a new version. */
	public <K, V> ReplicatedState<K, V> register(StateType<K, V> type) {
		return register(type, SwitchPolicy.AUTO);
	}

	public void addListener(ReplicationListener listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener"));
	}

	public void addParticipant(SwitchParticipant participant) {
		this.participants.add(Objects.requireNonNull(participant, "participant"));
	}

	/** The versions this node serves now: one volatile read. */
	public ClusterView view() {
		return this.view.get();
	}

	/** This member, after {@link #start()}. */
	public MemberInfo self() {
		return this.self;
	}

	public NodeConfig config() {
		return this.config;
	}

	/** A registered state by name. */
	public ReplicatedState<?, ?> state(String name) {
		Slot slot = this.slots.get(name);
		if (slot == null) {
			throw new ReplicationException(ReplicationException.Reason.NOT_FOUND, "no state named '" + name + "'");
		}
		return slot.handle;
	}

	/**
	 * A registered state by its type.
	 * @throws ReplicationException if no state of that name is registered
	 * @throws IllegalArgumentException if the registered state has another type
	 */
	@SuppressWarnings("unchecked")
	public <K, V> ReplicatedState<K, V> state(StateType<K, V> type) {
		ReplicatedState<?, ?> handle = state(type.name());
		if (!handle.type().equals(type) && (handle.type().keyCodec() != type.keyCodec()
				|| handle.type().valueCodec() != type.valueCodec() || handle.type().segmentBits() != type.segmentBits())) {
			throw new IllegalArgumentException("state '" + type.name() + "' is registered as " + handle.type()
					+ " with other codecs than " + type);
		}
		return (ReplicatedState<K, V>) handle;
	}

	public Collection<ReplicatedState<?, ?>> states() {
		List<ReplicatedState<?, ?>> list = new ArrayList<>();
		this.slots.values().forEach((s) -> list.add(s.handle));
		return list;
	}

	/**
	 * Whether this node serves what the cluster serves: it has caught up with the most recent
	 * switch any live member reports, and has no catch-up in progress.
	 */
	public boolean isReady() {
		return this.ready;
	}

	public boolean isRunning() {
		return this.lifecycle == State.RUNNING;
	}

	/** Transfer, switch and catch-up counters. */
	public NodeStats stats() {
		return this.stats;
	}

	/** The data transport mode in use (after start). */
	public TransportMode transportMode() {
		return (this.data != null) ? this.data.mode() : this.config.transportMode;
	}

	/** Whether this node is the coordinator now. */
	public CompletableFuture<Boolean> isCoordinator() {
		return onLoop(() -> isLeader());
	}

	/** The status of every member in this node's view, this node included. */
	public CompletableFuture<List<MemberView>> members() {
		return onLoop(this::memberViews);
	}

	/**
	 * Switches states to versions they hold (forwards, or back for a rollback), cluster-wide,
	 * with a two-phase switch. Completes with the new view once committed.
	 */
	public CompletableFuture<ClusterView> switchTo(Map<String, Long> versions) {
		return requestSwitch(versions, false);
	}

	/** Rolls one state back to a version in the window, cluster-wide. */
	public CompletableFuture<ClusterView> rollback(String state, long version) {
		return requestSwitch(Map.of(state, version), true);
	}

	/**
	 * The status of every member in this node's view, without waiting for the node loop: the
	 * {@link #members()} answer of at most about 100 ms ago (empty before {@link #start()}, and
	 * at least this node once {@code start()} returned).
	 */
	public List<MemberView> memberSnapshot() {
		return this.memberSnapshot;
	}

	/**
	 * Pins a state at its active version on the coordinator: new versions still travel, but
	 * the state does not switch until unpinned. Completes once the coordinator applied the pin
	 * (or the unpin); fails with {@code COORDINATOR_CHANGED} if the coordinator left first.
	 * The coordinator announces every pin to the other members ({@link #pins()}), so a pin
	 * survives the coordinator's failure when its successor had the announcement.
	 */
	public CompletableFuture<Void> pin(String state, boolean pinned) {
		requireSlot(state);
		CompletableFuture<Void> applied = new CompletableFuture<>();
		onLoop(() -> {
			Pin pin = new Pin(state, this.view.get().version(state).number(), pinned);
			MemberInfo coordinator = leader();
			if (coordinator.id() == this.self.id()) {
				handlePin(this.self.id(), pin);
				applied.complete(null);
			}
			else {
				long requestId = this.ids.incrementAndGet();
				this.requests.put(requestId, new Pending(coordinator.id(), applied, null));
				this.pinsInFlight.add(Map.entry(pin, requestId));
				this.control.send(coordinator.id(), pin);
			}
			return null;
		}).whenComplete((ignored, ex) -> {
			if (ex != null) {
				applied.completeExceptionally(ex);
			}
		});
		return applied;
	}

	/**
	 * The pinned states and the version each is pinned at, without waiting for the node loop:
	 * on the coordinator its pins, on another member the pins the coordinator announced to it.
	 */
	public Map<String, Long> pins() {
		return this.pinsSnapshot;
	}

	/**
	 * The count of input this node rejected (malformed, unauthenticated, replayed...), by
	 * channel and reason: the counter of the node's configuration, which forwards to the
	 * configured {@code RejectedInput} if that is no counter.
	 */
	public RejectedInputCounter rejectedInput() {
		return this.config.rejectedInput;
	}

	CompletableFuture<Long> publish(String state, Version base, Edit edit) {
		Slot slot = requireSlot(state);
		if (!edit.changed()) {
			return CompletableFuture.completedFuture(-1L);
		}
		if (edit.base() != base.snapshot()) {
			throw new IllegalArgumentException("the edit must be made on the active version of '" + state + "'");
		}
		CompletableFuture<Long> result = new CompletableFuture<>();
		if (!isRunning()) {
			result.completeExceptionally(notRunning());
			return result;
		}
		this.loop.execute(() -> {
			if (isLeader()) {
				// the coordinator publishes its own edit: no encode, decode and re-apply round trip
				long requestId = this.ids.incrementAndGet();
				this.requests.put(requestId, new Pending(this.self.id(), result, null));
				Publishing p = admit(this.self.id(), requestId, slot, base.number(), base.rootFingerprint());
				if (p != null) {
					encodeAndDistribute(p, edit.snapshot(), edit.changes());
				}
				return;
			}
			// encode off the loop: the provisional target version is replaced by the coordinator's
			this.worker.execute(() -> {
				try {
					byte[] delta = Delta.of(slot.name, base.number(), base.number() + 1, edit)
						.encode(this.worker, workerParallelism());
					this.stats.deltasEncoded.increment();
					this.loop.execute(() -> sendPublish(slot, delta, result));
				}
				catch (RuntimeException ex) {
					result.completeExceptionally(ex);
				}
			});
		});
		return result;
	}

	// ======================================================================= lifecycle

	/** Binds both channels, joins the cluster through the seeds, and starts ticking. */
	public synchronized void start() throws InterruptedException {
		if (this.lifecycle != State.NEW) {
			throw new IllegalStateException("a node starts once");
		}
		this.lifecycle = State.STARTING;
		this.transports = NodeTransports.newLoop(this.config.name);
		this.loop = this.transports.loop();
		// the node loop keeps the default scheduler slice: it handles short events whose timing the
		// protocol measures (NACK quiet periods, loop-stall excuses, heartbeats); the workers, which
		// run the long CPU-bound steps, are background threads (see Yield)
		this.worker = Executors.newFixedThreadPool(WORKER_THREADS,
				Yield.backgroundThreads("zynco-worker-" + this.config.name));
		try {
			long id = ThreadLocalRandom.current().nextLong();
			NodeTransports.Channels channels = NodeTransports.open(this.config, this.transports, id, this::self,
					new ControlEvents(), new DataEvents());
			this.control = channels.control();
			this.data = channels.data();
			this.rate = NodeTransports.rate(this.config, this.config.nanoClock.getAsLong());
			this.senderConfig = NodeTransports.senderConfig(this.config, this.data);
			this.receiverConfig = NodeTransports.receiverConfig(this.config);
			this.self = new MemberInfo(id, this.config.name, this.config.clock.millis(), this.config.bindHost,
					this.control.localAddress().getPort(), this.data.localAddress().getPort());
			this.loop.submit(() -> {
				this.membership = NodeTransports.membership(this.config, this.self, this.control,
						new MembershipEvents(), this::localStatus);
				this.members.put(this.self.id(), this.self);
				this.membership.start();
				// the first snapshot before start() returns: a started node's snapshot always holds itself
				this.memberSnapshotAt = this.config.nanoClock.getAsLong();
				this.memberSnapshot = List.copyOf(memberViews());
				this.ticking = true;
				scheduleTick(this.config.tickInterval.toNanos());
			}).sync();
			this.lifecycle = State.RUNNING;
			LOG.log(System.Logger.Level.INFO, "zynco node " + this.self + " started in cluster '" + this.config.cluster
					+ "', data transport " + this.data.mode() + " on " + this.data.localAddress() + "; "
					+ Yield.backgroundStatus());
		}
		catch (RuntimeException | InterruptedException ex) {
			close();
			throw ex;
		}
	}

	/** Leaves the cluster and releases every resource. Idempotent. */
	@Override
	public synchronized void close() {
		if (this.lifecycle == State.CLOSED) {
			return;
		}
		this.lifecycle = State.CLOSED;
		this.ready = false;
		if (this.loop != null) {
			try {
				this.loop.submit(() -> {
					this.ticking = false;
					if (this.ticker != null) {
						this.ticker.cancel(false);
					}
					failAll(new ReplicationException(ReplicationException.Reason.NOT_RUNNING, "the node is stopping"));
				}).await(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.data != null) {
			this.data.close();
		}
		if (this.control != null) {
			this.control.close();
		}
		if (this.worker != null) {
			this.worker.shutdownNow();
		}
		if (this.transports != null) {
			this.transports.close();
		}
	}

	/**
	 * Stops as a killed process does, for tests: both channels close before anything else, so
	 * the peers see the connection drop without a last heartbeat (a graceful {@link #close()}
	 * may still send one saying this node is no longer ready); then the rest as in close.
	 */
	synchronized void kill() {
		if (this.control != null) {
			this.control.close();
		}
		if (this.data != null) {
			this.data.close();
		}
		close();
	}

	// ======================================================================= the loop

	/**
	 * Schedules the next tick in {@code delayNanos}. The loop ticks every
	 * {@link NodeConfig.Builder#tickInterval tick interval} while it has work the tick drives
	 * ({@link #busy()}), and every idle tick interval otherwise: an idle node wakes a hundred
	 * times a second instead of a thousand (measured: the 1 ms tick alone cost an idle node
	 * 7% of a core). Node loop only.
	 */
	private void scheduleTick(long delayNanos) {
		this.nextTickAt = System.nanoTime() + delayNanos;
		this.ticker = this.loop.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * Brings the next tick forward to one tick interval from now, if it is due later and the
	 * node is {@link #busy()}: called where work the tick drives begins (a transfer, a queued
	 * switch, a prepare, a catch-up) and after every control message. Node loop only.
	 */
	private void tickSoon() {
		long tickNanos = this.config.tickInterval.toNanos();
		if (this.ticking && this.nextTickAt - System.nanoTime() > tickNanos && busy() && this.ticker.cancel(false)) {
			scheduleTick(tickNanos);
		}
	}

	/** Whether the node has work that the short tick paces or times out. Node loop only. */
	private boolean busy() {
		return !this.outgoing.isEmpty() || !this.incoming.isEmpty() || !this.publishing.isEmpty()
				|| !this.switchQueue.isEmpty() || this.round != null || this.prepared != null
				|| this.pendingPrepare != null || !this.catchUps.isEmpty() || !this.requests.isEmpty()
				|| !this.pinsInFlight.isEmpty() || !this.awaitingSwitch.isEmpty() || !this.chunkedSends.isEmpty();
	}

	/**
	 * Makes this node ignore the control messages {@code drop} accepts, as if each were lost
	 * with its connection; {@code null} to stop (tests of lost messages).
	 */
	void dropIncomingControl(Predicate<ControlMessage> drop) {
		this.dropIncomingControl = drop;
	}

	/** Streaming decode steps run for incoming transfers so far (tests). */
	long streamSteps() {
		return this.streamSteps;
	}

	/**
	 * How often a transfer of this node heard measured headroom from all its receivers (tests;
	 * see {@link RateController#headroomSignals()}). Read off the loop: a counter, stale by a
	 * tick at most.
	 */
	long headroomSignals() {
		RateController rate = this.rate;
		return (rate != null) ? rate.headroomSignals() : -1;
	}

	/** Ticks the node loop has run since start (for tests of the idle tick). */
	long ticks() {
		return this.ticks;
	}

	private long idleTickNanos() {
		long idle = Math.min(this.config.idleTickInterval.toNanos(), this.config.heartbeatInterval.toNanos() / 4);
		return Math.max(this.config.tickInterval.toNanos(), idle);
	}

	private void tick() {
		if (!this.ticking) {
			return;
		}
		// how long the loop stood still beyond its tick period (a GC pause, a descheduled
		// thread): datagrams that arrived meanwhile are still in the socket
		long tickNanos = this.config.tickInterval.toNanos();
		long stalled = System.nanoTime() - this.nextTickAt - tickNanos;
		if (stalled < MIN_STALL_NANOS) {
			stalled = 0;
		}
		long now = this.config.nanoClock.getAsLong();
		this.ticks++;
		try {
			this.membership.tick(now);
			checkLeader();
			for (Outgoing out : new ArrayList<>(this.outgoing.values())) {
				out.transfer.tick(now);
				if (out.transfer.isDone()) {
					this.outgoing.remove(out.transfer.transferId());
					transferDone(out, out.transfer.result());
				}
			}
			double occupancy = Double.NaN; // read from the kernel once per tick, if any transfer needs it
			for (java.util.Iterator<Incoming> it = this.incoming.values().iterator(); it.hasNext();) {
				Incoming in = it.next();
				if (in.completing) {
					continue;
				}
				if (in.transfer.isExpired(now)) {
					it.remove();
					this.stats.transfersDropped.increment();
					continue;
				}
				if (Double.isNaN(occupancy)) {
					occupancy = this.data.receiveBufferOccupancy();
				}
				tickIncoming(in, now, stalled, occupancy);
			}
			if (this.round != null) {
				checkRound(now);
			}
			if (this.round == null && !this.switchQueue.isEmpty() && isLeader()) {
				startRound(this.switchQueue.remove(0), now);
			}
			checkCatchUp(now);
			expireUploads(now);
			sendChunks();
			updateReadiness();
			announce(now);
			if (now - this.memberSnapshotAt >= MEMBER_SNAPSHOT_NANOS) {
				this.memberSnapshotAt = now;
				this.stats.kernelDrops = this.data.receiveBufferDrops();
				this.memberSnapshot = List.copyOf(memberViews());
			}
		}
		catch (RuntimeException ex) {
			LOG.log(System.Logger.Level.ERROR, "zynco node " + this.config.name + ": tick failed", ex);
		}
		finally {
			if (this.ticking) {
				scheduleTick(busy() ? tickNanos : idleTickNanos());
			}
		}
	}

	/**
	 * Asks an incoming transfer for a NACK, after excusing a loop stall (the stall does not
	 * count as silence), and tells the sender how much receive buffer is free, for its rate
	 * control. Where the kernel measures the socket's queue ({@code occupancy} not negative),
	 * the free share of the buffer goes with every NACK and in a buffer report at every NACK
	 * interval, so that the sender can climb fast while the queue stays empty and back off as
	 * soon as it fills. Elsewhere the packets a stall probably left in the socket are estimated
	 * and reported as used buffer (a buffer report when no NACK is due and less than the
	 * low-water mark is free), so that the sender backs off before the kernel drops.
	 * @param occupancy the receive queue's share of the socket buffer, or negative if unknown
	 */
	private void tickIncoming(Incoming in, long now, long stalled, double occupancy) {
		int free = -1;
		if (stalled > 0) {
			in.transfer.excuse(stalled);
		}
		if (occupancy >= 0) {
			// in bytes of the configured buffer, whatever the kernel granted: the sender's
			// thresholds are shares of that size
			free = (int) (this.config.socketBufferBytes * Math.max(0, 1 - occupancy));
		}
		else if (stalled > 0) {
			long backlog = in.transfer.backlogEstimate(stalled,
					in.begin.packetPayload() + NodeTransports.packetOverhead());
			free = (int) Math.max(0, this.config.socketBufferBytes - backlog);
		}
		Optional<Nack> nack = in.transfer.tick(now, free);
		if (nack.isEmpty() && free >= 0 && (occupancy >= 0 || free < NodeTransports.lowBufferBytes(this.config))) {
			nack = in.transfer.bufferReport(now, free);
		}
		nack.ifPresent((n) -> this.control.send(in.sender, n));
	}

	/** Threads a large encode, decode or apply uses: the worker pool, at most one per core. */
	private static int workerParallelism() {
		return Math.min(WORKER_THREADS, Runtime.getRuntime().availableProcessors());
	}

	/** A gap between ticks longer than two tick periods by at least this is a loop stall. */
	private static final long MIN_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	private LocalStatus localStatus() {
		List<StateStatus> list = new ArrayList<>(this.slots.size());
		ClusterView current = this.view.get();
		for (Slot slot : this.slots.values()) {
			Version active = current.version(slot.name);
			Version newest = slot.chain.latest();
			list.add(new StateStatus(slot.name, active.number(), active.rootFingerprint(), newest.number()));
		}
		return new LocalStatus(this.ready, current.switchId(), list);
	}

	// ---------------------------------------------------------------- publish

	private void sendPublish(Slot slot, byte[] delta, CompletableFuture<Long> result) {
		long requestId = this.ids.incrementAndGet();
		MemberInfo coordinator = leader();
		this.requests.put(requestId, new Pending(coordinator.id(), result, null));
		if (coordinator.id() == this.self.id()) {
			handlePublishRequest(this.self.id(), new PublishRequest(requestId, delta));
		}
		else if (delta.length > MAX_FORWARDED_DELTA) {
			// too large for one frame: in pieces, in order, as the connection takes them; a
			// connection that closes meanwhile fails the publish
			long to = coordinator.id();
			sendInChunks(new ChunkedSend(null, to, delta, 0, PUBLISH_CHUNK,
					(offset, payload, last) -> new PublishChunk(requestId, offset, delta.length, last, payload), () -> {
					}, () -> {
						Pending pending = this.requests.remove(requestId);
						if (pending != null) {
							pending.fail(new ReplicationException(ReplicationException.Reason.COORDINATOR_CHANGED,
									"the connection to the coordinator " + memberName(to)
											+ " closed while the delta was sent; retry"));
						}
					}));
		}
		else if (!this.control.send(coordinator.id(), new PublishRequest(requestId, delta))) {
			this.requests.remove(requestId);
			result.completeExceptionally(new ReplicationException(ReplicationException.Reason.COORDINATOR_CHANGED,
					"no connection to the coordinator " + coordinator + "; retry"));
		}
	}

	/**
	 * Starts a chunked send (in place of a pending one with the same key) and sends what the
	 * connection takes now; {@link #sendChunks} goes on at every tick. Node loop only.
	 */
	private void sendInChunks(ChunkedSend send) {
		if (send.key != null) {
			this.chunkedSends.removeIf((other) -> send.key.equals(other.key));
		}
		this.chunkedSends.add(send);
		sendChunks();
		tickSoon();
	}

	/**
	 * Sends the next chunks of every chunked send while its member's connection takes writes,
	 * so that an array of hundreds of megabytes is not copied into the channel's buffers at
	 * once. A send whose connection is gone ends with its {@code gone} action, a complete one
	 * with its {@code done} action; both run after the pass (they may start other sends).
	 * Node loop only.
	 */
	private void sendChunks() {
		List<Runnable> ended = new ArrayList<>();
		for (java.util.Iterator<ChunkedSend> it = this.chunkedSends.iterator(); it.hasNext();) {
			ChunkedSend send = it.next();
			boolean gone = false;
			do {
				if (!this.control.isWritable(send.to)) {
					gone = !this.control.connectedMembers().contains(send.to);
					break;
				}
				int length = Math.min(send.chunk, send.bytes.length - send.offset);
				boolean last = send.offset + length == send.bytes.length;
				if (!this.control.send(send.to, send.pieces.piece(send.offset,
						Arrays.copyOfRange(send.bytes, send.offset, send.offset + length), last))) {
					gone = true;
					break;
				}
				send.offset += length;
				send.started = true;
			}
			while (send.offset < send.bytes.length);
			if (gone) {
				it.remove();
				ended.add(send.gone);
			}
			else if (send.started && send.offset == send.bytes.length) {
				it.remove();
				ended.add(send.done);
			}
		}
		ended.forEach(Runnable::run);
	}

	/**
	 * Coordinator: one piece of a member's large publish ({@link PublishUploads} has the rules);
	 * the last one hands the whole delta to {@link #handlePublishRequest}. Node loop only.
	 */
	private void handlePublishChunk(long from, PublishChunk chunk) {
		PublishUploads.Outcome outcome = this.uploads.accept(from, chunk, this.config.nanoClock.getAsLong());
		if (outcome instanceof PublishUploads.Outcome.Complete complete) {
			handlePublishRequest(from, new PublishRequest(complete.requestId(), complete.delta()));
		}
		else if (outcome instanceof PublishUploads.Outcome.Refused refused) {
			this.config.rejectedInput.reject("control", refused.tag(), refused.detail() + " from " + memberName(from));
			answerPublish(from, refused.requestId(), false, -1, refused.answer());
		}
		else if (outcome instanceof PublishUploads.Outcome.Ignored ignored) {
			this.config.rejectedInput.reject("control", ignored.tag(), ignored.detail() + " from " + memberName(from));
		}
	}

	/**
	 * Coordinator: forgets uploads whose member left or sent nothing for a transfer deadline.
	 */
	private void expireUploads(long now) {
		if (this.uploads.size() > 0) {
			Set<Long> live = new HashSet<>(this.membership.liveMemberIds());
			this.uploads.expire(live::contains, now, this.config.transferDeadline.toNanos());
		}
	}

	/** Coordinator: a member (or this node) asks for a version of its delta. */
	private void handlePublishRequest(long from, PublishRequest request) {
		Delta delta;
		try {
			delta = Delta.decode(request.delta());
		}
		catch (DeltaFormatException ex) {
			this.config.rejectedInput.reject("control", "bad-delta-" + ex.reason().name().toLowerCase(), ex.getMessage());
			answerPublish(from, request.requestId(), false, -1, "[INVALID] malformed delta: " + ex.getMessage());
			return;
		}
		if (!isLeader()) {
			answerPublish(from, request.requestId(), false, -1,
					"[COORDINATOR_CHANGED] this node is not the coordinator; the coordinator is " + leader());
			return;
		}
		Slot slot = this.slots.get(delta.stateName());
		if (slot == null) {
			answerPublish(from, request.requestId(), false, -1, "[NOT_FOUND] no state named '" + delta.stateName() + "'");
			return;
		}
		Publishing p = admit(from, request.requestId(), slot, delta.baseVersion(), delta.baseRoot());
		if (p == null) {
			return;
		}
		this.worker.execute(() -> {
			Snapshot target;
			try {
				target = delta.applyTo(p.base.snapshot(), this.worker, workerParallelism());
			}
			catch (RuntimeException ex) {
				this.loop.execute(() -> publishFailed(p, "[INVALID] the delta does not apply: " + ex.getMessage()));
				return;
			}
			encodeAndDistribute(p, target, delta.changes());
		});
	}

	/**
	 * Coordinator: admits a publish on {@code baseVersion}, assigning its version number, or
	 * answers why not and returns null. On the node loop.
	 */
	private Publishing admit(long from, long requestId, Slot slot, long baseVersion, long baseRoot) {
		if (this.publishing.containsKey(slot.name) || queuedOrRunning(slot.name)) {
			answerPublish(from, requestId, false, -1,
					"[BUSY] busy: another version of '" + slot.name + "' is being published or switched; retry when it is done");
			return null;
		}
		Version active = this.view.get().version(slot.name);
		if (baseVersion != active.number() || baseRoot != active.rootFingerprint()) {
			answerPublish(from, requestId, false, -1, "[STALE_BASE] stale base: '" + slot.name + "' is at version "
					+ active.number() + " but the publish was made on version " + baseVersion + "; publish again");
			return null;
		}
		long version = this.config.coordinator.nextVersion(slot.name,
				Math.max(this.highestVersion.getOrDefault(slot.name, 0L), active.number()));
		this.highestVersion.put(slot.name, version);
		Publishing p = new Publishing(slot, from, requestId, active, version);
		this.publishing.put(slot.name, p);
		return p;
	}

	/**
	 * Measures the admitted version against its base and encodes its delta (on a worker), then
	 * hands it to the loop for distribution. A node alone in its cluster has nobody to send the
	 * delta to and does not encode it (it only measures its size, for {@link Version#deltaBytes}):
	 * should a member join meanwhile, {@link #publishApplied} encodes it then, and a member that
	 * asks for the version later is answered by a catch-up, which encodes on demand.
	 */
	private void encodeAndDistribute(Publishing p, Snapshot target, ChangeSet changes) {
		// off the loop (a peer's publish), membership is not ours to read: encode as before
		boolean encode = !this.loop.inEventLoop() || !receivers().isEmpty();
		Runnable task = () -> {
			Delta.Encoding encoding = null;
			try {
				Delta delta = Delta.of(p.slot.name, p.base.number(), p.base.snapshot(), p.version, target, changes);
				int parallelism = workerParallelism();
				Delta.Encoding started = encode ? delta.encoding(this.worker, parallelism) : null;
				long deltaBytes = (started != null) ? started.bytes().length : delta.encodedLength();
				ParentCost cost = ParentCost.measure(target, p.base.snapshot());
				// the transfer starts now, and sends the delta's bytes as this task writes them
				this.loop.execute(() -> publishApplied(p, target, delta, started, deltaBytes, cost));
				encoding = started;
				if (encoding != null) {
					this.stats.deltasEncoded.increment();
					// on this thread alone: one thread writes the delta faster than the fastest
					// send rate, so helpers would only take cores from the loops sending it
					encoding.run(null, 1);
				}
			}
			catch (RuntimeException ex) {
				Delta.Encoding running = encoding;
				this.loop.execute(() -> encodeFailed(p, running, ex));
			}
		};
		if (this.loop.inEventLoop()) {
			this.worker.execute(task);
		}
		else {
			task.run();
		}
	}

	/** The live members other than this node: who a published version goes to. */
	private Set<Long> receivers() {
		Set<Long> receivers = new HashSet<>(this.membership.liveMemberIds());
		receivers.remove(this.self.id());
		return receivers;
	}

	/**
	 * The coordinator's own publish could not be encoded: before its transfer started (too
	 * large for one array), the publish fails; while the transfer was sending what was
	 * written (a defect), the transfer is cancelled, so its receivers are dropped and catch up
	 * as from any dropped transfer, and the version stays this node's.
	 */
	private void encodeFailed(Publishing p, Delta.Encoding running, RuntimeException ex) {
		if (running == null) {
			publishFailed(p, "[INVALID] the version could not be encoded: " + ex.getMessage());
			return;
		}
		LOG.log(System.Logger.Level.ERROR, "zynco node " + this.config.name + ": encoding version " + p.version
				+ " of '" + p.slot.name + "' failed while it was being sent", ex);
		for (Outgoing out : this.outgoing.values()) {
			if (out.encoding == running) {
				out.transfer.cancel("the version could not be encoded", this.config.nanoClock.getAsLong());
				return;
			}
		}
	}

	private void publishApplied(Publishing p, Snapshot target, Delta delta, Delta.Encoding encoding,
			long deltaBytes, ParentCost cost) {
		Set<Long> receivers = receivers();
		if (encoding == null && !receivers.isEmpty()) {
			// a member joined while the version was measured: encode it now, then distribute
			this.worker.execute(() -> {
				try {
					Delta.Encoding late = delta.encoding(this.worker, workerParallelism());
					late.run(this.worker, workerParallelism());
					this.stats.deltasEncoded.increment();
					this.loop.execute(() -> publishApplied(p, target, delta, late, late.bytes().length, cost));
				}
				catch (RuntimeException ex) {
					this.loop.execute(() -> publishFailed(p, "[INVALID] the version could not be encoded: " + ex.getMessage()));
				}
			});
			return;
		}
		p.slot.chain.append(p.version, target, p.base.number(), this.self.name(), deltaBytes, cost);
		this.stats.versionsPublished.increment();
		if (receivers.isEmpty()) {
			publishDistributed(p, Set.of());
			return;
		}
		long transferId = this.ids.incrementAndGet();
		TransferSpec spec = new TransferSpec(transferId, TransferBegin.DELTA, p.slot.name, p.base.number(), p.version,
				target.rootFingerprint(), encoding.bytes(), encoding::written);
		// registered before start: start() sends the announcements through the output
		Outgoing out = new Outgoing(p, encoding);
		this.outgoing.put(transferId, out);
		tickSoon();
		out.transfer = TransferSender.start(spec, receivers, this.senderConfig, this.rate, new Output(),
				this.config.nanoClock.getAsLong());
	}

	private void transferDone(Outgoing out, TransferResult result) {
		this.stats.recordTransfer(result);
		Publishing p = out.publishing;
		if (p != null && this.publishing.get(p.slot.name) == p) {
			publishDistributed(p, result.acked());
		}
	}

	private void publishDistributed(Publishing p, Set<Long> holders) {
		Set<Long> participantIds = new HashSet<>(holders);
		participantIds.add(this.self.id());
		if (p.slot.policy == SwitchPolicy.MANUAL || this.pins.containsKey(p.slot.name)) {
			this.publishing.remove(p.slot.name);
			answerPublish(p.from, p.requestId, true, p.version, null);
			return;
		}
		this.switchQueue.add(new SwitchPlan(List.of(new StateVersion(p.slot.name, p.version,
				p.slot.chain.get(p.version).orElseThrow().rootFingerprint())), false, participantIds, p, -1, -1));
		tickSoon();
	}

	private void publishFailed(Publishing p, String reason) {
		this.publishing.remove(p.slot.name);
		answerPublish(p.from, p.requestId, false, -1, reason);
	}

	private void answerPublish(long to, long requestId, boolean ok, long version, String reason) {
		PublishResult result = new PublishResult(requestId, ok, version, (reason != null) ? reason : "");
		if (to == this.self.id()) {
			handlePublishResult(result);
		}
		else {
			this.control.send(to, result);
		}
	}

	private void handlePublishResult(PublishResult result) {
		Pending pending = this.requests.remove(result.requestId());
		if (pending == null) {
			return;
		}
		@SuppressWarnings("unchecked")
		CompletableFuture<Long> future = (CompletableFuture<Long>) pending.future;
		if (result.ok()) {
			future.complete(result.version());
		}
		else {
			future.completeExceptionally(new ReplicationException(reasonOf(result.reason()), messageOf(result.reason())));
		}
	}

	/**
	 * Failure reasons travel as {@code "[CODE] message"}, with a {@link ReplicationException.Reason}
	 * name as the code, so that the requester classifies them without reading the text.
	 */
	private static ReplicationException.Reason reasonOf(String reason) {
		if (reason.startsWith("[")) {
			int end = reason.indexOf(']');
			if (end > 1) {
				try {
					return ReplicationException.Reason.valueOf(reason.substring(1, end));
				}
				catch (IllegalArgumentException ex) {
					// an unknown code from a newer peer: fall through
				}
			}
		}
		return ReplicationException.Reason.ABORTED;
	}

	/** The human part of a coded reason. */
	private static String messageOf(String reason) {
		int end = reason.startsWith("[") ? reason.indexOf("] ") : -1;
		return (end > 0) ? reason.substring(end + 2) : reason;
	}

	// ---------------------------------------------------------------- receiving transfers

	private void handleTransferBegin(long from, TransferBegin begin) {
		Slot slot = this.slots.get(begin.state());
		if (slot == null) {
			this.control.send(from, new TransferAck(begin.transferId(), false, "no state named '" + begin.state() + "'"));
			return;
		}
		noteVersion(slot.name, begin.targetVersion());
		if (slot.chain.contains(begin.targetVersion())) {
			this.control.send(from, new TransferAck(begin.transferId(), true, "held already"));
			return;
		}
		if (begin.kind() == TransferBegin.DELTA && !slot.chain.contains(begin.baseVersion())) {
			this.control.send(from, new TransferAck(begin.transferId(), false,
					"missing base version " + begin.baseVersion() + " of '" + slot.name + "'; will catch up"));
			return;
		}
		// the receive buffer can be hundreds of megabytes: allocate it on a worker, not on the
		// loop (the kernel would drop datagrams while the loop stands still), then tell the
		// sender we are ready with an empty NACK; it holds its data until then
		this.worker.execute(() -> {
			TransferReceiver transfer;
			try {
				transfer = TransferReceiver.accept(from, begin, this.receiverConfig, this.config.nanoClock.getAsLong());
			}
			catch (TransferRejectedException ex) {
				this.loop.execute(() -> {
					this.config.rejectedInput.reject("control", "transfer-" + ex.reason().tag(), ex.getMessage());
					this.control.send(from,
							new TransferAck(begin.transferId(), false, "invalid transfer: " + ex.getMessage()));
				});
				return;
			}
			this.loop.execute(() -> {
				if (!this.membership.alive(from)) {
					return;
				}
				this.incoming.put(begin.transferId(), new Incoming(from, slot, begin, transfer));
				tickSoon();
				this.control.send(from, new Nack(begin.transferId(), new int[0], -1));
			});
		});
	}

	private void handleData(long sender, long transferId, int sequence, int count, byte[] payload, int offset,
			int length) {
		Incoming in = this.incoming.get(transferId);
		if (in == null || in.sender != sender || in.completing) {
			return;
		}
		PacketOutcome outcome = in.transfer.onData(sequence, count, payload, offset, length,
				this.config.nanoClock.getAsLong());
		if (outcome.isRejected()) {
			this.config.rejectedInput.reject("data", outcome.reason(), "packet " + sequence + " of transfer "
					+ Long.toHexString(transferId) + " from " + memberName(sender) + " is invalid");
			return;
		}
		if (in.transfer.isComplete()) {
			in.completing = true;
			completeIncoming(in);
		}
		else {
			streamIncoming(in);
		}
	}

	/**
	 * Hands the bytes of a large transfer that arrived without a gap to its streaming decoder,
	 * one worker task at a time, so that the decode overlaps the transfer instead of following
	 * it. A defect found early is kept by the decoder and reported when the transfer completes,
	 * as it would be without streaming.
	 */
	private void streamIncoming(Incoming in) {
		if (in.stream == null || in.streaming || this.incoming.get(in.begin.transferId()) != in) {
			return;
		}
		int available = in.transfer.contiguousBytes();
		if (available - in.streamedTo < STREAM_STEP_BYTES) {
			return;
		}
		in.streaming = true;
		in.streamedTo = available;
		this.worker.execute(() -> {
			try {
				in.stream.advance(available);
			}
			catch (RuntimeException ex) {
				// a defect is kept by the decoder, and finish() throws it again when the transfer
				// completes; the loop must hear back from this task in any case
			}
			this.loop.execute(() -> {
				in.streaming = false;
				this.streamSteps++;
				if (in.completeWhenStreamed) {
					in.completeWhenStreamed = false;
					completeIncoming(in);
				}
				else if (!in.completing) {
					streamIncoming(in);
				}
			});
		});
	}

	private void completeIncoming(Incoming in) {
		if (in.streaming) {
			in.completeWhenStreamed = true; // the decoder is busy: its task completes this
			return;
		}
		Version base = in.slot.chain.get(in.begin.baseVersion()).orElse(null);
		if (base == null) {
			finishIncoming(in, false, "base version " + in.begin.baseVersion() + " left the window", null, null);
			return;
		}
		// the transfer gives its buffer up to the worker, whose decoded delta keeps it as the
		// slab of the new version's entries (no copy); if the delta is rejected, the buffer is
		// dropped with it
		AtomicReference<byte[]> buffer = new AtomicReference<>(in.transfer.takePayload());
		int parallelism = workerParallelism();
		this.worker.execute(() -> {
			try {
				// the delta takes the buffer over: its entries stay there, as the new version's slab.
				// Authenticated packets need no CRC pass over the whole: the applied root is checked
				byte[] bytes = buffer.getAndSet(null);
				boolean authenticated = this.config.packetSecurity != NodeConfig.PacketSecurity.NONE;
				Delta delta;
				if (in.stream != null) {
					delta = in.stream.finish(!authenticated); // its array is the payload
				}
				else {
					delta = authenticated ? Delta.decodeOwnedAuthenticated(bytes, this.worker, parallelism)
							: Delta.decodeOwned(bytes, this.worker, parallelism);
				}
				checkDeltaMatches(delta, in.begin);
				Snapshot target = delta.applyTo(base.snapshot(), this.worker, parallelism);
				ParentCost cost = ParentCost.measure(target, base.snapshot());
				this.loop.execute(() -> finishIncoming(in, true, null, target, cost));
			}
			catch (DeltaFormatException | DeltaMismatchException | IllegalArgumentException ex) {
				this.loop.execute(() -> finishIncoming(in, false, ex.getMessage(), null, null));
			}
		});
	}

	private static void checkDeltaMatches(Delta delta, TransferBegin begin) {
		if (!delta.stateName().equals(begin.state()) || delta.baseVersion() != begin.baseVersion()
				|| delta.targetVersion() != begin.targetVersion() || delta.targetRoot() != begin.targetRoot()) {
			throw new IllegalArgumentException("delta " + delta + " does not match its announcement " + begin);
		}
	}

	private void finishIncoming(Incoming in, boolean ok, String reason, Snapshot target, ParentCost cost) {
		this.incoming.remove(in.begin.transferId());
		if (ok) {
			if (!in.slot.chain.contains(in.begin.targetVersion())) {
				in.slot.chain.append(in.begin.targetVersion(), target, in.begin.baseVersion(), memberName(in.sender),
						in.begin.totalBytes(), cost);
			}
			this.stats.versionsReceived.increment();
			this.listeners.forEach((l) -> l.versionReceived(in.slot.name, in.begin.targetVersion(),
					in.begin.totalBytes(), false));
		}
		else {
			this.stats.mismatches.increment();
			LOG.log(System.Logger.Level.WARNING, "zynco node " + this.config.name + ": version "
					+ in.begin.targetVersion() + " of '" + in.slot.name + "' rejected: " + reason);
			this.listeners.forEach((l) -> l.mismatch(in.slot.name, in.begin.targetVersion(), reason));
		}
		this.control.send(in.sender, new TransferAck(in.begin.transferId(), ok, (reason != null) ? reason : ""));
	}

	// ---------------------------------------------------------------- switching (coordinator)

	private CompletableFuture<ClusterView> requestSwitch(Map<String, Long> versions, boolean rollback) {
		if (versions.isEmpty()) {
			throw new IllegalArgumentException("name at least one state to switch");
		}
		versions.keySet().forEach(this::requireSlot);
		CompletableFuture<ClusterView> result = new CompletableFuture<>();
		if (!isRunning()) {
			result.completeExceptionally(notRunning());
			return result;
		}
		this.loop.execute(() -> {
			List<StateVersion> targets = new ArrayList<>();
			for (Map.Entry<String, Long> e : versions.entrySet()) {
				Version v = this.slots.get(e.getKey()).chain.get(e.getValue()).orElse(null);
				if (v == null) {
					result.completeExceptionally(new ReplicationException(ReplicationException.Reason.NOT_FOUND,
							"version " + e.getValue() + " of '" + e.getKey() + "' is not in the window of "
									+ this.config.name));
					return;
				}
				targets.add(new StateVersion(e.getKey(), v.number(), v.rootFingerprint()));
			}
			long requestId = this.ids.incrementAndGet();
			this.requests.put(requestId, new Pending(leader().id(), null, result));
			SwitchRequest request = new SwitchRequest(requestId, targets, rollback);
			MemberInfo coordinator = leader();
			if (coordinator.id() == this.self.id()) {
				handleSwitchRequest(this.self.id(), request);
			}
			else if (!this.control.send(coordinator.id(), request)) {
				this.requests.remove(requestId);
				result.completeExceptionally(new ReplicationException(ReplicationException.Reason.COORDINATOR_CHANGED,
						"no connection to the coordinator " + coordinator + "; retry"));
			}
		});
		return result;
	}

	private void handleSwitchRequest(long from, SwitchRequest request) {
		if (!isLeader()) {
			answerSwitch(from, request.requestId(), false, -1, "[COORDINATOR_CHANGED] this node is not the coordinator");
			return;
		}
		for (StateVersion target : request.targets()) {
			Slot slot = this.slots.get(target.state());
			Version held = (slot != null) ? slot.chain.get(target.version()).orElse(null) : null;
			if (held == null || held.rootFingerprint() != target.root()) {
				answerSwitch(from, request.requestId(), false, -1, "[NOT_FOUND] version " + target.version() + " of '"
						+ target.state() + "' is not in the window of the coordinator");
				return;
			}
			Long pinned = this.pins.get(target.state());
			if (pinned != null && pinned != target.version()) {
				answerSwitch(from, request.requestId(), false, -1,
						"[PINNED] pinned: '" + target.state() + "' is pinned at version " + pinned + "; unpin it first");
				return;
			}
			if (this.publishing.containsKey(target.state())) {
				answerSwitch(from, request.requestId(), false, -1,
						"[BUSY] busy: a new version of '" + target.state() + "' is being published; retry when it is done");
				return;
			}
		}
		this.switchQueue.add(new SwitchPlan(request.targets(), request.rollback(), null, null, from, request.requestId()));
		tickSoon();
	}

	private void startRound(SwitchPlan plan, long now) {
		Set<Long> ids = new HashSet<>();
		for (long id : this.membership.liveMemberIds()) {
			Heartbeat status = this.statuses.get(id);
			boolean eligible = (plan.participants != null) ? plan.participants.contains(id)
					: (id == this.self.id() || (status != null && status.ready()));
			if (eligible) {
				ids.add(id);
			}
		}
		ids.add(this.self.id());
		long switchId = Math.max(this.highestSwitchId, this.view.get().switchId()) + 1;
		this.highestSwitchId = switchId;
		Prepare prepare = new Prepare(switchId, plan.targets, plan.rollback);
		SwitchRound r = new SwitchRound(switchId, plan, prepare, ids, now, now + this.config.prepareTimeout.toNanos());
		this.round = r;
		for (long id : ids) {
			if (id == this.self.id()) {
				handlePrepare(id, prepare);
			}
			else if (!this.control.send(id, prepare)) {
				// its connection just closed (a killed process, a network blip): membership decides,
				// not this send; checkRound resends while it is live and drops it once it is removed
				r.unsent.add(id);
			}
		}
	}

	private void handlePrepared(long from, Prepared answer) {
		SwitchRound r = this.round;
		if (r == null || r.switchId != answer.switchId() || !r.participants.contains(from)) {
			return;
		}
		if (answer.ok()) {
			r.prepared.add(from);
		}
		else if (r.failed == null) {
			r.failed = memberName(from) + " could not prepare: " + answer.reason();
		}
		checkRound(this.config.nanoClock.getAsLong());
	}

	private void checkRound(long now) {
		SwitchRound r = this.round;
		r.participants.retainAll(this.membership.liveMemberIds());
		r.participants.add(this.self.id());
		r.unsent.retainAll(r.participants);
		r.unsent.removeIf((id) -> this.control.send(id, r.prepare));
		if (r.failed == null && now - r.deadline > 0) {
			Set<Long> missing = new HashSet<>(r.participants);
			missing.removeAll(r.prepared);
			r.failed = "prepare timed out waiting for " + missing.stream()
				.map((id) -> r.unsent.contains(id) ? memberName(id) + " (no connection)" : memberName(id))
				.toList();
		}
		if (r.failed != null) {
			this.round = null;
			Abort abort = new Abort(r.switchId, r.failed);
			for (long id : r.participants) {
				if (id == this.self.id()) {
					handleAbort(abort);
				}
				else {
					this.control.send(id, abort);
				}
			}
			this.stats.switchesAborted.increment();
			finishPlan(r.plan, false, -1, "[ABORTED] aborted: " + r.failed);
			return;
		}
		if (r.prepared.containsAll(r.participants)) {
			this.round = null;
			Commit commit = new Commit(r.switchId);
			for (long id : r.participants) {
				if (id != this.self.id()) {
					this.control.send(id, commit);
				}
			}
			handleCommit(commit);
			this.stats.recordSwitch(now - r.started);
			finishPlan(r.plan, true, r.switchId, null);
		}
	}

	private void finishPlan(SwitchPlan plan, boolean ok, long switchId, String reason) {
		if (plan.publishing != null) {
			Publishing p = plan.publishing;
			this.publishing.remove(p.slot.name);
			answerPublish(p.from, p.requestId, ok, p.version, reason);
		}
		if (plan.requestId >= 0) {
			answerSwitch(plan.from, plan.requestId, ok, switchId, reason);
		}
	}

	private void answerSwitch(long to, long requestId, boolean ok, long switchId, String reason) {
		SwitchResult result = new SwitchResult(requestId, ok, switchId, (reason != null) ? reason : "");
		if (to == this.self.id()) {
			handleSwitchResult(result);
		}
		else {
			this.control.send(to, result);
		}
	}

	private void handleSwitchResult(SwitchResult result) {
		Pending pending = this.requests.remove(result.requestId());
		if (pending == null || pending.viewFuture == null) {
			return;
		}
		if (!result.ok()) {
			pending.viewFuture
				.completeExceptionally(new ReplicationException(reasonOf(result.reason()), messageOf(result.reason())));
			return;
		}
		// complete once this node serves the switch (it normally already does)
		this.awaitingSwitch.add(new AwaitSwitch(result.switchId(), pending.viewFuture));
		completeAwaitedSwitches();
	}

	private void completeAwaitedSwitches() {
		ClusterView current = this.view.get();
		this.awaitingSwitch.removeIf((a) -> {
			if (current.switchId() >= a.switchId) {
				a.future.complete(current);
				return true;
			}
			return false;
		});
	}

	/**
	 * A pin on the coordinator (from an operator, here or on a member), or the coordinator's
	 * announcement of a pin on another member: the same PIN frame, which the coordinator sends
	 * on to every other member once applied, and which the member that asked for it takes as
	 * the acknowledgement.
	 */
	private void handlePin(long from, Pin pin) {
		boolean leader = isLeader();
		if (!leader && from != leader().id()) {
			return; // neither a request to the coordinator nor its announcement
		}
		if (pin.pinned()) {
			this.pins.put(pin.state(), pin.version());
		}
		else {
			this.pins.remove(pin.state());
		}
		this.pinsSnapshot = Map.copyOf(this.pins);
		if (leader) {
			for (MemberInfo member : this.membership.liveMembers()) {
				if (member.id() != this.self.id()) {
					this.control.send(member.id(), pin);
				}
			}
			return;
		}
		for (java.util.Iterator<Map.Entry<Pin, Long>> it = this.pinsInFlight.iterator(); it.hasNext();) {
			Map.Entry<Pin, Long> sent = it.next();
			Pending pending = this.requests.get(sent.getValue());
			if (pending == null) {
				it.remove(); // failed meanwhile (the coordinator left)
			}
			else if (sent.getKey().equals(pin)) {
				it.remove();
				this.requests.remove(sent.getValue());
				pending.future.complete(null);
				break;
			}
		}
	}

	// ---------------------------------------------------------------- switching (member)

	private void handlePrepare(long from, Prepare prepare) {
		noteSwitch(prepare.switchId());
		if (this.pendingPrepare != null && this.pendingPrepare.prepare.switchId() != prepare.switchId()) {
			this.pendingPrepare = null; // superseded
		}
		ClusterView current = this.view.get();
		Map<String, Version> next = new LinkedHashMap<>();
		List<StateVersion> fetch = new ArrayList<>();
		for (StateVersion target : prepare.targets()) {
			Slot slot = this.slots.get(target.state());
			Version held = (slot != null) ? slot.chain.get(target.version()).orElse(null) : null;
			if (held == null && slot != null && target.version() > slot.chain.latest().number()
					&& from != this.self.id()) {
				// a version this node never received (it joined or restarted after it was sent, and
				// the switch goes to a version other than the one active then): fetch it first
				fetch.add(target);
				continue;
			}
			if (held == null || held.rootFingerprint() != target.root()) {
				this.pendingPrepare = null;
				answerPrepared(from, new Prepared(prepare.switchId(), false, this.config.name + " does not hold version "
						+ target.version() + " of '" + target.state() + "' with root " + Fingerprints.toHex(target.root())));
				return;
			}
			next.put(target.state(), held);
		}
		if (!fetch.isEmpty()) {
			this.pendingPrepare = new PendingPrepare(from, prepare);
			tickSoon();
			long now = this.config.nanoClock.getAsLong();
			for (StateVersion target : fetch) {
				CatchUp running = this.catchUps.get(target.state());
				if (running == null || running.wantVersion != target.version() || running.peer != from) {
					startCatchUp(this.slots.get(target.state()), from,
							new StateStatus(target.state(), target.version(), target.root(), target.version()), now, null);
				}
			}
			return;
		}
		this.pendingPrepare = null;
		ClusterView nextView = current.with(prepare.switchId(), next);
		PreparedSwitch ps = new PreparedSwitch(prepare.switchId(), from, nextView, prepare.rollback());
		PreparedSwitch superseded = this.prepared;
		if (superseded != null) {
			this.participants.forEach((p) -> p.aborted(superseded.next, "superseded by switch " + prepare.switchId()));
		}
		ps.preparedAt = this.config.nanoClock.getAsLong();
		this.prepared = ps;
		prepareParticipants(ps, (failure) -> {
			String reason = (failure != null) ? this.config.name + " failed to prepare: " + failure : null;
			ps.ready = reason == null;
			if (reason == null) {
				this.listeners.forEach((l) -> l.prepared(nextView));
			}
			answerPrepared(from, new Prepared(ps.switchId, reason == null, (reason != null) ? reason : ""));
		});
	}

	/**
	 * Runs the switch participants' {@code prepare} for a prepared switch on a worker thread,
	 * then calls {@code outcome} on the node loop with the failure ({@code null} if all
	 * prepared), unless another switch replaced this one meanwhile.
	 */
	private void prepareParticipants(PreparedSwitch ps, java.util.function.Consumer<String> outcome) {
		this.worker.execute(() -> {
			String failure = null;
			try {
				for (SwitchParticipant participant : this.participants) {
					participant.prepare(ps.next);
				}
			}
			catch (Exception ex) {
				failure = ex.toString();
			}
			String reason = failure;
			this.loop.execute(() -> {
				if (this.prepared == ps) {
					outcome.accept(reason);
				}
			});
		});
	}

	private void answerPrepared(long coordinator, Prepared answer) {
		if (coordinator == this.self.id()) {
			handlePrepared(coordinator, answer);
		}
		else {
			this.control.send(coordinator, answer);
		}
	}

	private void handleCommit(Commit commit) {
		PreparedSwitch ps = this.prepared;
		if (ps == null || ps.switchId != commit.switchId() || !ps.ready) {
			LOG.log(System.Logger.Level.WARNING, "zynco node " + this.config.name + ": commit of switch "
					+ commit.switchId() + " without a matching prepare; will catch up");
			return;
		}
		this.prepared = null;
		flip(ps.next, ps.rollback);
		if (ps.coordinator != this.self.id()) {
			this.control.send(ps.coordinator, new Switched(ps.switchId));
		}
	}

	/**
	 * A catch-up ended: a prepare waiting for fetched versions runs again (and answers), or
	 * fails with {@code failure}.
	 */
	private void resumePendingPrepare(String failure) {
		PendingPrepare pending = this.pendingPrepare;
		if (pending == null) {
			return;
		}
		if (failure != null) {
			this.pendingPrepare = null;
			answerPrepared(pending.from, new Prepared(pending.prepare.switchId(), false, this.config.name + " " + failure));
			return;
		}
		for (StateVersion target : pending.prepare.targets()) {
			if (this.catchUps.containsKey(target.state())) {
				return; // still fetching another of its versions
			}
		}
		handlePrepare(pending.from, pending.prepare);
	}

	private void handleAbort(Abort abort) {
		if (this.pendingPrepare != null && this.pendingPrepare.prepare.switchId() == abort.switchId()) {
			this.pendingPrepare = null;
		}
		PreparedSwitch ps = this.prepared;
		if (ps != null && ps.switchId == abort.switchId()) {
			this.prepared = null;
			this.participants.forEach((p) -> p.aborted(ps.next, abort.reason()));
		}
		this.listeners.forEach((l) -> l.aborted(abort.switchId(), abort.reason()));
	}

	/** The one atomic write that switches this node. */
	private void flip(ClusterView next, boolean rollback) {
		ClusterView previous = this.view.get();
		for (Map.Entry<String, Version> e : next.versions().entrySet()) {
			Slot slot = this.slots.get(e.getKey());
			if (slot.chain.contains(e.getValue().number())) {
				slot.chain.activate(e.getValue().number());
			}
		}
		this.view.set(next);
		noteSwitch(next.switchId());
		this.stats.switches.increment();
		this.participants.forEach((p) -> p.committed(previous, next));
		this.listeners.forEach((l) -> l.switched(previous, next, rollback));
		completeAwaitedSwitches();
	}

	// ---------------------------------------------------------------- catch-up

	/**
	 * The cluster's truth is the view of the live member that committed the most recent switch.
	 * A node behind it catches up, state by state, from the nearest member that serves it.
	 */
	/**
	 * A switch this node prepared whose outcome never came: the cluster decided it without this
	 * node (it was paused or cut off, left the membership, and the coordinator went on without
	 * it), so no COMMIT or ABORT is on its way. Once a member reports a later switch, or the
	 * prepare timeout plus the failure timeout passed, the prepared switch is dropped (its
	 * participants see an abort) and the node catches up with the cluster's view instead of
	 * waiting forever.
	 */
	private void expireOrphanedPrepare(Heartbeat best, long now) {
		PreparedSwitch waiting = this.prepared;
		if (waiting == null || waiting.coordinator == this.self.id() || best == null) {
			return;
		}
		boolean superseded = best.switchId() > waiting.switchId;
		boolean expired = now - waiting.preparedAt > this.config.prepareTimeout.toNanos()
				+ this.config.failureTimeout.toNanos();
		if (!superseded && !expired) {
			return;
		}
		this.prepared = null;
		String reason = "switch " + waiting.switchId + " was decided without " + this.config.name
				+ (superseded ? " (the cluster is at switch " + best.switchId() + ")" : " (no outcome within the prepare timeout)");
		LOG.log(System.Logger.Level.WARNING, "zynco node " + this.config.name + ": " + reason + "; catching up");
		this.participants.forEach((p) -> p.aborted(waiting.next, reason));
	}

	private void checkCatchUp(long now) {
		Heartbeat best = null;
		long bestId = this.self.id();
		for (long id : this.membership.liveMemberIds()) {
			Heartbeat hb = this.statuses.get(id);
			if (hb != null && id != this.self.id() && (best == null || hb.switchId() > best.switchId())) {
				best = hb;
				bestId = id;
			}
		}
		ClusterView current = this.view.get();
		expireOrphanedPrepare(best, now);
		dropMootCatchUps(best, current);
		if (best == null || best.switchId() <= current.switchId() || this.prepared != null
				|| this.pendingPrepare != null || (this.catchUpBackoff && now - this.catchUpRetryAfter < 0)) {
			return;
		}
		Map<String, Version> held = new LinkedHashMap<>();
		boolean complete = true;
		for (StateStatus status : best.states()) {
			Slot slot = this.slots.get(status.state());
			if (slot == null) {
				continue;
			}
			Version mine = current.version(slot.name);
			if (mine.number() == status.active() && mine.rootFingerprint() == status.activeRoot()) {
				continue;
			}
			Version local = slot.chain.get(status.active()).orElse(null);
			if (local != null && local.rootFingerprint() == status.activeRoot()) {
				held.put(slot.name, local);
				continue;
			}
			complete = false;
			CatchUp running = this.catchUps.get(slot.name);
			if (running == null || running.wantVersion != status.active() || now - running.lastProgress > this.config.failureTimeout.toNanos() * 4) {
				startCatchUp(slot, bestId, status, now, (running != null && running.wantVersion == status.active()) ? running : null);
			}
		}
		if (complete) {
			long switchId = best.switchId();
			ClusterView next = current.with(switchId, held);
			this.prepared = new PreparedSwitch(switchId, this.self.id(), next, false);
			prepareParticipants(this.prepared, (reason) -> {
				this.prepared = null;
				if (reason != null) {
					LOG.log(System.Logger.Level.WARNING, "zynco node " + this.config.name
							+ ": could not prepare the cluster's view while catching up (retrying in "
							+ this.config.failureTimeout.toMillis() + " ms): " + reason);
					this.catchUpRetryAfter = this.config.nanoClock.getAsLong() + this.config.failureTimeout.toNanos();
					this.catchUpBackoff = true;
					this.participants.forEach((p) -> p.aborted(next, reason));
					return;
				}
				this.stats.catchUps.increment();
				flip(next, false);
			});
		}
	}

	/**
	 * Forgets the catch-ups nothing needs any more. Their answers may never come (a request or
	 * an answer is lost with its connection, a peer answers a newer request instead), and a
	 * catch-up is retried only while the node is behind, so a moot one would hold readiness
	 * down for good. Moot are: a catch-up for a version the node now holds with the wanted root
	 * (a transfer brought it), and, unless a prepare waits for its state, every catch-up once
	 * the node is no longer behind (it switched with the cluster, say to a rollback). A prepare
	 * waiting for a version now held goes on.
	 */
	private void dropMootCatchUps(Heartbeat best, ClusterView current) {
		if (this.catchUps.isEmpty()) {
			return;
		}
		boolean behind = best != null && best.switchId() > current.switchId();
		PendingPrepare pending = this.pendingPrepare;
		boolean dropped = this.catchUps.values().removeIf((c) -> {
			Version held = c.slot.chain.get(c.wantVersion).orElse(null);
			if (held != null && held.rootFingerprint() == c.wantRoot) {
				return true;
			}
			return !behind && (pending == null
					|| pending.prepare().targets().stream().noneMatch((t) -> t.state().equals(c.slot.name)));
		});
		if (dropped) {
			resumePendingPrepare(null);
		}
	}

	private void startCatchUp(Slot slot, long peer, StateStatus status, long now, CatchUp resume) {
		Version have = this.view.get().version(slot.name);
		Version newest = slot.chain.latest();
		if (newest.number() < status.active() && newest.number() > have.number()) {
			have = newest;
		}
		long requestId = this.ids.incrementAndGet();
		CatchUp c = (resume != null && resume.haveVersion == have.number()) ? resume
				: new CatchUp(slot, have.number(), status.active(), status.activeRoot());
		c.requestId = requestId;
		c.peer = peer;
		c.lastProgress = now;
		this.catchUps.put(slot.name, c);
		tickSoon();
		this.listeners.forEach((l) -> l.memberLagging(this.self, slot.name, this.view.get().version(slot.name).number(),
				status.active()));
		this.control.send(peer, new CatchUpRequest(requestId, slot.name, c.haveVersion,
				slot.chain.get(c.haveVersion).map(Version::rootFingerprint).orElse(0L), status.active(), c.received()));
	}

	/** A peer asks for a version: answer with a delta from what it has, or from empty. */
	private void handleCatchUpRequest(long from, CatchUpRequest request) {
		Slot slot = this.slots.get(request.state());
		if (slot != null && !this.catchUpRequests.record(from, request.state(), request.requestId())) {
			return; // the member has asked again since: it waits for that answer only
		}
		Version want = (slot != null) ? slot.chain.get(request.wantVersion()).orElse(null) : null;
		if (want == null) {
			this.control.send(from, new CatchUpChunk(request.requestId(), TransferBegin.DELTA, request.state(),
					request.wantVersion(), 0, 0, true, false, "version " + request.wantVersion() + " of '"
							+ request.state() + "' is not in the window of " + this.config.name, new byte[0]));
			return;
		}
		if (request.offset() < 0) {
			this.config.rejectedInput.reject("control", "bad-catch-up-offset", "negative catch-up offset");
			return;
		}
		Version have = slot.chain.get(request.haveVersion()).orElse(null);
		boolean fromHave = have != null && have.rootFingerprint() == request.haveRoot()
				&& have.number() < want.number();
		this.worker.execute(() -> {
			byte[] encoded;
			byte kind;
			if (fromHave) {
				encoded = Delta.diff(slot.name, have.number(), have.snapshot(), want.number(), want.snapshot()).encode();
				this.stats.deltasEncoded.increment();
				kind = TransferBegin.DELTA;
			}
			else {
				Snapshot empty = Snapshot.empty(slot.segmentBits);
				encoded = Delta.diff(slot.name, 0, empty, want.number(), want.snapshot()).encode();
				this.stats.deltasEncoded.increment();
				kind = TransferBegin.SNAPSHOT;
			}
			this.loop.execute(() -> sendCatchUpChunks(from, request, kind, want, encoded));
		});
	}

	/**
	 * Starts answering a catch-up: its chunks go out as the connection takes them
	 * ({@link #sendChunks}), from the offset the member asked for, in place of an answer to the
	 * member's earlier request for the same state. An answer whose connection is gone is
	 * dropped: the member asks again, from what it holds. Node loop only.
	 */
	private void sendCatchUpChunks(long to, CatchUpRequest request, byte kind, Version want, byte[] encoded) {
		if (!this.catchUpRequests.isNewest(to, request.state(), request.requestId())) {
			return; // encoded after a newer request's answer: it would replace that one
		}
		sendInChunks(new ChunkedSend(List.of(to, request.state()), to, encoded,
				(int) Math.min(request.offset(), encoded.length), CATCH_UP_CHUNK,
				(offset, payload, last) -> new CatchUpChunk(request.requestId(), kind, request.state(), want.number(),
						want.rootFingerprint(), offset, last, true, "", payload),
				this.stats.catchUpsServed::increment, () -> {
				}));
	}

	private void handleCatchUpChunk(long from, CatchUpChunk chunk) {
		CatchUp c = this.catchUps.get(chunk.state());
		if (c == null || c.requestId != chunk.requestId() || c.peer != from) {
			return;
		}
		if (!chunk.ok()) {
			this.catchUps.remove(chunk.state());
			LOG.log(System.Logger.Level.INFO, "zynco node " + this.config.name + ": catch-up refused by "
					+ memberName(from) + ": " + chunk.reason());
			resumePendingPrepare("could not fetch version " + c.wantVersion + " of '" + chunk.state() + "' from "
					+ memberName(from) + ": " + chunk.reason());
			return;
		}
		if (c.kind != 0 && c.kind != chunk.kind()) {
			c.reset();
		}
		c.kind = chunk.kind();
		if (chunk.offset() != c.received()) {
			this.config.rejectedInput.reject("control", "catch-up-out-of-order",
					"catch-up chunk at offset " + chunk.offset() + " but " + c.received() + " bytes are held");
			return;
		}
		if (c.received() + chunk.payload().length > this.config.maxTransferBytes) {
			this.catchUps.remove(chunk.state());
			this.config.rejectedInput.reject("control", "catch-up-too-large", "catch-up exceeds maxTransferBytes");
			return;
		}
		c.append(chunk.payload());
		c.lastProgress = this.config.nanoClock.getAsLong();
		if (!chunk.last()) {
			return;
		}
		byte[] bytes = c.bytes();
		Version base = (c.kind == TransferBegin.DELTA) ? c.slot.chain.get(c.haveVersion).orElse(null) : null;
		Snapshot baseSnapshot = (base != null) ? base.snapshot() : Snapshot.empty(c.slot.segmentBits);
		long parent = (base != null) ? base.number() : Version.NO_PARENT;
		this.worker.execute(() -> {
			try {
				Delta delta = Delta.decodeOwned(bytes, this.worker, workerParallelism());
				if (delta.targetVersion() != c.wantVersion || delta.targetRoot() != c.wantRoot) {
					throw new IllegalArgumentException("catch-up answer is for version " + delta.targetVersion());
				}
				Snapshot target = delta.applyTo(baseSnapshot, this.worker, workerParallelism());
				ParentCost cost = (base != null) ? ParentCost.measure(target, baseSnapshot) : null;
				this.loop.execute(() -> {
					this.catchUps.remove(c.slot.name);
					if (!c.slot.chain.contains(c.wantVersion) && c.slot.chain.latest().number() < c.wantVersion) {
						c.slot.chain.append(c.wantVersion, target, parent, "catch-up from " + memberName(from),
								bytes.length, cost);
					}
					this.stats.versionsReceived.increment();
					this.listeners.forEach((l) -> l.versionReceived(c.slot.name, c.wantVersion, bytes.length, true));
					resumePendingPrepare(null);
				});
			}
			catch (RuntimeException ex) {
				this.loop.execute(() -> {
					this.catchUps.remove(c.slot.name);
					this.stats.mismatches.increment();
					this.listeners.forEach((l) -> l.mismatch(c.slot.name, c.wantVersion, ex.getMessage()));
					resumePendingPrepare("version " + c.wantVersion + " of '" + c.slot.name
							+ "' fetched for the switch failed verification: " + ex.getMessage());
				});
			}
		});
	}

	private void updateReadiness() {
		long clusterSwitch = this.view.get().switchId();
		for (long id : this.membership.liveMemberIds()) {
			Heartbeat hb = this.statuses.get(id);
			if (hb != null) {
				clusterSwitch = Math.max(clusterSwitch, hb.switchId());
			}
		}
		this.ready = this.view.get().switchId() >= clusterSwitch && this.catchUps.isEmpty();
	}

	// ---------------------------------------------------------------- events

	private void onMessage(long from, ControlMessage message) {
		Predicate<ControlMessage> lost = this.dropIncomingControl;
		if (lost != null && lost.test(message)) {
			return;
		}
		if (message instanceof Heartbeat hb) {
			this.statuses.put(from, hb);
			noteSwitch(hb.switchId());
			for (StateStatus s : hb.states()) {
				noteVersion(s.state(), s.newest());
			}
			this.membership.onMessage(from, message);
		}
		else if (message instanceof Nack nack) {
			Outgoing out = this.outgoing.get(nack.transferId());
			if (out != null) {
				out.transfer.onNack(from, nack, this.config.nanoClock.getAsLong());
			}
		}
		else if (message instanceof TransferAck ack) {
			Outgoing out = this.outgoing.get(ack.transferId());
			if (out != null) {
				out.transfer.onAck(from, ack, this.config.nanoClock.getAsLong());
			}
		}
		else if (message instanceof TransferBegin begin) {
			handleTransferBegin(from, begin);
		}
		else if (message instanceof TransferDrop drop) {
			Incoming in = this.incoming.get(drop.transferId());
			if (in != null && in.sender == from) {
				this.incoming.remove(drop.transferId());
				this.stats.transfersDropped.increment();
			}
		}
		else if (message instanceof Prepare prepare) {
			handlePrepare(from, prepare);
		}
		else if (message instanceof Prepared answer) {
			handlePrepared(from, answer);
		}
		else if (message instanceof Commit commit) {
			handleCommit(commit);
		}
		else if (message instanceof Abort abort) {
			handleAbort(abort);
		}
		else if (message instanceof Switched) {
			this.stats.switchedAcks.increment();
		}
		else if (message instanceof PublishRequest request) {
			handlePublishRequest(from, request);
		}
		else if (message instanceof PublishChunk chunk) {
			handlePublishChunk(from, chunk);
		}
		else if (message instanceof PublishResult result) {
			handlePublishResult(result);
		}
		else if (message instanceof SwitchRequest request) {
			handleSwitchRequest(from, request);
		}
		else if (message instanceof SwitchResult result) {
			handleSwitchResult(result);
		}
		else if (message instanceof Pin pin) {
			handlePin(from, pin);
		}
		else if (message instanceof CatchUpRequest request) {
			handleCatchUpRequest(from, request);
		}
		else if (message instanceof CatchUpChunk chunk) {
			handleCatchUpChunk(from, chunk);
		}
		else {
			this.membership.onMessage(from, message);
		}
	}

	private void memberLeft(MemberInfo member) {
		this.statuses.remove(member.id());
		this.dataAddresses.remove(member.id());
		for (Outgoing out : this.outgoing.values()) {
			out.transfer.removeReceiver(member.id(), this.config.nanoClock.getAsLong());
		}
		this.incoming.values().removeIf((in) -> in.sender == member.id());
		this.catchUps.values().removeIf((c) -> c.peer == member.id());
		this.catchUpRequests.forget(member.id());
		// requests to a coordinator that left fail; the caller retries with the new one
		this.requests.entrySet().removeIf((e) -> {
			if (e.getValue().to == member.id()) {
				e.getValue().fail(new ReplicationException(ReplicationException.Reason.COORDINATOR_CHANGED,
						"the coordinator " + member + " left while the request was in flight; retry"));
				return true;
			}
			return false;
		});
		if (this.prepared != null && this.prepared.coordinator == member.id()) {
			PreparedSwitch ps = this.prepared;
			this.prepared = null;
			this.participants.forEach((p) -> p.aborted(ps.next, "the coordinator left"));
		}
	}

	private void failAll(ReplicationException ex) {
		this.requests.values().forEach((p) -> p.fail(ex));
		this.requests.clear();
		this.awaitingSwitch.forEach((a) -> a.future.completeExceptionally(ex));
		this.awaitingSwitch.clear();
	}

	// ---------------------------------------------------------------- helpers

	private void noteVersion(String state, long version) {
		this.highestVersion.merge(state, version, Math::max);
	}

	private void noteSwitch(long switchId) {
		this.highestSwitchId = Math.max(this.highestSwitchId, switchId);
	}

	private boolean queuedOrRunning(String state) {
		for (SwitchPlan plan : this.switchQueue) {
			if (plan.touches(state)) {
				return true;
			}
		}
		return this.round != null && this.round.plan.touches(state);
	}

	/**
	 * A member's UDP data address, built once per member rather than per packet (a member id
	 * belongs to one process, so its address never changes); {@code null} if unknown.
	 */
	private InetSocketAddress dataAddress(long id) {
		InetSocketAddress address = this.dataAddresses.get(id);
		if (address == null) {
			MemberInfo m = this.members.get(id);
			if (m == null) {
				return null;
			}
			address = new InetSocketAddress(m.host(), m.dataPort());
			this.dataAddresses.put(id, address);
		}
		return address;
	}

	private String memberName(long id) {
		MemberInfo m = this.members.get(id);
		return (m != null) ? m.name() : Long.toHexString(id);
	}

	private Slot requireSlot(String state) {
		Slot slot = this.slots.get(state);
		if (slot == null) {
			throw new ReplicationException(ReplicationException.Reason.NOT_FOUND, "no state named '" + state + "'");
		}
		return slot;
	}

	private ReplicationException notRunning() {
		return new ReplicationException(ReplicationException.Reason.NOT_RUNNING,
				"node " + this.config.name + " is " + this.lifecycle.name().toLowerCase());
	}

	/**
	 * Multicast discovery: in multicast mode every node announces itself once per
	 * {@link #ANNOUNCE_INTERVAL_NANOS}; nodes dial members they hear of and do not know.
	 * Announcements are authenticated like data packets.
	 */
	private void announce(long now) {
		if (this.data.mode() != TransportMode.MULTICAST
				|| (this.announced && now - this.lastAnnounce < ANNOUNCE_INTERVAL_NANOS)) {
			return;
		}
		this.announced = true;
		this.lastAnnounce = now;
		this.data.announce(ControlFrameCodec.encodeMemberInfo(this.self));
	}

	private void handleAnnounce(long sender, byte[] bytes) {
		MemberInfo member;
		try {
			member = ControlFrameCodec.decodeMemberInfo(bytes, 0, bytes.length);
		}
		catch (RuntimeException ex) {
			this.config.rejectedInput.reject("data", "bad-announce", "undecodable member announcement: " + ex.getMessage());
			return;
		}
		if (member.id() != sender) {
			this.config.rejectedInput.reject("data", "bad-announce", "announcement for another member than its sender");
			return;
		}
		if (member.id() != this.self.id() && !this.membership.alive(member.id())) {
			this.control.connect(new InetSocketAddress(member.host(), member.controlPort()));
		}
	}

	/** Notices when the leader changes; if this node stopped leading, fails what it was coordinating. */
	private void checkLeader() {
		MemberInfo current = leader();
		MemberInfo previous = this.lastLeader;
		this.lastLeader = current;
		if (previous == null || previous.id() == current.id()) {
			return;
		}
		LOG.log(System.Logger.Level.INFO, "zynco node " + this.config.name + ": coordinator is now " + current
				+ " (was " + previous + ")");
		if (previous.id() != this.self.id()) {
			return;
		}
		String reason = "[COORDINATOR_CHANGED] coordination moved to " + current + "; retry";
		this.publishing.values().forEach((p) -> answerPublish(p.from, p.requestId, false, -1, reason));
		this.publishing.clear();
		for (SwitchPlan plan : this.switchQueue) {
			if (plan.requestId >= 0) {
				answerSwitch(plan.from, plan.requestId, false, -1, reason);
			}
		}
		this.switchQueue.clear();
		if (this.round != null) {
			finishPlan(this.round.plan, false, -1, reason);
			this.round = null;
		}
	}

	/** Coordinator: tells a member that joined which states are pinned. */
	private void announcePins(MemberInfo member) {
		if (!this.pins.isEmpty() && isLeader()) {
			this.pins.forEach((state, version) -> this.control.send(member.id(), new Pin(state, version, true)));
		}
	}

	private MemberInfo leader() {
		return this.config.coordinator.leader(this.membership.liveMembers());
	}

	private boolean isLeader() {
		return leader().id() == this.self.id();
	}

	private <T> CompletableFuture<T> onLoop(java.util.function.Supplier<T> task) {
		CompletableFuture<T> future = new CompletableFuture<>();
		if (!isRunning()) {
			future.completeExceptionally(notRunning());
			return future;
		}
		this.loop.execute(() -> {
			try {
				future.complete(task.get());
			}
			catch (RuntimeException ex) {
				future.completeExceptionally(ex);
			}
		});
		return future;
	}

	private List<MemberView> memberViews() {
		List<MemberView> views = new ArrayList<>();
		MemberInfo coordinator = leader();
		for (MemberStatus status : this.membership.statuses()) {
			MemberInfo m = status.member();
			boolean isSelf = m.id() == this.self.id();
			Heartbeat hb = isSelf ? null : this.statuses.get(m.id());
			LocalStatus local = isSelf ? localStatus() : null;
			views.add(new MemberView(m, status.state().name(), m.id() == coordinator.id(), isSelf,
					isSelf ? local.ready() : (hb != null && hb.ready()), isSelf ? local.switchId() : (hb != null) ? hb.switchId() : -1,
					status.rttNanos(), StateReport.of(isSelf ? local.states() : (hb != null) ? hb.states() : List.of())));
		}
		return views;
	}

	// ======================================================================= adapters

	private final class ControlEvents implements ControlListener {

		@Override
		public void onConnected(MemberInfo peer) {
			ZyncoNode.this.members.put(peer.id(), peer);
			if (ZyncoNode.this.membership != null) {
				ZyncoNode.this.membership.onConnected(peer);
			}
		}

		@Override
		public void onMessage(long from, ControlMessage message) {
			if (ZyncoNode.this.membership != null) {
				ZyncoNode.this.onMessage(from, message);
				// a message may start work the tick drives (the cases above call this too)
				ZyncoNode.this.tickSoon();
			}
		}

		@Override
		public void onDisconnected(long memberId) {
			if (ZyncoNode.this.membership != null) {
				ZyncoNode.this.membership.onDisconnected(memberId);
			}
		}

	}

	private final class DataEvents implements DataListener {

		@Override
		public void onData(long senderId, long transferId, int sequence, int count, byte[] payload, int offset,
				int length, boolean repair) {
			DataFaults faults = ZyncoNode.this.config.dataFaults;
			if (faults.active()) {
				faults.apply(senderId, transferId, sequence, count, payload, offset, length, repair,
						(s, t, q, c, p, o, l, r) -> handleData(s, t, q, c, p, o, l));
				return;
			}
			handleData(senderId, transferId, sequence, count, payload, offset, length);
		}

		@Override
		public boolean holds(long senderId, long transferId, int sequence) {
			Incoming in = ZyncoNode.this.incoming.get(transferId);
			if (in == null || in.sender != senderId || !(in.completing || in.transfer.holds(sequence))) {
				return false;
			}
			ZyncoNode.this.stats.duplicatesDropped.increment();
			return true;
		}

		@Override
		public void onAnnounce(long senderId, byte[] memberInfo) {
			if (ZyncoNode.this.membership != null) {
				handleAnnounce(senderId, memberInfo);
			}
		}

	}

	private final class MembershipEvents implements MembershipListener {

		@Override
		public void memberJoined(MemberInfo member) {
			ZyncoNode.this.members.put(member.id(), member);
			ZyncoNode.this.announcePins(member);
			ZyncoNode.this.listeners.forEach((l) -> l.memberJoined(member));
		}

		@Override
		public void memberLeft(MemberInfo member, RemovalReason reason) {
			ZyncoNode.this.memberLeft(member);
			ZyncoNode.this.listeners.forEach((l) -> l.memberLeft(member, reason.name().toLowerCase()));
		}

	}

	private final class Output implements TransferOutput {

		@Override
		public boolean sendToAll(long transferId, int sequence, int count, byte[] buffer, int offset, int length,
				boolean repair) {
			// multicast needs no address list: one send reaches every member
			List<InetSocketAddress> targets = List.of();
			Outgoing out = ZyncoNode.this.outgoing.get(transferId);
			if (out != null && ZyncoNode.this.data.mode() == TransportMode.UNICAST) {
				targets = new ArrayList<>();
				for (long id : out.transfer.activeReceivers()) {
					InetSocketAddress address = dataAddress(id);
					if (address != null) {
						targets.add(address);
					}
				}
			}
			boolean sent = ZyncoNode.this.data.sendToAll(targets, transferId, sequence, count, buffer, offset, length,
					repair);
			if (sent) {
				int datagrams = (ZyncoNode.this.data.mode() == TransportMode.UNICAST) ? targets.size() : 1;
				ZyncoNode.this.stats.wireBytesSent.add((long) datagrams * (length + DataPacket.OVERHEAD));
			}
			return sent;
		}

		@Override
		public boolean sendTo(long memberId, long transferId, int sequence, int count, byte[] buffer, int offset,
				int length, boolean repair) {
			InetSocketAddress address = dataAddress(memberId);
			if (address == null) {
				return true;
			}
			boolean sent = ZyncoNode.this.data.sendTo(address, transferId, sequence, count, buffer, offset, length,
					repair);
			if (sent) {
				ZyncoNode.this.stats.wireBytesSent.add(length + DataPacket.OVERHEAD);
			}
			return sent;
		}

		@Override
		public boolean sendControl(long memberId, ControlMessage message) {
			return ZyncoNode.this.control.send(memberId, message);
		}

	}

	// ======================================================================= records

	private enum State {

		NEW, STARTING, RUNNING, CLOSED

	}

	private static final class Slot {

		final String name;

		final int segmentBits;

		final VersionChain chain;

		final SwitchPolicy policy;

		final ReplicatedState<?, ?> handle;

		Slot(String name, int segmentBits, VersionChain chain, SwitchPolicy policy, ReplicatedState<?, ?> handle) {
			this.name = name;
			this.segmentBits = segmentBits;
			this.chain = chain;
			this.policy = policy;
			this.handle = handle;
		}

	}

	/** Makes the control message that carries one chunk of a {@link ChunkedSend}. */
	@FunctionalInterface
	private interface ChunkMessage {

		ControlMessage piece(int offset, byte[] payload, boolean last);

	}

	/**
	 * An array on its way to a member in chunks ({@link #sendChunks}). Node loop only.
	 */
	private static final class ChunkedSend {

		/** What a newer send with an equal key replaces; null for none. */
		final Object key;

		final long to;

		final byte[] bytes;

		final int chunk;

		final ChunkMessage pieces;

		final Runnable done;

		final Runnable gone;

		int offset;

		/** Whether a chunk went out (an empty array still sends its one, last chunk). */
		boolean started;

		ChunkedSend(Object key, long to, byte[] bytes, int offset, int chunk, ChunkMessage pieces, Runnable done,
				Runnable gone) {
			this.key = key;
			this.to = to;
			this.bytes = bytes;
			this.offset = offset;
			this.chunk = chunk;
			this.pieces = pieces;
			this.done = done;
			this.gone = gone;
		}

	}

	private static final class Outgoing {

		final Publishing publishing;

		/** The delta being written while it is sent (a publish), or null. */
		final Delta.Encoding encoding;

		TransferSender transfer;

		Outgoing(Publishing publishing, Delta.Encoding encoding) {
			this.publishing = publishing;
			this.encoding = encoding;
		}

	}

	private static final class Incoming {

		final long sender;

		final Slot slot;

		final TransferBegin begin;

		final TransferReceiver transfer;

		/** Decodes the payload while it arrives, for large transfers; null for small ones. */
		final Delta.StreamingDecoder stream;

		boolean completing;

		/** A worker task is advancing {@link #stream} (node loop only). */
		boolean streaming;

		/** The contiguous bytes the last streaming task was told about (node loop only). */
		int streamedTo;

		/** The transfer completed while a streaming task ran: complete it when that task is done. */
		boolean completeWhenStreamed;

		Incoming(long sender, Slot slot, TransferBegin begin, TransferReceiver transfer) {
			this.sender = sender;
			this.slot = slot;
			this.begin = begin;
			this.transfer = transfer;
			this.stream = (begin.totalBytes() >= STREAM_MIN_BYTES)
					? Delta.streamingDecoder(transfer.partialPayload()) : null;
		}

	}

	private static final class Pending {

		final long to;

		final CompletableFuture<?> future;

		final CompletableFuture<ClusterView> viewFuture;

		Pending(long to, CompletableFuture<?> future, CompletableFuture<ClusterView> viewFuture) {
			this.to = to;
			this.future = future;
			this.viewFuture = viewFuture;
		}

		void fail(Throwable ex) {
			if (this.future != null) {
				this.future.completeExceptionally(ex);
			}
			if (this.viewFuture != null) {
				this.viewFuture.completeExceptionally(ex);
			}
		}

	}

	private record AwaitSwitch(long switchId, CompletableFuture<ClusterView> future) {
	}

	private static final class Publishing {

		final Slot slot;

		final long from;

		final long requestId;

		final Version base;

		final long version;

		Publishing(Slot slot, long from, long requestId, Version base, long version) {
			this.slot = slot;
			this.from = from;
			this.requestId = requestId;
			this.base = base;
			this.version = version;
		}

	}

	private static final class SwitchPlan {

		final List<StateVersion> targets;

		final boolean rollback;

		final Set<Long> participants;

		final Publishing publishing;

		final long from;

		final long requestId;

		SwitchPlan(List<StateVersion> targets, boolean rollback, Set<Long> participants, Publishing publishing, long from,
				long requestId) {
			this.targets = targets;
			this.rollback = rollback;
			this.participants = participants;
			this.publishing = publishing;
			this.from = from;
			this.requestId = requestId;
		}

		boolean touches(String state) {
			for (StateVersion t : this.targets) {
				if (t.state().equals(state)) {
					return true;
				}
			}
			return false;
		}

	}

	private static final class SwitchRound {

		final long switchId;

		final SwitchPlan plan;

		final Prepare prepare;

		final Set<Long> participants;

		final Set<Long> prepared = new HashSet<>();

		/** Participants the PREPARE could not be sent to yet (no control connection). */
		final Set<Long> unsent = new HashSet<>();

		final long started;

		final long deadline;

		String failed;

		SwitchRound(long switchId, SwitchPlan plan, Prepare prepare, Set<Long> participants, long started,
				long deadline) {
			this.switchId = switchId;
			this.plan = plan;
			this.prepare = prepare;
			this.participants = participants;
			this.started = started;
			this.deadline = deadline;
		}

	}

	private record PendingPrepare(long from, Prepare prepare) {
	}

	private static final class PreparedSwitch {

		final long switchId;

		final long coordinator;

		final ClusterView next;

		final boolean rollback;

		boolean ready;

		/** When this member prepared it (nano clock), for {@code expireOrphanedPrepare}. */
		long preparedAt;

		PreparedSwitch(long switchId, long coordinator, ClusterView next, boolean rollback) {
			this.switchId = switchId;
			this.coordinator = coordinator;
			this.next = next;
			this.rollback = rollback;
		}

	}

	private static final class CatchUp {

		final Slot slot;

		final long haveVersion;

		final long wantVersion;

		final long wantRoot;

		long requestId;

		long peer;

		long lastProgress;

		byte kind;

		private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

		CatchUp(Slot slot, long haveVersion, long wantVersion, long wantRoot) {
			this.slot = slot;
			this.haveVersion = haveVersion;
			this.wantVersion = wantVersion;
			this.wantRoot = wantRoot;
		}

		long received() {
			return this.buffer.size();
		}

		void append(byte[] bytes) {
			this.buffer.write(bytes, 0, bytes.length);
		}

		byte[] bytes() {
			return this.buffer.toByteArray();
		}

		void reset() {
			this.buffer.reset();
		}

	}

	/** One member as this node sees it, for operators. */
	public record MemberView(MemberInfo member, String state, boolean coordinator, boolean self, boolean ready,
			long switchId, long rttNanos, List<StateReport> states) {
	}

}
