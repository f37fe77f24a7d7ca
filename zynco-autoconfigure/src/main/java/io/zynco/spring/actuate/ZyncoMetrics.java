package io.zynco.spring.actuate;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.zynco.replication.NodeStats;
import io.zynco.replication.RejectedInputCounter;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.version.Version;

/**
 * Registers the {@code zynco.*} meters of a node, listed in {@link ZyncoMeters}: counters
 * read from {@link NodeStats}, a timer of the switches the node coordinates, gauges of
 * membership, readiness and of each state's window, and one counter per channel and reason
 * of the node's {@linkplain ZyncoNode#rejectedInput() rejected input}, registered when that
 * reason first occurs. Meters read the node when the registry polls them, without waiting
 * for its protocol thread. Thread-safe.
 */
public class ZyncoMetrics implements MeterBinder {

	private final ZyncoNode node;

	private final Tags tags;

	/**
	 * Meters of a node.
	 * @param node the node
	 * @param tags tags added to every meter
	 */
	public ZyncoMetrics(ZyncoNode node, Iterable<Tag> tags) {
		this.node = node;
		this.tags = Tags.of(tags);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		counter(registry, ZyncoMeters.VERSIONS_PUBLISHED, Tags.empty(), (s) -> s.versionsPublished());
		counter(registry, ZyncoMeters.VERSIONS_RECEIVED, Tags.empty(), (s) -> s.versionsReceived());
		counter(registry, ZyncoMeters.DELTAS_ENCODED, Tags.empty(), (s) -> s.deltasEncoded());
		counter(registry, ZyncoMeters.TRANSFERS, Tags.empty(), (s) -> s.transfers());
		counter(registry, ZyncoMeters.TRANSFERS_DROPPED, Tags.empty(), (s) -> s.transfersDropped());
		counter(registry, ZyncoMeters.BYTES_SENT, Tags.of("kind", "payload"), (s) -> s.payloadBytesSent());
		counter(registry, ZyncoMeters.BYTES_SENT, Tags.of("kind", "wire"), (s) -> s.wireBytesSent());
		counter(registry, ZyncoMeters.PACKETS_SENT, Tags.empty(), (s) -> s.packetsSent());
		counter(registry, ZyncoMeters.REPAIRS, Tags.of("kind", "multicast"), (s) -> s.repairsMulticast());
		counter(registry, ZyncoMeters.REPAIRS, Tags.of("kind", "unicast"), (s) -> s.repairsUnicast());
		counter(registry, ZyncoMeters.NACKS, Tags.empty(), (s) -> s.nacksReceived());
		counter(registry, ZyncoMeters.SWITCHES, Tags.empty(), (s) -> s.switches());
		counter(registry, ZyncoMeters.SWITCHES_ABORTED, Tags.empty(), (s) -> s.switchesAborted());
		counter(registry, ZyncoMeters.SWITCH_TIME, Tags.empty(),
				(s) -> s.switchNanos() / (double) TimeUnit.SECONDS.toNanos(1));
		counter(registry, ZyncoMeters.CATCH_UPS, Tags.empty(), (s) -> s.catchUps());
		counter(registry, ZyncoMeters.CATCH_UPS_SERVED, Tags.empty(), (s) -> s.catchUpsServed());
		counter(registry, ZyncoMeters.MISMATCHES, Tags.empty(), (s) -> s.mismatches());
		counter(registry, ZyncoMeters.KERNEL_DROPS, Tags.empty(), (s) -> Math.max(0, s.kernelDrops()));
		Timer switchDuration = Timer.builder(ZyncoMeters.SWITCH_DURATION.meterName())
			.description(ZyncoMeters.SWITCH_DURATION.description())
			.tags(this.tags)
			.register(registry);
		this.node.stats().onSwitch((nanos) -> switchDuration.record(nanos, TimeUnit.NANOSECONDS));
		gauge(registry, ZyncoMeters.MEMBERS, Tags.empty(), this.node, (n) -> n.memberSnapshot().size());
		gauge(registry, ZyncoMeters.READY, Tags.empty(), this.node, (n) -> n.isReady() ? 1 : 0);
		for (ReplicatedState<?, ?> state : this.node.states()) {
			Tags tags = Tags.of("state", state.name());
			gauge(registry, ZyncoMeters.STATE_VERSION, tags, state, (s) -> {
				Version active = s.active();
				return (active != null) ? active.number() : -1;
			});
			gauge(registry, ZyncoMeters.STATE_VERSIONS, tags, state, (s) -> s.chain().size());
			gauge(registry, ZyncoMeters.STATE_HEAP, tags, state, (s) -> s.chain().heapBytes());
		}
		RejectedInputCounter rejected = this.node.rejectedInput();
		rejected.onReason((channel, reason) -> counter(registry, ZyncoMeters.INPUT_REJECTED,
				Tags.of("channel", channel, "reason", reason), rejected, (r) -> r.count(channel, reason)));
	}

	private void counter(MeterRegistry registry, ZyncoMeters meter, Tags tags, ToDoubleFunction<NodeStats> value) {
		counter(registry, meter, tags, this.node, (n) -> value.applyAsDouble(n.stats()));
	}

	private <T> void counter(MeterRegistry registry, ZyncoMeters meter, Tags tags, T object,
			ToDoubleFunction<T> value) {
		FunctionCounter.builder(meter.meterName(), object, value)
			.description(meter.description())
			.baseUnit(meter.baseUnit())
			.tags(this.tags.and(tags))
			.register(registry);
	}

	private <T> void gauge(MeterRegistry registry, ZyncoMeters meter, Tags tags, T object, ToDoubleFunction<T> value) {
		Gauge.builder(meter.meterName(), object, value)
			.description(meter.description())
			.baseUnit(meter.baseUnit())
			.tags(this.tags.and(tags))
			.strongReference(true)
			.register(registry);
	}

}
