package io.zynco.replication;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.zynco.membership.StateReport;
import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.testing.Await;
import io.zynco.transport.RejectedInput;
import io.zynco.transport.TransportMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator API of a node, on two nodes in one JVM on loopback: the member snapshot, the
 * acknowledged pin and the pins every member sees, per-switch durations, rejected input.
 */
class ZyncoNodeOperatorApiTests {

	private static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8())
		.withSegmentBits(4);

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final List<ZyncoNode> nodes = new ArrayList<>();

	@AfterEach
	void stop() {
		this.nodes.forEach(ZyncoNode::close);
	}

	private ZyncoNode node(String name, InetSocketAddress seed, RejectedInput rejectedInput)
			throws InterruptedException {
		NodeConfig.Builder config = NodeConfig.builder()
			.name(name)
			.cluster("operator-api")
			.secret("an-operator-api-test-secret-0000".getBytes(StandardCharsets.UTF_8))
			.transportMode(TransportMode.UNICAST)
			.heartbeatInterval(Duration.ofMillis(50))
			.failureTimeout(Duration.ofMillis(500))
			.prepareTimeout(Duration.ofSeconds(10));
		if (seed != null) {
			config.seed(seed);
		}
		if (rejectedInput != null) {
			config.rejectedInput(rejectedInput);
		}
		ZyncoNode node = ZyncoNode.create(config.build());
		node.register(FARES);
		node.start();
		this.nodes.add(node);
		return node;
	}

	/** Two nodes: the first (oldest) is the coordinator. */
	private List<ZyncoNode> pair() throws InterruptedException {
		ZyncoNode coordinator = node("c", null, null);
		ZyncoNode member = node("m", new InetSocketAddress("127.0.0.1", coordinator.self().controlPort()), null);
		Await.until(TIMEOUT, "both nodes see two members and are ready",
				() -> this.nodes.stream().allMatch((n) -> n.memberSnapshot().size() == 2 && n.isReady()));
		return List.of(coordinator, member);
	}

	@SuppressWarnings("unchecked")
	private static ReplicatedState<String, String> fares(ZyncoNode node) {
		return (ReplicatedState<String, String>) node.state("fares");
	}

	@Test
	void aStartedNodesMemberSnapshotHoldsItselfAtOnce() throws Exception {
		ZyncoNode alone = node("alone", null, null);
		// no wait: the first snapshot is taken before start() returns, not by the first tick
		assertThat(alone.memberSnapshot()).singleElement().satisfies((m) -> {
			assertThat(m.self()).isTrue();
			assertThat(m.member().name()).isEqualTo("alone");
		});
	}

	@Test
	void memberSnapshotReportsEveryMemberAndItsStatesWithoutTheLoop() throws Exception {
		List<ZyncoNode> pair = pair();
		long v1 = fares(pair.get(0)).publish((edit) -> edit.put("k", "1")).get(30, TimeUnit.SECONDS);
		ZyncoNode member = pair.get(1);
		Await.until(TIMEOUT, "the member's snapshot shows both members at " + v1,
				() -> member.memberSnapshot().stream()
					.allMatch((m) -> m.states().equals(List.of(new StateReport("fares", v1,
							member.view().version("fares").rootFingerprint(), v1)))));
		List<ZyncoNode.MemberView> snapshot = member.memberSnapshot();
		assertThat(snapshot).extracting((m) -> m.member().name()).containsExactlyInAnyOrder("c", "m");
		assertThat(snapshot).filteredOn(ZyncoNode.MemberView::coordinator)
			.extracting((m) -> m.member().name())
			.containsExactly("c");
		assertThat(snapshot).filteredOn(ZyncoNode.MemberView::self)
			.extracting((m) -> m.member().name())
			.containsExactly("m");
	}

	@Test
	void aPinFromAMemberCompletesOnceTheCoordinatorAppliedItAndEveryMemberListsIt() throws Exception {
		List<ZyncoNode> pair = pair();
		ZyncoNode coordinator = pair.get(0);
		ZyncoNode member = pair.get(1);
		long v1 = fares(member).publish((edit) -> edit.put("k", "1")).get(30, TimeUnit.SECONDS);
		Await.until(TIMEOUT, "the member serves " + v1, () -> member.view().version("fares").number() == v1);

		member.pin("fares", true).get(10, TimeUnit.SECONDS);
		// acknowledged: the coordinator has applied it, and announced it to the member
		assertThat(coordinator.pins()).isEqualTo(Map.of("fares", v1));
		assertThat(member.pins()).isEqualTo(Map.of("fares", v1));

		long v2 = fares(member).publish((edit) -> edit.put("k", "2")).get(30, TimeUnit.SECONDS);
		assertThat(v2).isGreaterThan(v1);
		assertThat(coordinator.view().version("fares").number()).isEqualTo(v1);

		member.pin("fares", false).get(10, TimeUnit.SECONDS);
		assertThat(coordinator.pins()).isEmpty();
		assertThat(member.pins()).isEmpty();
		coordinator.switchTo(Map.of("fares", v2)).get(30, TimeUnit.SECONDS);
		Await.until(TIMEOUT, "both serve " + v2,
				() -> this.nodes.stream().allMatch((n) -> n.view().version("fares").number() == v2));
	}

	@Test
	void aMemberThatJoinsLearnsThePins() throws Exception {
		ZyncoNode coordinator = node("c", null, null);
		coordinator.pin("fares", true).get(10, TimeUnit.SECONDS);
		assertThat(coordinator.pins()).isEqualTo(Map.of("fares", 0L));
		ZyncoNode member = node("m", new InetSocketAddress("127.0.0.1", coordinator.self().controlPort()), null);
		Await.until(TIMEOUT, "the member learns the pin", () -> member.pins().equals(Map.of("fares", 0L)));
	}

	@Test
	void everyCommittedSwitchReportsItsDuration() throws Exception {
		List<ZyncoNode> pair = pair();
		List<Long> durations = new CopyOnWriteArrayList<>();
		pair.get(0).stats().onSwitch(durations::add);
		for (int i = 0; i < 3; i++) {
			String value = Integer.toString(i);
			fares(pair.get(1)).publish((edit) -> edit.put("k", value)).get(30, TimeUnit.SECONDS);
		}
		assertThat(durations).hasSize(3).allSatisfy((nanos) -> assertThat(nanos).isPositive());
		assertThat(durations.stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(pair.get(0).stats()
			.switchNanos());
	}

	@Test
	void rejectedInputIsCountedAndForwardedToTheConfiguredRejectedInput() throws Exception {
		List<String> forwarded = new CopyOnWriteArrayList<>();
		ZyncoNode node = node("n", null, (channel, reason, detail) -> forwarded.add(channel + "/" + reason));
		List<String> reasons = new CopyOnWriteArrayList<>();
		node.rejectedInput().onReason((channel, reason) -> reasons.add(channel + "/" + reason));
		node.rejectedInput().reject("data", "bad-magic", "test");
		node.rejectedInput().reject("data", "bad-magic", "test");
		assertThat(node.rejectedInput().count("data", "bad-magic")).isEqualTo(2);
		assertThat(node.rejectedInput().counts()).isEqualTo(Map.of("data/bad-magic", 2L));
		assertThat(forwarded).containsExactly("data/bad-magic", "data/bad-magic");
		assertThat(reasons).containsExactly("data/bad-magic");
		List<String> late = new CopyOnWriteArrayList<>();
		node.rejectedInput().onReason((channel, reason) -> late.add(channel + "/" + reason));
		assertThat(late).containsExactly("data/bad-magic");
	}

	@Test
	void aDefaultNodeCountsRejectedInputItself() throws Exception {
		ZyncoNode node = node("n", null, null);
		assertThat(node.rejectedInput().total()).isZero();
		assertThat(node.config().rejectedInput).isSameAs(node.rejectedInput());
	}

}
