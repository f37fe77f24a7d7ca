package io.zynco.spring.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ReplicationException;
import io.zynco.replication.ZyncoNode;
import io.zynco.replication.ZyncoNode.MemberView;
import io.zynco.state.Fingerprints;
import io.zynco.state.Yield;
import io.zynco.version.Version;

/**
 * The {@code zynco} Actuator endpoint: this node, the members it sees, and every state with
 * the versions in its window (read); switching, rolling back, pinning and unpinning a state
 * cluster-wide (write, {@code POST /actuator/zynco/{state}/{action}}). Operations that go
 * through the node's protocol thread wait at most the given timeout. Thread-safe.
 */
@Endpoint(id = "zynco")
public class ZyncoEndpoint {

	private final ZyncoNode node;

	private final Duration timeout;

	/**
	 * An endpoint on a node.
	 * @param node the node
	 * @param timeout longest wait for an answer of the node (members) or of the cluster (a
	 * switch: give it more than {@code zynco.switching.prepare-timeout})
	 */
	public ZyncoEndpoint(ZyncoNode node, Duration timeout) {
		this.node = node;
		this.timeout = timeout;
	}

	/** This node, its members, and every state. */
	@ReadOperation
	public ZyncoDescriptor zynco() {
		List<MemberDescriptor> members = members();
		String coordinator = null;
		boolean isCoordinator = false;
		for (MemberDescriptor member : members) {
			if (member.coordinator()) {
				coordinator = member.name();
				isCoordinator = member.self();
			}
		}
		ClusterView view = this.node.view();
		NodeDescriptor node = new NodeDescriptor(this.node.config().name(), this.node.config().cluster(),
				this.node.isRunning(), this.node.isReady(), this.node.transportMode().name().toLowerCase(Locale.ROOT),
				isCoordinator, coordinator, view.switchId(), view.label(), Yield.backgroundStatus());
		Map<String, StateDescriptor> states = new LinkedHashMap<>();
		Map<String, Long> pins = this.node.pins();
		for (ReplicatedState<?, ?> state : this.node.states()) {
			states.put(state.name(), describe(state, pins));
		}
		return new ZyncoDescriptor(node, members, states);
	}

	/**
	 * One state and the versions in its window.
	 * @throws ReplicationException with reason {@code NOT_FOUND} for an unknown state
	 */
	@ReadOperation
	public StateDescriptor state(@Selector String name) {
		return describe(this.node.state(name), this.node.pins());
	}

	/**
	 * Changes a state cluster-wide: {@code switch} or {@code rollback} to a version in its
	 * window, {@code pin} it at its active version, or {@code unpin} it.
	 * @throws IllegalArgumentException for an unknown action, or a switch without a version
	 * @throws ReplicationException when the cluster refused or aborted the change
	 */
	@WriteOperation
	public ChangeDescriptor change(@Selector String state, @Selector String action, @Nullable Long version) {
		return switch (action.toLowerCase(Locale.ROOT)) {
			case "switch" -> switchTo(state, requireVersion(action, version));
			case "rollback" -> rollback(state, requireVersion(action, version));
			case "pin" -> pin(state, true);
			case "unpin" -> pin(state, false);
			default -> throw new IllegalArgumentException(
					"unknown action '" + action + "': use switch, rollback, pin or unpin");
		};
	}

	/** Switches a state to a version in its window, cluster-wide; waits for the commit. */
	public ChangeDescriptor switchTo(String state, long version) {
		this.node.state(state);
		return switched(state, "switch", await(this.node.switchTo(Map.of(state, version))));
	}

	/** Rolls a state back to a version in its window, cluster-wide; waits for the commit. */
	public ChangeDescriptor rollback(String state, long version) {
		this.node.state(state);
		return switched(state, "rollback", await(this.node.rollback(state, version)));
	}

	/**
	 * Pins a state at its active version (or unpins it) on the coordinator; returns once the
	 * coordinator applied it.
	 */
	public ChangeDescriptor pin(String state, boolean pinned) {
		this.node.state(state);
		await(this.node.pin(state, pinned));
		Version active = this.node.view().version(state);
		return new ChangeDescriptor(state, pinned ? "pin" : "unpin", (active != null) ? active.number() : -1,
				this.node.view().switchId());
	}

	private ChangeDescriptor switched(String state, String action, ClusterView view) {
		Version active = view.version(state);
		return new ChangeDescriptor(state, action, (active != null) ? active.number() : -1, view.switchId());
	}

	private static long requireVersion(String action, @Nullable Long version) {
		if (version == null) {
			throw new IllegalArgumentException("a " + action + " needs a version");
		}
		return version;
	}

	private List<MemberDescriptor> members() {
		List<MemberDescriptor> members = new ArrayList<>();
		// the node's snapshot (at most ~100 ms old) answers without waiting for its protocol
		// thread; it is empty only before the node's first tick, and then the node answers
		List<MemberView> views = this.node.memberSnapshot();
		if (views.isEmpty()) {
			views = await(this.node.members());
		}
		for (MemberView member : views) {
			List<MemberStateDescriptor> states = new ArrayList<>();
			member.states()
				.forEach((status) -> states.add(new MemberStateDescriptor(status.state(), status.active(),
						Fingerprints.toHex(status.activeRoot()), status.newest())));
			members.add(new MemberDescriptor(member.member().name(), Fingerprints.toHex(member.member().id()),
					member.member().host(), member.member().controlPort(), member.member().dataPort(),
					member.state().toLowerCase(Locale.ROOT), member.coordinator(), member.self(), member.ready(),
					member.switchId(), member.rttNanos() / 1_000_000.0, states));
		}
		return members;
	}

	private static StateDescriptor describe(ReplicatedState<?, ?> state, Map<String, Long> pins) {
		Version active = state.active();
		long activeNumber = (active != null) ? active.number() : -1;
		List<VersionDescriptor> versions = new ArrayList<>();
		for (Version version : state.chain().versions()) {
			versions.add(new VersionDescriptor(version.number(), version.number() == activeNumber,
					Fingerprints.toHex(version.rootFingerprint()), version.snapshot().size(),
					version.snapshot().dataBytes(), version.deltaBytes(), version.heapBytesNotInParent(),
					version.created(), version.origin()));
		}
		return new StateDescriptor(state.name(), state.policy().name().toLowerCase(Locale.ROOT), activeNumber,
				pins.get(state.name()), state.chain().heapBytes(), versions);
	}

	private <T> T await(CompletableFuture<T> future) {
		try {
			return future.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException | CompletionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(cause.getMessage(), cause);
		}
		catch (TimeoutException ex) {
			throw new TimedOutException("no answer from the node within " + this.timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TimedOutException("interrupted while waiting for the node");
		}
	}

	/** The node or the cluster did not answer in time; the request may still take effect. */
	public static final class TimedOutException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		TimedOutException(String message) {
			super(message);
		}

	}

	/** Everything the endpoint reads. */
	public record ZyncoDescriptor(NodeDescriptor node, List<MemberDescriptor> members,
			Map<String, StateDescriptor> states) {
	}

	/**
	 * This node.
	 * @param transport the data transport mode in use
	 * @param view the versions served, as in the {@code Zynco-Versions} header
	 * @param scheduling the scheduler slice of Zynco's background threads, or why they keep the
	 * default ({@link Yield#backgroundStatus()})
	 */
	public record NodeDescriptor(String name, String cluster, boolean running, boolean ready, String transport,
			boolean coordinator, @Nullable String coordinatorName, long switchId, String view, String scheduling) {
	}

	/** A member as this node sees it. */
	public record MemberDescriptor(String name, String id, String host, int controlPort, int dataPort, String status,
			boolean coordinator, boolean self, boolean ready, long switchId, double rttMillis,
			List<MemberStateDescriptor> states) {
	}

	/** A state's versions on a member ({@code -1}: none). */
	public record MemberStateDescriptor(String state, long active, String activeRoot, long newest) {
	}

	/**
	 * A state and its window, oldest version first.
	 * @param pinned the version the state is pinned at on the coordinator, or {@code null}
	 * if it is not pinned (as the coordinator announced it to this node)
	 */
	public record StateDescriptor(String name, String policy, long active, @Nullable Long pinned, long heapBytes,
			List<VersionDescriptor> versions) {
	}

	/**
	 * A version in a window.
	 * @param heapBytes heap of the segments not shared with the parent version
	 */
	public record VersionDescriptor(long version, boolean active, String rootFingerprint, long entries, long dataBytes,
			long deltaBytes, long heapBytes, Instant created, String origin) {
	}

	/** The outcome of a change: the state's active version after it. */
	public record ChangeDescriptor(String state, String action, long active, long switchId) {
	}

}
