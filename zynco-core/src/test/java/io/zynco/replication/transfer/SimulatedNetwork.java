package io.zynco.replication.transfer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.LongConsumer;

import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.TransferAck;
import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.protocol.ControlMessage.TransferDrop;

/**
 * A deterministic network between one {@link TransferSender} and several
 * {@link TransferReceiver}s, driven by a fake clock. Data packets suffer per-receiver seeded
 * loss, duplication and delay jitter (which reorders them); control messages are reliable and
 * in order per direction, like TCP. Each receiver node behaves like the real node: it creates
 * its receiver from {@code TransferBegin} (answering a failed ack if it is rejected), drops
 * packets of transfers it does not know yet, ticks its receiver for NACKs, and acks when
 * complete.
 */
final class SimulatedNetwork implements TransferOutput {

	static final long SENDER_ID = 1;

	/** Scripted loss, decided before the random loss. */
	interface LossModel {

		boolean drop(long receiverId, int sequence, boolean repair, long nowNanos);

	}

	/** One receiver's link conditions; mutable so tests can change them mid-transfer. */
	static final class Link {

		double loss;

		double duplicate;

		long delayNanos = 200_000;

		long jitterNanos;

		long controlDelayNanos = 300_000;

		LossModel lossModel = (id, sequence, repair, now) -> false;

		Link loss(double loss) {
			this.loss = loss;
			return this;
		}

		Link duplicate(double duplicate) {
			this.duplicate = duplicate;
			return this;
		}

		Link jitter(long jitterNanos) {
			this.jitterNanos = jitterNanos;
			return this;
		}

		Link delay(long delayNanos) {
			this.delayNanos = delayNanos;
			return this;
		}

		Link lossModel(LossModel lossModel) {
			this.lossModel = lossModel;
			return this;
		}

	}

	/** A data send as the sender made it: {@code target} is -1 for sendToAll. */
	record Sent(long target, int sequence, boolean repair, long nanos) {
	}

	/** One receiving member. */
	final class Node {

		final long id;

		final Link link;

		final Random random;

		final TransferReceiver.Config config;

		TransferReceiver receiver;

		TransferRejectedException rejection;

		TransferDrop drop;

		boolean acked;

		int packetsBeforeBegin;

		int packetsDelivered;

		long lastControlToSender = Long.MIN_VALUE;

		long lastControlFromSender = Long.MIN_VALUE;

		Node(long id, Link link, long seed, TransferReceiver.Config config) {
			this.id = id;
			this.link = link;
			this.random = new Random(seed);
			this.config = config;
		}

		boolean isComplete() {
			return this.receiver != null && this.receiver.isComplete();
		}

		private void onControl(ControlMessage message, long nowNanos) {
			if (message instanceof TransferBegin begin) {
				try {
					this.receiver = TransferReceiver.accept(SENDER_ID, begin, this.config, nowNanos);
				}
				catch (TransferRejectedException ex) {
					this.rejection = ex;
					toSender(this, new TransferAck(begin.transferId(), false, ex.reason().tag()));
					return;
				}
				if (this.receiver.isComplete()) {
					ack();
				}
			}
			else if (message instanceof TransferDrop transferDrop) {
				this.drop = transferDrop;
			}
		}

		private void onData(int sequence, int count, byte[] packet, long nowNanos) {
			if (this.receiver == null) {
				this.packetsBeforeBegin++;
				return;
			}
			if (this.drop != null) {
				return;
			}
			this.packetsDelivered++;
			PacketOutcome outcome = this.receiver.onData(sequence, count, packet, 0, packet.length, nowNanos);
			if (outcome == PacketOutcome.COMPLETED) {
				ack();
			}
		}

		private void ack() {
			if (!this.acked) {
				this.acked = true;
				toSender(this, new TransferAck(this.receiver.transferId(), true, null));
			}
		}

		private void tick(long nowNanos) {
			if (this.receiver != null && this.drop == null && !this.receiver.isComplete()) {
				this.receiver.tick(nowNanos).ifPresent((nack) -> toSender(this, nack));
			}
		}

	}

	private record Event(long nanos, long order, Runnable action) {
	}

	private final PriorityQueue<Event> events = new PriorityQueue<>(
			(a, b) -> (a.nanos != b.nanos) ? Long.compare(a.nanos, b.nanos) : Long.compare(a.order, b.order));

	private final Map<Long, Node> nodes = new LinkedHashMap<>();

	private final List<Sent> sent = new ArrayList<>();

	private final List<ControlMessage> controlFromSender = new ArrayList<>();

	private long order;

	private long now;

	private TransferSender sender;

	private int sendCapacityPerTick = Integer.MAX_VALUE;

	private int sendsThisTick;

	private long refusedSends;

	private LongConsumer beforeTick = (now) -> {
	};

	SimulatedNetwork(long startNanos) {
		this.now = startNanos;
	}

	Node addReceiver(long id, Link link, long seed, TransferReceiver.Config config) {
		Node node = new Node(id, link, seed, config);
		this.nodes.put(id, node);
		return node;
	}

	Node addReceiver(long id, Link link, long seed) {
		return addReceiver(id, link, seed, TransferReceiver.Config.defaults());
	}

	Node node(long id) {
		return this.nodes.get(id);
	}

	Collection<Node> nodes() {
		return this.nodes.values();
	}

	List<Long> receiverIds() {
		return new ArrayList<>(this.nodes.keySet());
	}

	/** Lets at most this many data sends through per tick; the rest get back-pressure. */
	void sendCapacityPerTick(int capacity) {
		this.sendCapacityPerTick = capacity;
	}

	/** Runs before each tick's deliveries, with the tick's time (to change conditions). */
	void beforeTick(LongConsumer beforeTick) {
		this.beforeTick = beforeTick;
	}

	long now() {
		return this.now;
	}

	long refusedSends() {
		return this.refusedSends;
	}

	List<Sent> sent() {
		return this.sent;
	}

	List<ControlMessage> controlFromSender() {
		return this.controlFromSender;
	}

	TransferSender start(TransferSpec transfer, TransferSender.Config config, RateController rate) {
		this.sender = TransferSender.start(transfer, receiverIds(), config, rate, this, this.now);
		return this.sender;
	}

	/** Advances the clock by one tick: deliveries, then the sender's tick, then the receivers'. */
	void step(long tickNanos) {
		this.now += tickNanos;
		this.beforeTick.accept(this.now);
		deliverUntil(this.now);
		this.sendsThisTick = 0;
		this.sender.tick(this.now);
		for (Node node : this.nodes.values()) {
			node.tick(this.now);
		}
	}

	/**
	 * Steps until the sender is done, then delivers what is still in flight.
	 * @throws AssertionError if the sender is not done within {@code maxTicks}
	 */
	TransferResult run(long tickNanos, int maxTicks) {
		for (int i = 0; i < maxTicks; i++) {
			step(tickNanos);
			if (this.sender.isDone()) {
				deliverUntil(this.now + 1_000_000_000L);
				return this.sender.result();
			}
		}
		StringBuilder state = new StringBuilder();
		for (Node node : this.nodes.values()) {
			state.append("\n  ").append(node.id).append(": ").append(node.receiver);
		}
		throw new AssertionError("no convergence after " + maxTicks + " ticks: " + this.sender + state);
	}

	/** Removes a receiver from the sender as the node would when the member dies. */
	void kill(long id) {
		this.nodes.remove(id);
		this.sender.removeReceiver(id, this.now);
	}

	// ---------------------------------------------------------------- TransferOutput

	@Override
	public boolean sendToAll(long transferId, int sequence, int count, byte[] buffer, int offset, int length,
			boolean repair) {
		if (!takeCapacity()) {
			return false;
		}
		this.sent.add(new Sent(-1, sequence, repair, this.now));
		byte[] packet = Arrays.copyOfRange(buffer, offset, offset + length);
		for (Node node : this.nodes.values()) {
			transmit(node, sequence, count, packet, repair);
		}
		return true;
	}

	@Override
	public boolean sendTo(long memberId, long transferId, int sequence, int count, byte[] buffer, int offset,
			int length, boolean repair) {
		if (!takeCapacity()) {
			return false;
		}
		this.sent.add(new Sent(memberId, sequence, repair, this.now));
		Node node = this.nodes.get(memberId);
		if (node != null) {
			transmit(node, sequence, count, Arrays.copyOfRange(buffer, offset, offset + length), repair);
		}
		return true;
	}

	@Override
	public boolean sendControl(long memberId, ControlMessage message) {
		Node node = this.nodes.get(memberId);
		if (node == null) {
			return false;
		}
		this.controlFromSender.add(message);
		long at = Math.max(this.now + node.link.controlDelayNanos, node.lastControlFromSender);
		node.lastControlFromSender = at;
		schedule(at, () -> node.onControl(message, at));
		return true;
	}

	// ---------------------------------------------------------------- internals

	private boolean takeCapacity() {
		if (this.sendsThisTick >= this.sendCapacityPerTick) {
			this.refusedSends++;
			return false;
		}
		this.sendsThisTick++;
		return true;
	}

	private void transmit(Node node, int sequence, int count, byte[] packet, boolean repair) {
		Link link = node.link;
		if (link.lossModel.drop(node.id, sequence, repair, this.now)) {
			return;
		}
		if (node.random.nextDouble() < link.loss) {
			return;
		}
		int copies = (node.random.nextDouble() < link.duplicate) ? 2 : 1;
		for (int i = 0; i < copies; i++) {
			long at = this.now + link.delayNanos
					+ ((link.jitterNanos > 0) ? (long) (node.random.nextDouble() * link.jitterNanos) : 0);
			schedule(at, () -> node.onData(sequence, count, packet, at));
		}
	}

	private void toSender(Node node, ControlMessage message) {
		long at = Math.max(this.now + node.link.controlDelayNanos, node.lastControlToSender);
		node.lastControlToSender = at;
		schedule(at, () -> {
			if (message instanceof Nack nack) {
				this.sender.onNack(node.id, nack, at);
			}
			else if (message instanceof TransferAck ack) {
				this.sender.onAck(node.id, ack, at);
			}
		});
	}

	private void schedule(long nanos, Runnable action) {
		this.events.add(new Event(nanos, this.order++, action));
	}

	private void deliverUntil(long nanos) {
		while (!this.events.isEmpty() && this.events.peek().nanos <= nanos) {
			this.events.poll().action.run();
		}
	}

}
