package io.zynco.spring.actuate;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Every meter {@link ZyncoMetrics} registers: name, type, description, base unit and tags.
 * This enum is the reference for the {@code zynco.*} meters (docs/spring-boot.md lists it).
 */
public enum ZyncoMeters {

	/** Versions this node published as coordinator. */
	VERSIONS_PUBLISHED("zynco.versions.published", Type.COUNTER, "Versions this node published as coordinator",
			"versions"),
	/** Versions received and verified (transfers and catch-ups). */
	VERSIONS_RECEIVED("zynco.versions.received", Type.COUNTER,
			"Versions this node received and verified (transfers and catch-ups)", "versions"),
	/** Deltas this node encoded (forwarded publishes, transfers, catch-up answers). */
	DELTAS_ENCODED("zynco.deltas.encoded", Type.COUNTER,
			"Deltas this node encoded: forwarded publishes, transfers of its publishes, catch-up answers", "deltas"),
	/** Transfers this node sent. */
	TRANSFERS("zynco.transfers", Type.COUNTER, "Transfers this node sent", "transfers"),
	/** Receivers dropped from transfers. */
	TRANSFERS_DROPPED("zynco.transfers.dropped", Type.COUNTER,
			"Receivers dropped from this node's transfers (too slow), plus transfers this node was dropped from",
			"transfers"),
	/** Bytes sent, by kind: payload (effective transfer bytes) or wire (headers, tags and repairs included). */
	BYTES_SENT("zynco.bytes.sent", Type.COUNTER,
			"Bytes this node sent for transfers: kind=payload the effective bytes, kind=wire with Zynco headers, "
					+ "tags and repairs (one per receiver in unicast mode)",
			"bytes", "kind"),
	/** Data packets sent. */
	PACKETS_SENT("zynco.packets.sent", Type.COUNTER,
			"Data packets sent, first transmissions and repairs (one per multicast send)", "packets"),
	/** Repair packets, by kind: multicast or unicast. */
	REPAIRS("zynco.repairs", Type.COUNTER, "Repair packets this node sent, by kind (multicast, unicast)", "packets",
			"kind"),
	/** Negative acknowledgements received. */
	NACKS("zynco.nacks.received", Type.COUNTER, "Negative acknowledgements this node received", "nacks"),
	/** Switches committed. */
	SWITCHES("zynco.switches", Type.COUNTER, "Switches this node committed (forwards and back)", "switches"),
	/** Switches aborted. */
	SWITCHES_ABORTED("zynco.switches.aborted", Type.COUNTER, "Switches this node aborted as coordinator",
			"switches"),
	/** Time of the switches this node coordinated. */
	SWITCH_TIME("zynco.switch.time", Type.COUNTER,
			"Total time of the switches this node coordinated, prepare to commit", "seconds"),
	/** Duration of each switch this node coordinated. */
	SWITCH_DURATION("zynco.switch.duration", Type.TIMER,
			"Duration of each switch this node coordinated, prepare sent to commit", "seconds"),
	/** Catch-ups outside a switch. */
	CATCH_UPS("zynco.catchups", Type.COUNTER, "Times this node caught up with the cluster outside a switch",
			"catchups"),
	/** Catch-up answers sent to peers. */
	CATCH_UPS_SERVED("zynco.catchups.served", Type.COUNTER, "Catch-up answers this node sent to peers", "catchups"),
	/** Received versions that failed verification. */
	MISMATCHES("zynco.mismatches", Type.COUNTER, "Received versions that failed verification", "versions"),
	/** Datagrams the kernel dropped on the data sockets (a full receive buffer). */
	KERNEL_DROPS("zynco.data.kernel.drops", Type.COUNTER,
			"Data datagrams the kernel dropped for a full receive buffer (Linux with epoll; 0 elsewhere)", "packets"),
	/** Rejected input, by channel (data, control) and reason. */
	INPUT_REJECTED("zynco.input.rejected", Type.COUNTER,
			"Input rejected (bad magic, bad MAC, replayed, malformed...), by channel and reason", "packets",
			"channel", "reason"),
	/** Members in this node's view. */
	MEMBERS("zynco.members", Type.GAUGE, "Members in this node's view, this node included", "members"),
	/** Whether this node serves what the cluster serves. */
	READY("zynco.ready", Type.GAUGE, "1 when this node serves what the cluster serves, 0 while it catches up", null),
	/** Active version of each state. */
	STATE_VERSION("zynco.state.version", Type.GAUGE, "Version of the state this node serves", null, "state"),
	/** Versions in each state's window. */
	STATE_VERSIONS("zynco.state.versions", Type.GAUGE, "Versions of the state in the window", "versions", "state"),
	/** Heap held by each state's window. */
	STATE_HEAP("zynco.state.heap", Type.GAUGE, "Heap held by the versions of the state in the window, shared "
			+ "segments counted once", "bytes", "state");

	/** Micrometer meter types used. */
	public enum Type {

		/** A function counter: monotonic, read from the node when the registry publishes. */
		COUNTER,
		/** A gauge. */
		GAUGE,
		/** A timer, recorded by the node as events happen. */
		TIMER

	}

	private final String meterName;

	private final Type type;

	private final String description;

	private final @Nullable String baseUnit;

	private final List<String> tags;

	ZyncoMeters(String meterName, Type type, String description, @Nullable String baseUnit, String... tags) {
		this.meterName = meterName;
		this.type = type;
		this.description = description;
		this.baseUnit = baseUnit;
		this.tags = List.of(tags);
	}

	public String meterName() {
		return this.meterName;
	}

	public Type type() {
		return this.type;
	}

	public String description() {
		return this.description;
	}

	public @Nullable String baseUnit() {
		return this.baseUnit;
	}

	/** Tag keys, besides the common tags of the registry. */
	public List<String> tags() {
		return this.tags;
	}

}
