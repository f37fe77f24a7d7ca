package io.zynco.membership;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.zynco.membership.SimCluster.Node;
import io.zynco.membership.SimCluster.Recorder.Heard;
import io.zynco.membership.SimCluster.Recorder.Kind;

import static io.zynco.membership.SimCluster.MS;
import static io.zynco.membership.SimCluster.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

/** Several {@link Membership} instances on a simulated network and clock. */
class MembershipClusterTests {

	private static final long TICK = 50 * MS;

	/** Starts {@code size} nodes, 100 ms apart, all seeded with node 0, and waits for a full mesh. */
	private static SimCluster converged(int size, long seed) {
		SimCluster cluster = SimCluster.of(size, seed);
		cluster.start(0);
		for (int i = 1; i < size; i++) {
			cluster.advance(100 * MS);
			cluster.start(i, 0);
		}
		assertThat(cluster.runUntil(cluster::converged, 10 * SECOND)).as(cluster::describe).isNotNegative();
		cluster.advance(2 * SECOND);
		return cluster;
	}

	private static Set<Long> ids(List<Node> nodes) {
		return nodes.stream().map(Node::id).collect(Collectors.toSet());
	}

	@Test
	void joiningThroughOneSeedConvergesToAFullMeshWithOneCoordinator() {
		SimCluster cluster = SimCluster.of(6, 1);
		cluster.start(0);
		for (int i = 1; i < 6; i++) {
			cluster.advance(100 * MS);
			cluster.start(i, 0);
		}
		long took = cluster.runUntil(cluster::converged, 10 * SECOND);
		assertThat(took).as(cluster::describe).isBetween(0L, 2 * SECOND);
		Node oldest = cluster.node(0);
		for (Node node : cluster.nodes()) {
			assertThat(node.liveIds()).isEqualTo(ids(cluster.nodes()));
			assertThat(node.membership.coordinator()).isEqualTo(oldest.info);
			assertThat(node.membership.viewDigest()).isEqualTo(oldest.membership.viewDigest());
			assertThat(node.membership.isCoordinator()).isEqualTo(node == oldest);
		}
		// nodes 2..5 were only given node 0: they found the others through views
		assertThat(cluster.node(5).dialed).contains(cluster.node(1).address);
		cluster.advance(5 * SECOND);
		for (Node node : cluster.nodes()) {
			assertThat(node.recorder.heard).noneMatch((h) -> h.kind() == Kind.LEFT || h.kind() == Kind.SUSPECTED);
			assertThat(node.membership.statuses()).filteredOn((s) -> !s.self()).allSatisfy((s) -> {
				assertThat(s.rttNanos()).isBetween(2 * MS, 3 * MS);
				assertThat(s.viewDigest()).isEqualTo(node.membership.viewDigest());
				assertThat(s.silenceNanos()).isLessThanOrEqualTo(250 * MS);
			});
		}
	}

	@Test
	void aCrashedMemberIsSuspectedAtOnceAndRemovedOneTimeoutLater() {
		SimCluster cluster = converged(4, 2);
		Node victim = cluster.node(2);
		List<Node> survivors = List.of(cluster.node(0), cluster.node(1), cluster.node(3));
		long timeout = survivors.get(0).membership.failureTimeoutNanos(victim.id());
		long rtt = survivors.get(0).membership.status(victim.id()).orElseThrow().rttNanos();
		assertThat(timeout).isEqualTo(SECOND + 2 * rtt);
		long killedAt = cluster.now();
		cluster.kill(2);
		cluster.advance(5 * SECOND);
		for (Node node : survivors) {
			long suspected = node.recorder.first(Kind.SUSPECTED, victim.id()) - killedAt;
			long removed = node.recorder.first(Kind.LEFT, victim.id()) - killedAt;
			assertThat(suspected).as("suspected after").isBetween(0L, 2 * MS);
			// removed at the first tick more than one timeout after the suspicion
			assertThat(removed).as("removed after").isBetween(timeout, timeout + TICK + 2 * MS);
			assertThat(node.membership.alive(victim.id())).isFalse();
			assertThat(node.recorder.of(Kind.LEFT, victim.id())).extracting(Heard::reason)
				.containsExactly(RemovalReason.UNREACHABLE);
		}
		assertThat(cluster.converged()).isTrue();
	}

	@Test
	void aHungMemberIsSuspectedAfterOneTimeoutAndRemovedAfterTwo() {
		SimCluster cluster = converged(4, 3);
		Node victim = cluster.node(3);
		List<Node> survivors = List.of(cluster.node(0), cluster.node(1), cluster.node(2));
		long timeout = survivors.get(0).membership.failureTimeoutNanos(victim.id());
		long heartbeat = 200 * MS;
		long hungAt = cluster.now();
		cluster.pause(3);
		cluster.advance(5 * SECOND);
		for (Node node : survivors) {
			long suspected = node.recorder.first(Kind.SUSPECTED, victim.id()) - hungAt;
			long removed = node.recorder.first(Kind.LEFT, victim.id()) - hungAt;
			// the last frame arrived at most one heartbeat interval before the hang
			assertThat(suspected).as("suspected after").isBetween(timeout - heartbeat, timeout + TICK + 2 * MS);
			assertThat(removed).as("removed after").isBetween(2 * timeout - heartbeat, 2 * timeout + 2 * TICK + 2 * MS);
			assertThat(node.liveIds()).isEqualTo(ids(survivors));
		}
	}

	@Test
	void whenTheCoordinatorDiesTheNextOldestTakesOverEverywhere() {
		SimCluster cluster = converged(5, 4);
		Node first = cluster.node(0);
		Node second = cluster.node(1);
		long killedAt = cluster.now();
		cluster.kill(0);
		cluster.advance(500 * MS);
		for (int i = 1; i < 5; i++) {
			// suspected, but still the coordinator while suspected
			assertThat(cluster.node(i).membership.coordinator()).isEqualTo(first.info);
		}
		cluster.advance(2 * SECOND);
		for (int i = 1; i < 5; i++) {
			Node node = cluster.node(i);
			assertThat(node.membership.coordinator()).isEqualTo(second.info);
			long moved = node.recorder.first(Kind.COORDINATOR, second.id()) - killedAt;
			assertThat(moved).isBetween(SECOND, SECOND + TICK + 10 * MS);
		}
		assertThat(second.membership.isCoordinator()).isTrue();
		assertThat(cluster.converged()).isTrue();
	}

	@Test
	void aMemberBehindASlowJitteryLinkIsNotRemoved() {
		SimCluster cluster = converged(3, 5);
		// node 0 <-> node 2: 200 ms to 1.4 s each way, so arrivals can be more than the 1 s base apart
		cluster.latency(0, 2, 200 * MS, 1_400 * MS);
		cluster.advance(60 * SECOND);
		for (Node node : cluster.nodes()) {
			assertThat(node.recorder.heard).noneMatch((h) -> h.kind() == Kind.LEFT);
		}
		assertThat(cluster.converged()).isTrue();
		long timeout = cluster.node(0).membership.failureTimeoutNanos(cluster.node(2).id());
		assertThat(timeout).isGreaterThan(SECOND + 2 * 1_000 * MS);
	}

	@Test
	void withoutAThirdMemberTheRoundTripStretchesTheTimeoutOfASlowLink() {
		SimCluster cluster = converged(2, 6);
		cluster.latency(0, 1, 400 * MS, 1_200 * MS);
		cluster.advance(60 * SECOND);
		for (Node node : cluster.nodes()) {
			assertThat(node.recorder.heard).noneMatch((h) -> h.kind() == Kind.LEFT);
			assertThat(node.membership.liveMembers()).hasSize(2);
		}
		assertThat(cluster.node(1).membership.failureTimeoutNanos(cluster.node(0).id()))
			.isGreaterThan(SECOND + 2 * 1_200 * MS);
	}

	@Test
	void indirectProbesKeepAMemberThatOnlyThisNodeCannotHear() {
		SimCluster cluster = converged(3, 7);
		cluster.blackhole(0, 2);
		cluster.advance(30 * SECOND);
		Node a = cluster.node(0);
		Node c = cluster.node(2);
		assertThat(a.recorder.of(Kind.SUSPECTED, c.id())).isNotEmpty();
		assertThat(a.recorder.of(Kind.LEFT, c.id())).isEmpty();
		assertThat(c.recorder.of(Kind.LEFT, a.id())).isEmpty();
		for (Node node : cluster.nodes()) {
			assertThat(node.membership.liveMembers()).hasSize(3);
			assertThat(node.membership.coordinator()).isEqualTo(a.info);
		}
	}

	@Test
	void withoutIndirectProbesAMemberThatThisNodeCannotHearIsRemoved() {
		SimCluster cluster = new SimCluster(3, MembershipConfig.defaults().withProbeFanOut(0), TICK, 8);
		cluster.start(0);
		cluster.start(1, 0);
		cluster.start(2, 0);
		assertThat(cluster.runUntil(cluster::converged, 10 * SECOND)).isNotNegative();
		cluster.blackhole(0, 2);
		cluster.advance(5 * SECOND);
		assertThat(cluster.node(0).recorder.of(Kind.LEFT, cluster.node(2).id())).isNotEmpty();
	}

	@Test
	void aPartitionSplitsTheCoordinatorAndHealingMergesItBack() {
		SimCluster cluster = converged(5, 9);
		cluster.partition(new int[] { 0, 1, 2 }, new int[] { 3, 4 });
		cluster.advance(5 * SECOND);
		for (int i = 0; i < 3; i++) {
			assertThat(cluster.node(i).membership.coordinator()).isEqualTo(cluster.node(0).info);
			assertThat(cluster.node(i).membership.liveMembers()).hasSize(3);
		}
		for (int i = 3; i < 5; i++) {
			assertThat(cluster.node(i).membership.coordinator()).isEqualTo(cluster.node(3).info);
			assertThat(cluster.node(i).membership.liveMembers()).hasSize(2);
		}
		cluster.advance(20 * SECOND);
		cluster.heal();
		long took = cluster.runUntil(cluster::converged, 20 * SECOND);
		// the minority dials its seed (node 0) and every removed member each rejoin interval
		assertThat(took).as(cluster::describe).isBetween(0L, 5 * SECOND + SECOND);
		for (Node node : cluster.nodes()) {
			assertThat(node.membership.coordinator()).isEqualTo(cluster.node(0).info);
		}
	}

	@Test
	void aViewDigestMismatchMakesNodesLearnMembersTheyWereNotTold() {
		SimCluster cluster = SimCluster.of(3, 10);
		// A and C only know B; nobody tells A about C but B's view
		cluster.start(1);
		cluster.start(0, 1);
		cluster.start(2, 1);
		long took = cluster.runUntil(cluster::converged, 5 * SECOND);
		assertThat(took).isBetween(0L, SECOND);
		Node a = cluster.node(0);
		Node c = cluster.node(2);
		assertThat(a.dialed.contains(c.address) || c.dialed.contains(a.address)).isTrue();
		assertThat(a.membership.viewDigest()).isEqualTo(c.membership.viewDigest());
	}

	@Test
	void aRestartedMemberReplacesItsPreviousProcess() {
		SimCluster cluster = converged(3, 11);
		long oldId = cluster.node(2).id();
		cluster.vanish(2);
		cluster.advance(200 * MS);
		// a new process on the same address, before the old one was even suspected
		cluster.restart(2);
		assertThat(cluster.runUntil(cluster::converged, 5 * SECOND)).isBetween(0L, 2 * SECOND);
		for (int i = 0; i < 2; i++) {
			assertThat(cluster.node(i).recorder.of(Kind.LEFT, oldId)).extracting(Heard::reason)
				.containsExactly(RemovalReason.REPLACED);
		}
	}

	@Test
	void aLongPausedMemberRejoinsWithoutRemovingEveryoneItself() {
		SimCluster cluster = converged(4, 12);
		Node sleeper = cluster.node(1);
		cluster.pause(1);
		cluster.advance(10 * SECOND);
		for (Node node : List.of(cluster.node(0), cluster.node(2), cluster.node(3))) {
			assertThat(node.membership.alive(sleeper.id())).isFalse();
		}
		cluster.resume(1);
		assertThat(cluster.runUntil(cluster::converged, 5 * SECOND)).as(cluster::describe).isBetween(0L, 2 * SECOND);
		// the sleeper never declared the others gone: its own stall did not count against them
		assertThat(sleeper.recorder.heard).noneMatch((h) -> h.kind() == Kind.LEFT);
	}

}
