package io.zynco.replication;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.zynco.protocol.ControlMessage;
import io.zynco.state.Codec;
import io.zynco.state.Delta;
import io.zynco.state.StateType;
import io.zynco.testing.Await;
import io.zynco.transport.TransportMode;
import io.zynco.version.Version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Three nodes in one JVM on loopback: publish, switch, rollback, failure. */
class ZyncoNodeClusterTests {

	private static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8())
		.withSegmentBits(6);

	private static final byte[] SECRET = "a-test-secret-of-32-bytes-000000".getBytes(StandardCharsets.UTF_8);

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final List<ZyncoNode> nodes = new ArrayList<>();

	@AfterEach
	void stop() {
		this.nodes.forEach(ZyncoNode::close);
	}

	private ZyncoNode node(String name, TransportMode mode, InetSocketAddress seed) throws InterruptedException {
		return node(name, mode, seed, (config) -> {
		});
	}

	/** A node with this class's settings, then {@code tuning}'s. */
	private ZyncoNode node(String name, TransportMode mode, InetSocketAddress seed, Consumer<NodeConfig.Builder> tuning)
			throws InterruptedException {
		NodeConfig.Builder config = NodeConfig.builder()
			.name(name)
			.cluster("test")
			.secret(SECRET)
			.transportMode(mode)
			.multicastGroup("239.255.77.1", 47_001)
			.multicastInterface("lo")
			.multicastTtl(0)
			.packetSize(8_192)
			.heartbeatInterval(Duration.ofMillis(50))
			.failureTimeout(Duration.ofMillis(500))
			.prepareTimeout(Duration.ofSeconds(10));
		if (seed != null) {
			config.seed(seed);
		}
		tuning.accept(config);
		ZyncoNode node = ZyncoNode.create(config.build());
		node.register(FARES);
		node.start();
		this.nodes.add(node);
		return node;
	}

	private List<ZyncoNode> cluster(int size, TransportMode mode) throws InterruptedException {
		return cluster(size, mode, (config) -> {
		});
	}

	private List<ZyncoNode> cluster(int size, TransportMode mode, Consumer<NodeConfig.Builder> tuning)
			throws InterruptedException {
		ZyncoNode first = node("n0", mode, null, tuning);
		InetSocketAddress seed = new InetSocketAddress("127.0.0.1", first.self().controlPort());
		for (int i = 1; i < size; i++) {
			node("n" + i, mode, seed, tuning);
		}
		Await.until(TIMEOUT, "every node sees " + size + " members", () -> this.nodes.stream()
			.allMatch((n) -> n.members().join().size() == size));
		Await.until(TIMEOUT, "every node is ready", () -> this.nodes.stream().allMatch(ZyncoNode::isReady));
		return List.copyOf(this.nodes);
	}

	@SuppressWarnings("unchecked")
	private static ReplicatedState<String, String> fares(ZyncoNode node) {
		return (ReplicatedState<String, String>) node.state("fares");
	}

	private void awaitAllAt(long version) {
		Await.until(TIMEOUT, () -> "every node at version " + version + ": " + this.nodes.stream()
			.map((n) -> n.config().name() + "@" + n.view().version("fares").number())
			.toList(), () -> this.nodes.stream().allMatch((n) -> n.view().version("fares").number() == version));
		long root = this.nodes.get(0).view().version("fares").rootFingerprint();
		assertThat(this.nodes).allSatisfy((n) -> assertThat(n.view().version("fares").rootFingerprint()).isEqualTo(root));
	}

	@Test
	void publishOnAnyNodeSwitchesEveryNodeAndRollsBack() throws Exception {
		List<ZyncoNode> cluster = cluster(3, TransportMode.UNICAST);
		ZyncoNode publisher = cluster.get(2);
		long v1 = fares(publisher).publish((edit) -> {
			for (int i = 0; i < 20_000; i++) {
				edit.put("route-" + i, "fare-" + i);
			}
		}).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		assertThat(fares(cluster.get(0)).view().get("route-7")).isEqualTo("fare-7");

		long v2 = fares(cluster.get(1)).publish((edit) -> {
			for (int i = 0; i < 200; i++) {
				edit.put("route-" + i, "repriced-" + i);
			}
			edit.remove("route-19999");
		}).get(30, TimeUnit.SECONDS);
		assertThat(v2).isGreaterThan(v1);
		awaitAllAt(v2);
		assertThat(fares(cluster.get(2)).view().get("route-5")).isEqualTo("repriced-5");
		assertThat(fares(cluster.get(0)).view().get("route-19999")).isNull();

		ClusterView rolledBack = cluster.get(2).rollback("fares", v1).get(30, TimeUnit.SECONDS);
		assertThat(rolledBack.version("fares").number()).isEqualTo(v1);
		awaitAllAt(v1);
		assertThat(fares(cluster.get(1)).view().get("route-5")).isEqualTo("fare-5");
		assertThat(cluster).allSatisfy((n) -> assertThat(n.isReady()).isTrue());
	}

	@Test
	void aPublishLargerThanOneControlFrameTravelsToTheCoordinatorInPieces() throws Exception {
		List<ZyncoNode> cluster = cluster(3, TransportMode.UNICAST);
		ZyncoNode coordinator = cluster.get(0);
		ZyncoNode publisher = cluster.get(2);
		String padding = "x".repeat(1024);
		long version = fares(publisher).publish((edit) -> {
			for (int i = 0; i < 20_000; i++) {
				edit.put("route-" + i, padding + i);
			}
		}).get(60, TimeUnit.SECONDS);
		awaitAllAt(version);
		assertThat(fares(coordinator).active().deltaBytes()).as("the delta needed more than one frame")
			.isGreaterThan(ZyncoNode.MAX_FORWARDED_DELTA);
		assertThat(fares(cluster.get(1)).view().get("route-19999")).isEqualTo(padding + 19999);
		assertThat(cluster).allSatisfy((n) -> assertThat(n.rejectedInput().total()).isZero());

		// a second large publish from the same member reuses nothing of the first upload
		long next = fares(publisher).publish((edit) -> {
			for (int i = 0; i < 20_000; i++) {
				edit.put("route-" + i, i + padding);
			}
		}).get(60, TimeUnit.SECONDS);
		awaitAllAt(next);
		assertThat(fares(coordinator).view().get("route-7")).isEqualTo(7 + padding);
	}

	@Test
	void aPublishOnAStaleBaseIsRefused() throws Exception {
		List<ZyncoNode> cluster = cluster(2, TransportMode.UNICAST);
		ReplicatedState<String, String> a = fares(cluster.get(0));
		long v1 = a.publish((edit) -> edit.put("k", "1")).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		// an edit made on v1 but published after v2 exists
		var staleEdit = FARES.edit(a.active().snapshot()).put("k", "stale").commit();
		fares(cluster.get(1)).publish((edit) -> edit.put("k", "2")).get(30, TimeUnit.SECONDS);
		assertThatThrownBy(() -> a.publish(staleEdit).get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(
				ReplicationException.class)
			.hasMessageContaining("stale base")
			.extracting((ex) -> ((ReplicationException) ex.getCause()).reason())
			.isEqualTo(ReplicationException.Reason.STALE_BASE);
	}

	@Test
	void aMemberThatFailsToPrepareAbortsTheSwitchEverywhere() throws Exception {
		List<ZyncoNode> cluster = cluster(3, TransportMode.UNICAST);
		long v1 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "1")).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		cluster.get(1).addParticipant((next) -> {
			if (next.version("fares").number() > v1) {
				// a message that mentions the coordinator must still be classified as an abort
				throw new IllegalStateException("bean construction failed: coordinator bean is busy");
			}
		});
		assertThatThrownBy(() -> fares(cluster.get(2)).publish((edit) -> edit.put("k", "2")).get(30, TimeUnit.SECONDS))
			.hasCauseInstanceOf(ReplicationException.class)
			.hasMessageContaining("bean construction failed")
			.extracting((ex) -> ((ReplicationException) ex.getCause()).reason())
			.isEqualTo(ReplicationException.Reason.ABORTED);
		assertThat(cluster).allSatisfy((n) -> assertThat(n.view().version("fares").number()).isEqualTo(v1));
	}

	@Test
	void aNodeAlonePublishesWithoutEncodingAndAJoinerStillCatchesUp() throws Exception {
		ZyncoNode alone = cluster(1, TransportMode.UNICAST).get(0);
		long v1 = fares(alone).publish((edit) -> {
			for (int i = 0; i < 2_000; i++) {
				edit.put("k" + i, "one-" + i);
			}
		}).get(30, TimeUnit.SECONDS);
		long v2 = fares(alone).publish((edit) -> edit.put("k7", "two")).get(30, TimeUnit.SECONDS);
		awaitAllAt(v2);
		assertThat(alone.stats().versionsPublished()).isEqualTo(2);
		assertThat(alone.stats().deltasEncoded()).isZero();
		// the delta was measured, not encoded: its exact encoded size all the same
		Version first = fares(alone).chain().get(v1).orElseThrow();
		Version second = fares(alone).chain().get(v2).orElseThrow();
		assertThat(second.deltaBytes()).isEqualTo(
				Delta.diff("fares", v1, first.snapshot(), v2, second.snapshot()).encodedLength());
		assertThat(first.deltaBytes()).isGreaterThan(2_000 * 8);
		// a member that joins catches up from a version that was never encoded
		ZyncoNode joiner = node("joiner", TransportMode.UNICAST,
				new InetSocketAddress("127.0.0.1", alone.self().controlPort()));
		Await.until(TIMEOUT, "the joiner serves v" + v2,
				() -> joiner.isReady() && joiner.view().version("fares").number() == v2);
		awaitAllAt(v2);
		assertThat(fares(joiner).view().get("k7")).isEqualTo("two");
		assertThat(fares(joiner).view().get("k8")).isEqualTo("one-8");
		assertThat(alone.stats().catchUpsServed()).isPositive();
		assertThat(alone.stats().deltasEncoded()).isGreaterThanOrEqualTo(alone.stats().catchUpsServed());
		// with a receiver, the next publish is encoded and transferred
		long encodedBefore = alone.stats().deltasEncoded();
		long v3 = fares(alone).publish((edit) -> edit.put("k7", "three")).get(30, TimeUnit.SECONDS);
		awaitAllAt(v3);
		assertThat(alone.stats().deltasEncoded()).isGreaterThan(encodedBefore);
		assertThat(fares(joiner).view().get("k7")).isEqualTo("three");
	}

	@Test
	void aLateJoinerCatchesUpAndBecomesReady() throws Exception {
		List<ZyncoNode> cluster = cluster(2, TransportMode.UNICAST);
		for (int round = 0; round < 12; round++) {
			int r = round;
			fares(cluster.get(0)).publish((edit) -> {
				for (int i = 0; i < 500; i++) {
					edit.put("k" + i, "v" + r + "-" + i);
				}
			}).get(30, TimeUnit.SECONDS);
		}
		long latest = cluster.get(0).view().version("fares").number();
		// the window holds 8 versions: a joiner from empty needs a full catch-up
		ZyncoNode late = node("late", TransportMode.UNICAST,
				new InetSocketAddress("127.0.0.1", cluster.get(0).self().controlPort()));
		awaitAllAt(latest);
		Await.until(TIMEOUT, "the late joiner is ready", late::isReady);
		assertThat(fares(late).view().get("k3")).isEqualTo("v11-3");
		assertThat(late.stats().catchUps()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void aLateJoinerCatchesUpAStateOfManyChunks() throws Exception {
		List<ZyncoNode> cluster = cluster(2, TransportMode.UNICAST);
		String padding = "y".repeat(1024);
		long version = fares(cluster.get(0)).publish((edit) -> {
			for (int i = 0; i < 12_000; i++) {
				edit.put("k" + i, i + padding);
			}
		}).get(30, TimeUnit.SECONDS);
		assertThat(fares(cluster.get(0)).active().deltaBytes()).as("an answer of several 1 MiB chunks")
			.isGreaterThan(10L << 20);
		ZyncoNode late = node("late", TransportMode.UNICAST,
				new InetSocketAddress("127.0.0.1", cluster.get(0).self().controlPort()));
		awaitAllAt(version);
		Await.until(TIMEOUT, "the late joiner is ready", late::isReady);
		assertThat(fares(late).view().get("k11999")).isEqualTo(11999 + padding);
		assertThat(late.stats().catchUps()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void aJoinerFetchesANewerVersionOfTheWindowWhenTheClusterSwitchesToIt() throws Exception {
		List<ZyncoNode> cluster = cluster(2, TransportMode.UNICAST);
		long v1 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "one")).get(30, TimeUnit.SECONDS);
		long v2 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "two")).get(30, TimeUnit.SECONDS);
		cluster.get(0).rollback("fares", v1).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		// a member that joins now catches up to the active v1 only: it never received v2
		ZyncoNode joiner = node("joiner", TransportMode.UNICAST,
				new InetSocketAddress("127.0.0.1", cluster.get(0).self().controlPort()));
		Await.until(TIMEOUT, "the joiner serves v1", () -> joiner.isReady() && joiner.view().version("fares").number() == v1);
		assertThat(fares(joiner).chain().contains(v2)).isFalse();
		// switching the cluster forward to v2 makes it fetch v2 while it prepares, not abort
		ClusterView forward = cluster.get(1).switchTo(java.util.Map.of("fares", v2)).get(30, TimeUnit.SECONDS);
		assertThat(forward.version("fares").number()).isEqualTo(v2);
		awaitAllAt(v2);
		assertThat(fares(joiner).view().get("k")).isEqualTo("two");
		// readiness is recomputed by the node's tick after the flip
		Await.until(TIMEOUT, "the joiner is ready at v" + v2, joiner::isReady);
	}

	@Test
	void aMemberStalledAfterItPreparedCatchesUpWhenTheClusterSwitchedWithoutIt() throws Exception {
		List<ZyncoNode> cluster = cluster(3, TransportMode.UNICAST);
		long v1 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "one")).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		ZyncoNode stalled = cluster.get(2);
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		// a listener that blocks the node's protocol thread once it prepared, as a paused process would:
		// no heartbeats, no answer; the others remove it and switch without it
		stalled.addListener(new ReplicationListener() {
			@Override
			public void prepared(ClusterView next) {
				if (next.version("fares").number() > v1) {
					try {
						release.await(20, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
			}
		});
		long v2 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "two")).get(30, TimeUnit.SECONDS);
		Await.until(TIMEOUT, "the others switch without the stalled member",
				() -> cluster.get(0).view().version("fares").number() == v2
						&& cluster.get(1).view().version("fares").number() == v2);
		release.countDown();
		// resumed, it answers a switch that was decided without it: it must not wait for an outcome forever
		Await.until(TIMEOUT, () -> "the stalled member serves v" + v2 + " and is ready (it is at "
				+ stalled.view().version("fares").number() + ", ready " + stalled.isReady() + ")",
				() -> stalled.view().version("fares").number() == v2 && stalled.isReady());
		assertThat(fares(stalled).view().get("k")).isEqualTo("two");
	}

	@Test
	void aCatchUpWhoseAnswerIsLostDoesNotHoldReadinessDownOnceTheNodeIsNoLongerBehind() throws Exception {
		List<ZyncoNode> cluster = cluster(3, TransportMode.UNICAST,
				(config) -> config.transferDeadline(Duration.ofSeconds(2)));
		long v1 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "one")).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		ZyncoNode lagging = cluster.get(2);
		// it misses v2's transfer (dropped at the deadline) and every answer to its catch-ups
		lagging.dropIncomingControl((message) -> message instanceof ControlMessage.TransferBegin
				|| message instanceof ControlMessage.CatchUpChunk);
		long v2 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "two")).get(30, TimeUnit.SECONDS);
		Await.until(TIMEOUT, "the others switch to v" + v2 + " without the lagging member",
				() -> cluster.get(0).view().version("fares").number() == v2
						&& cluster.get(1).view().version("fares").number() == v2);
		Await.until(TIMEOUT, "the lagging member knows it is behind", () -> !lagging.isReady());
		assertThat(lagging.view().version("fares").number()).isEqualTo(v1);
		// the cluster rolls back to the version it holds: it switches with the others, and its
		// unanswered catch-up of v2 is moot
		cluster.get(0).rollback("fares", v1).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		Await.until(TIMEOUT, () -> "the lagging member is ready at v" + v1 + " (it is at "
				+ lagging.view().version("fares").number() + ", ready " + lagging.isReady() + ")", lagging::isReady);
		assertThat(fares(lagging).view().get("k")).isEqualTo("one");
	}

	@Test
	void switchesSeveralStatesTogetherAndRefusesUnknownVersions() throws Exception {
		List<ZyncoNode> cluster = cluster(2, TransportMode.UNICAST);
		long v1 = fares(cluster.get(0)).publish((edit) -> edit.put("k", "1")).get(30, TimeUnit.SECONDS);
		awaitAllAt(v1);
		assertThatThrownBy(() -> cluster.get(1).switchTo(Map.of("fares", 99L)).get(30, TimeUnit.SECONDS))
			.hasCauseInstanceOf(ReplicationException.class)
			.hasMessageContaining("not in the window")
			.extracting((ex) -> ((ReplicationException) ex.getCause()).reason())
			.isEqualTo(ReplicationException.Reason.NOT_FOUND);
	}

	/**
	 * Long idle ticks: heartbeats rare enough that the idle tick may be as long as asked (it is
	 * capped at a quarter of them), the short tick 1 ms.
	 */
	private static Consumer<NodeConfig.Builder> idleTick(Duration idleTick) {
		return (config) -> config.heartbeatInterval(idleTick.multipliedBy(4))
			.failureTimeout(idleTick.multipliedBy(20))
			.tickInterval(Duration.ofMillis(1))
			.idleTickInterval(idleTick);
	}

	@Test
	void anIdleNodeTicksAtTheIdleInterval() throws Exception {
		ZyncoNode node = node("idle", TransportMode.UNICAST, null, idleTick(Duration.ofMillis(100)));
		Await.until(TIMEOUT, "the node ticks", () -> node.ticks() > 0);
		long from = node.ticks();
		long started = System.nanoTime();
		Await.until(TIMEOUT, "five more ticks", () -> node.ticks() >= from + 5);
		// five ticks of an idle node span at least four idle intervals (at the 1 ms tick: 5 ms)
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
	}

	@Test
	void workWakesTheShortTick() throws Exception {
		List<ZyncoNode> cluster = cluster(3, TransportMode.UNICAST, idleTick(Duration.ofSeconds(1)));
		// Each publish (from a member, so forwarded to the coordinator) takes a transfer paced
		// by the tick and a switch round that the tick starts: with the idle tick alone each
		// would wait up to a second per step; woken, ten of them take well under a second
		long started = System.nanoTime();
		for (int round = 1; round <= 10; round++) {
			int r = round;
			long version = fares(cluster.get(1)).publish((edit) -> {
				for (int i = 0; i < 5_000; i++) {
					edit.put("route-" + i, "fare-" + i + "-" + r);
				}
			}).get(30, TimeUnit.SECONDS);
			awaitAllAt(version);
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertThat(took).as("ten publishes with a 1 s idle tick").isLessThan(Duration.ofSeconds(6));
		assertThat(fares(cluster.get(2)).view().get("route-7")).isEqualTo("fare-7-10");
	}

}
