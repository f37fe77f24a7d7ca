package io.zynco.membership;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Heartbeat;
import io.zynco.protocol.ControlMessage.HeartbeatAck;
import io.zynco.protocol.ControlMessage.ProbeReply;
import io.zynco.protocol.ControlMessage.ProbeRequest;
import io.zynco.protocol.ControlMessage.StateStatus;
import io.zynco.protocol.ControlMessage.View;
import io.zynco.protocol.ControlMessage.ViewRequest;
import io.zynco.protocol.MemberInfo;

import static org.assertj.core.api.Assertions.assertThat;

/** One {@link Membership} driven by hand: messages in, a recording output, a hand-moved clock. */
class MembershipTests {

	private static final long MS = 1_000_000L;

	private static final long SECOND = 1_000 * MS;

	private static final MemberInfo A = member(0xA, 1_000, "10.0.0.1");

	private static final MemberInfo B = member(0xB, 2_000, "10.0.0.2");

	private static final MemberInfo C = member(0xC, 3_000, "10.0.0.3");

	private static final MemberInfo D = member(0xD, 4_000, "10.0.0.4");

	private final RecordingOutput output = new RecordingOutput();

	private final Events events = new Events();

	private long now = 5 * SECOND;

	private static MemberInfo member(long id, long startedAt, String host) {
		return new MemberInfo(id, "n" + Long.toHexString(id), startedAt, host, 7000, 7001);
	}

	private static InetSocketAddress address(MemberInfo member) {
		return new InetSocketAddress(member.host(), member.controlPort());
	}

	private Membership membership(MemberInfo local) {
		return membership(local, MembershipConfig.defaults(), List.of());
	}

	private Membership membership(MemberInfo local, MembershipConfig config, List<InetSocketAddress> seeds) {
		return Membership.builder(local)
			.config(config)
			.seeds(seeds)
			.output(this.output)
			.listener(this.events)
			.localStatus(() -> new LocalStatus(false, 7, List.of(new StateStatus("fares", 3, 33, 4))))
			.nanoClock(() -> this.now)
			.build();
	}

	/** Connects members (the output then accepts sends to them). */
	private void connect(Membership m, MemberInfo... peers) {
		for (MemberInfo peer : peers) {
			this.output.connected.add(peer.id());
			m.onConnected(peer);
		}
	}

	/** Moves the clock in steps of 50 ms, ticking, with the given members still talking. */
	private void run(Membership m, long nanos, MemberInfo... talking) {
		long end = this.now + nanos;
		while (this.now < end) {
			this.now = Math.min(end, this.now + 50 * MS);
			for (MemberInfo peer : talking) {
				m.onMessage(peer.id(), new ControlMessage.ViewRequest());
			}
			m.tick(this.now);
		}
	}

	@Test
	void aNewMembershipSeesOnlyItselfAndCoordinates() {
		Membership m = membership(B);
		assertThat(m.liveMembers()).containsExactly(B);
		assertThat(m.coordinator()).isEqualTo(B);
		assertThat(m.isCoordinator()).isTrue();
		assertThat(m.alive(B.id())).isTrue();
		assertThat(m.alive(A.id())).isFalse();
		assertThat(m.status(B.id())).get().satisfies((s) -> {
			assertThat(s.self()).isTrue();
			assertThat(s.ready()).isFalse();
			assertThat(s.switchId()).isEqualTo(7);
			assertThat(s.states()).hasSize(1);
		});
	}

	@Test
	void connectedMembersJoinAndTheOldestCoordinates() {
		Membership m = membership(B);
		connect(m, C);
		assertThat(m.coordinator()).isEqualTo(B);
		connect(m, A);
		assertThat(m.liveMembers()).containsExactly(A, B, C);
		assertThat(m.coordinator()).isEqualTo(A);
		assertThat(m.isCoordinator()).isFalse();
		assertThat(this.events.log).containsExactly("joined " + C, "joined " + A, "coordinator " + B + " -> " + A);
	}

	@Test
	void sendsAHeartbeatOnConnectAndEveryIntervalWithDigestAndLocalStatus() {
		Membership m = membership(A);
		connect(m, B);
		assertThat(this.output.sentTo(B.id(), Heartbeat.class)).hasSize(1);
		m.tick(this.now);
		run(m, SECOND, B);
		List<Heartbeat> heartbeats = this.output.sentTo(B.id(), Heartbeat.class);
		assertThat(heartbeats).hasSize(1 + 1 + 5);
		Heartbeat last = heartbeats.get(heartbeats.size() - 1);
		assertThat(last.viewDigest()).isEqualTo(m.viewDigest());
		assertThat(last.ready()).isFalse();
		assertThat(last.switchId()).isEqualTo(7);
		assertThat(last.states()).containsExactly(new StateStatus("fares", 3, 33, 4));
		assertThat(last.sentNanos()).isEqualTo(this.now);
		assertThat(heartbeats).extracting(Heartbeat::sequence).doesNotHaveDuplicates().isSorted();
	}

	@Test
	void answersAHeartbeatWithAnAckAndRecordsTheMembersStatus() {
		Membership m = membership(A);
		connect(m, B);
		List<StateStatus> states = List.of(new StateStatus("rates", 9, 99, 10));
		m.onMessage(B.id(), new Heartbeat(42, 123_456, m.viewDigest(), true, 5, states));
		assertThat(this.output.sentTo(B.id(), HeartbeatAck.class)).containsExactly(new HeartbeatAck(42, 123_456));
		assertThat(this.output.sentTo(B.id(), View.class)).isEmpty();
		MemberStatus status = m.status(B.id()).orElseThrow();
		assertThat(status.ready()).isTrue();
		assertThat(status.switchId()).isEqualTo(5);
		assertThat(status.states()).isEqualTo(states);
		assertThat(status.viewDigest()).isEqualTo(m.viewDigest());
		assertThat(status.state()).isEqualTo(MemberState.ALIVE);
	}

	@Test
	void measuresTheRoundTripAsAMovingAverageAndStretchesTheTimeout() {
		Membership m = membership(A);
		connect(m, B);
		assertThat(m.status(B.id()).orElseThrow().rttNanos()).isEqualTo(-1);
		assertThat(m.failureTimeoutNanos(B.id())).isEqualTo(SECOND);
		Heartbeat first = this.output.sentTo(B.id(), Heartbeat.class).get(0);
		this.now += 80 * MS;
		m.onMessage(B.id(), new HeartbeatAck(first.sequence(), first.sentNanos()));
		assertThat(m.status(B.id()).orElseThrow().rttNanos()).isEqualTo(80 * MS);
		m.tick(this.now);
		Heartbeat second = this.output.sentTo(B.id(), Heartbeat.class).get(1);
		this.now += 160 * MS;
		m.onMessage(B.id(), new HeartbeatAck(second.sequence(), second.sentNanos()));
		// 80 + 0.125 * (160 - 80) = 90
		assertThat(m.status(B.id()).orElseThrow().rttNanos()).isEqualTo(90 * MS);
		assertThat(m.failureTimeoutNanos(B.id())).isEqualTo(SECOND + 180 * MS);
		// a repeated, forged or unknown ack is no sample
		m.onMessage(B.id(), new HeartbeatAck(second.sequence(), second.sentNanos()));
		m.onMessage(B.id(), new HeartbeatAck(second.sequence() + 5, this.now - 1));
		m.onMessage(B.id(), new HeartbeatAck(-3, 0));
		assertThat(m.status(B.id()).orElseThrow().rttNanos()).isEqualTo(90 * MS);
	}

	@Test
	void aSilentMemberIsSuspectedProbedThroughOthersAndRemovedOneTimeoutLater() {
		Membership m = membership(A);
		connect(m, B, C, D);
		m.tick(this.now);
		long start = this.now;
		run(m, SECOND, B, C);
		assertThat(m.status(D.id()).orElseThrow().state()).isEqualTo(MemberState.ALIVE);
		run(m, 50 * MS, B, C);
		assertThat(m.status(D.id()).orElseThrow().state()).isEqualTo(MemberState.SUSPECT);
		assertThat(this.events.log).contains("suspected " + D);
		assertThat(this.output.sent).filteredOn((s) -> s.message() instanceof ProbeRequest)
			.extracting(Sent::to)
			.containsExactlyInAnyOrder(B.id(), C.id());
		assertThat(m.liveMembers()).contains(D);
		run(m, SECOND - 50 * MS, B, C);
		assertThat(m.alive(D.id())).isTrue();
		run(m, 100 * MS, B, C);
		assertThat(m.alive(D.id())).isFalse();
		assertThat(this.now - start).isBetween(2 * SECOND, 2 * SECOND + 150 * MS);
		assertThat(this.events.log).contains("left " + D + " UNREACHABLE");
		assertThat(this.output.disconnects).containsExactly(D.id());
		assertThat(m.status(D.id())).isEmpty();
	}

	@Test
	void probesGoToAtMostTheFanOutOfOtherAliveMembers() {
		Membership m = membership(A, MembershipConfig.defaults().withProbeFanOut(2), List.of());
		connect(m, B, C, D);
		m.onDisconnected(D.id());
		assertThat(this.output.sent).filteredOn((s) -> s.message() instanceof ProbeRequest)
			.hasSize(2)
			.allSatisfy((s) -> {
				assertThat(s.to()).isIn(B.id(), C.id());
				assertThat(((ProbeRequest) s.message()).memberId()).isEqualTo(D.id());
			});
	}

	@Test
	void aFrameFromASuspectClearsTheSuspicion() {
		Membership m = membership(A);
		connect(m, B);
		m.tick(this.now);
		run(m, 1_100 * MS);
		assertThat(m.status(B.id()).orElseThrow().state()).isEqualTo(MemberState.SUSPECT);
		m.onMessage(B.id(), new ViewRequest());
		assertThat(m.status(B.id()).orElseThrow().state()).isEqualTo(MemberState.ALIVE);
		assertThat(this.events.log).contains("recovered " + B);
		run(m, 900 * MS);
		assertThat(m.alive(B.id())).isTrue();
	}

	@Test
	void aPositiveProbeReplyClearsTheSuspicionAndANegativeOneDoesNot() {
		Membership m = membership(A);
		connect(m, B, C);
		m.tick(this.now);
		run(m, 1_100 * MS, B);
		assertThat(m.status(C.id()).orElseThrow().state()).isEqualTo(MemberState.SUSPECT);
		ProbeRequest probe = this.output.sentTo(B.id(), ProbeRequest.class).get(0);
		assertThat(probe.memberId()).isEqualTo(C.id());
		// a reply to no request, or from another member, is ignored
		m.onMessage(B.id(), new ProbeReply(probe.requestId() + 100, C.id(), 10));
		m.onMessage(C.id(), new ProbeReply(probe.requestId(), C.id(), 10));
		assertThat(m.status(C.id()).orElseThrow().state()).isEqualTo(MemberState.ALIVE);
		// C's own frame above cleared it; silence again, then a negative and a stale reply
		this.output.sent.clear();
		run(m, 1_100 * MS, B);
		probe = this.output.sentTo(B.id(), ProbeRequest.class).get(0);
		m.onMessage(B.id(), new ProbeReply(probe.requestId(), C.id(), -1));
		assertThat(m.status(C.id()).orElseThrow().state()).isEqualTo(MemberState.SUSPECT);
		this.output.sent.clear();
		run(m, 1_100 * MS, B);
		assertThat(m.alive(C.id())).isFalse();
		connect(m, C);
		this.output.sent.clear();
		run(m, 1_100 * MS, B);
		probe = this.output.sentTo(B.id(), ProbeRequest.class).get(0);
		m.onMessage(B.id(), new ProbeReply(probe.requestId(), C.id(), 1_500));
		assertThat(m.status(C.id()).orElseThrow().state()).isEqualTo(MemberState.SUSPECT);
		this.output.sent.clear();
		run(m, 1_100 * MS, B);
		assertThat(m.alive(C.id())).isFalse();
		// and a fresh one keeps the member
		connect(m, C);
		this.output.sent.clear();
		run(m, 1_100 * MS, B);
		probe = this.output.sentTo(B.id(), ProbeRequest.class).get(0);
		m.onMessage(B.id(), new ProbeReply(probe.requestId(), C.id(), 30));
		assertThat(m.status(C.id()).orElseThrow().state()).isEqualTo(MemberState.ALIVE);
		run(m, 900 * MS, B);
		assertThat(m.alive(C.id())).isTrue();
	}

	@Test
	void answersProbesWithMillisecondsSinceItLastHeardOrMinusOne() {
		Membership m = membership(A);
		connect(m, B, C);
		this.now += 250 * MS;
		m.onMessage(B.id(), new ProbeRequest(1, C.id()));
		m.onMessage(B.id(), new ProbeRequest(2, D.id()));
		m.onMessage(B.id(), new ProbeRequest(3, A.id()));
		m.onDisconnected(C.id());
		m.onMessage(B.id(), new ProbeRequest(4, C.id()));
		assertThat(this.output.sentTo(B.id(), ProbeReply.class)).containsExactly(new ProbeReply(1, C.id(), 250),
				new ProbeReply(2, D.id(), -1), new ProbeReply(3, A.id(), 0), new ProbeReply(4, C.id(), -1));
	}

	@Test
	void aDisconnectSuspectsAndRedialsButDoesNotRemoveAtOnce() {
		Membership m = membership(A);
		connect(m, B);
		this.output.connected.remove(B.id());
		m.onDisconnected(B.id());
		assertThat(m.status(B.id()).orElseThrow()).satisfies((s) -> {
			assertThat(s.state()).isEqualTo(MemberState.SUSPECT);
			assertThat(s.connected()).isFalse();
		});
		assertThat(this.output.connects).containsExactly(address(B));
		m.tick(this.now);
		run(m, 900 * MS);
		assertThat(m.alive(B.id())).isTrue();
		assertThat(this.output.connects).hasSize(1);
		run(m, 150 * MS);
		assertThat(this.output.connects).hasSize(2);
		assertThat(m.alive(B.id())).isFalse();
	}

	@Test
	void reconnectingBringsASuspectBack() {
		Membership m = membership(A);
		connect(m, B);
		this.output.connected.remove(B.id());
		m.onDisconnected(B.id());
		this.now += 300 * MS;
		connect(m, B);
		assertThat(m.status(B.id()).orElseThrow()).satisfies((s) -> {
			assertThat(s.state()).isEqualTo(MemberState.ALIVE);
			assertThat(s.connected()).isTrue();
		});
		assertThat(this.events.log).containsExactly("joined " + B, "suspected " + B, "recovered " + B);
	}

	@Test
	void aDigestMismatchSendsOurViewOncePerDigestPair() {
		Membership m = membership(A);
		connect(m, B, C);
		m.onMessage(B.id(), new Heartbeat(1, 1, 12345, true, 0, List.of()));
		m.onMessage(B.id(), new Heartbeat(2, 2, 12345, true, 0, List.of()));
		List<View> views = this.output.sentTo(B.id(), View.class);
		assertThat(views).hasSize(1);
		assertThat(views.get(0).members()).containsExactly(A, B, C);
		assertThat(views.get(0).coordinatorId()).isEqualTo(A.id());
		m.onMessage(B.id(), new Heartbeat(3, 3, 777, true, 0, List.of()));
		assertThat(this.output.sentTo(B.id(), View.class)).hasSize(2);
		this.now += SECOND;
		m.onMessage(B.id(), new Heartbeat(4, 4, 777, true, 0, List.of()));
		assertThat(this.output.sentTo(B.id(), View.class)).hasSize(3);
	}

	@Test
	void answersAViewRequestWithItsView() {
		Membership m = membership(B);
		connect(m, A, C);
		m.onMessage(C.id(), new ViewRequest());
		assertThat(this.output.sentTo(C.id(), View.class)).containsExactly(new View(A.id(), List.of(A, B, C)));
	}

	@Test
	void aViewNamingUnknownMembersMakesItDialThem() {
		Membership m = membership(A);
		connect(m, B);
		m.onMessage(B.id(), new View(A.id(), List.of(A, B, C, D)));
		assertThat(this.output.connects).containsExactlyInAnyOrder(address(C), address(D));
		assertThat(m.alive(C.id())).isFalse();
		// dials are rate-limited per address
		m.onMessage(B.id(), new View(A.id(), List.of(A, B, C, D)));
		assertThat(this.output.connects).hasSize(2);
	}

	@Test
	void aRecentlyRemovedMemberIsNotLearnedBackFromAView() {
		Membership m = membership(A, MembershipConfig.defaults().withRejoinInterval(Duration.ofMinutes(10)), List.of());
		connect(m, B, C);
		this.output.connected.remove(C.id());
		m.onDisconnected(C.id());
		m.tick(this.now);
		run(m, 1_100 * MS, B);
		assertThat(m.alive(C.id())).isFalse();
		this.output.connects.clear();
		run(m, 2 * SECOND, B);
		m.onMessage(B.id(), new View(A.id(), List.of(A, B, C)));
		assertThat(this.output.connects).isEmpty();
		// an older process on C's address is gone too
		MemberInfo olderC = new MemberInfo(0xC0, "nc0", C.startedAtMillis() - 1, C.host(), 7000, 7001);
		m.onMessage(B.id(), new View(A.id(), List.of(A, B, olderC)));
		assertThat(this.output.connects).isEmpty();
		// an earlier process of this node, on its own address, is never dialed
		MemberInfo olderA = new MemberInfo(0xA0, "na0", A.startedAtMillis() - 1, A.host(), 7000, 7001);
		m.onMessage(B.id(), new View(A.id(), List.of(olderA, B)));
		assertThat(this.output.connects).isEmpty();
		// a new process on C's address is a new member
		MemberInfo newC = new MemberInfo(0xC1, "nc1", C.startedAtMillis() + 1, C.host(), 7000, 7001);
		m.onMessage(B.id(), new View(A.id(), List.of(A, B, newC)));
		assertThat(this.output.connects).containsExactly(address(C));
		// after the retention, C itself can be learned again
		this.output.connects.clear();
		run(m, 60 * SECOND, B);
		m.onMessage(B.id(), new View(A.id(), List.of(A, B, C)));
		assertThat(this.output.connects).containsExactly(address(C));
	}

	@Test
	void aRecentlyRemovedMemberComesBackByConnectingItself() {
		Membership m = membership(A);
		connect(m, B, C);
		m.tick(this.now);
		run(m, 2_200 * MS, B);
		assertThat(m.alive(C.id())).isFalse();
		connect(m, C);
		assertThat(m.alive(C.id())).isTrue();
		assertThat(this.events.log).containsSubsequence("left " + C + " UNREACHABLE", "joined " + C);
	}

	@Test
	void removedMembersAndSeedsAreRedialedEveryRejoinInterval() {
		MemberInfo seed = member(0x5EED, 1, "10.0.0.9");
		Membership m = membership(A, MembershipConfig.defaults(), List.of(address(B), address(seed)));
		connect(m, B, C);
		m.tick(this.now);
		run(m, 2_200 * MS, B);
		assertThat(m.alive(C.id())).isFalse();
		this.output.connects.clear();
		run(m, 10 * SECOND, B);
		assertThat(this.output.connects).filteredOn(address(C)::equals).hasSize(2);
		assertThat(this.output.connects).filteredOn(address(seed)::equals).hasSize(2);
		assertThat(this.output.connects).doesNotContain(address(B));
	}

	@Test
	void aNewProcessOnAMembersAddressReplacesIt() {
		Membership m = membership(A);
		connect(m, B, C);
		MemberInfo newC = new MemberInfo(0xC1, "nc1", C.startedAtMillis() + 10, C.host(), 7000, 7001);
		connect(m, newC);
		assertThat(m.liveMembers()).containsExactly(A, B, newC);
		assertThat(this.events.log).containsSubsequence("left " + C + " REPLACED", "joined " + newC);
	}

	@Test
	void dialsSeedsAtTheFirstTickAndWhileItKnowsNoMember() {
		MemberInfo self = member(0xA, 1_000, "10.0.0.1");
		List<InetSocketAddress> seeds = List.of(address(self), address(B), address(C));
		Membership m = membership(self, MembershipConfig.defaults(), seeds);
		m.tick(this.now);
		assertThat(this.output.connects).containsExactly(address(B), address(C));
		run(m, 900 * MS);
		assertThat(this.output.connects).hasSize(2);
		run(m, 200 * MS);
		assertThat(this.output.connects).hasSize(4);
		connect(m, B, C);
		this.output.connects.clear();
		run(m, 4 * SECOND, B, C);
		assertThat(this.output.connects).isEmpty();
	}

	@Test
	void startDialsTheSeedsAtOnce() {
		Membership m = membership(A, MembershipConfig.defaults(), List.of(address(B)));
		m.start();
		assertThat(this.output.connects).containsExactly(address(B));
		connect(m, B);
		assertThat(m.liveMemberIds()).containsExactlyInAnyOrder(A.id(), B.id());
	}

	@Test
	void refusesMembersBeyondTheMaximum() {
		Membership m = membership(A, MembershipConfig.defaults().withMaxMembers(3), List.of());
		connect(m, B, C, D);
		assertThat(m.liveMembers()).containsExactly(A, B, C);
		assertThat(this.output.disconnects).containsExactly(D.id());
		assertThat(m.rejectedMembers()).isEqualTo(1);
	}

	@Test
	void theViewDigestDependsOnTheMembersNotTheOrderTheyJoined() {
		Membership one = membership(A);
		connect(one, B, C, D);
		Membership two = membership(A);
		connect(two, D, B, C);
		Membership three = membership(B);
		connect(three, C, A, D);
		assertThat(one.viewDigest()).isEqualTo(two.viewDigest()).isEqualTo(three.viewDigest());
		Membership fewer = membership(A);
		connect(fewer, B, C);
		assertThat(fewer.viewDigest()).isNotEqualTo(one.viewDigest());
		MemberInfo restartedD = new MemberInfo(D.id(), "nd", D.startedAtMillis() + 1, "10.0.0.5", 7000, 7001);
		Membership other = membership(A);
		connect(other, B, C, restartedD);
		assertThat(other.viewDigest()).isNotEqualTo(one.viewDigest());
	}

	@Test
	void aSuspectedCoordinatorStaysCoordinatorUntilRemoved() {
		Membership m = membership(B);
		connect(m, A, C);
		this.output.connected.remove(A.id());
		m.onDisconnected(A.id());
		assertThat(m.coordinator()).isEqualTo(A);
		m.tick(this.now);
		run(m, 1_100 * MS, C);
		assertThat(m.coordinator()).isEqualTo(B);
		assertThat(m.isCoordinator()).isTrue();
		assertThat(this.events.log).containsSubsequence("left " + A + " UNREACHABLE", "coordinator " + A + " -> " + B);
	}

	@Test
	void aStallOfThisNodeIsNotCountedAgainstItsMembers() {
		Membership m = membership(A);
		connect(m, B, C);
		m.tick(this.now);
		run(m, 500 * MS, B, C);
		this.now += 10 * SECOND;
		m.tick(this.now);
		assertThat(m.liveMembers()).containsExactly(A, B, C);
		assertThat(m.status(B.id()).orElseThrow().state()).isEqualTo(MemberState.ALIVE);
		run(m, 2_200 * MS, B);
		assertThat(m.liveMembers()).containsExactly(A, B);
	}

	@Test
	void aFailingListenerDoesNotDisturbMembership() {
		AtomicReference<Integer> calls = new AtomicReference<>(0);
		Membership m = Membership.builder(A).output(this.output).nanoClock(() -> this.now).listener(new MembershipListener() {

			@Override
			public void memberJoined(MemberInfo member) {
				calls.set(calls.get() + 1);
				throw new IllegalStateException("boom");
			}

		}).build();
		connect(m, B, C);
		assertThat(calls.get()).isEqualTo(2);
		assertThat(m.liveMembers()).containsExactly(A, B, C);
		assertThat(this.output.sentTo(C.id(), Heartbeat.class)).hasSize(1);
	}

	@Test
	void ignoresFramesFromMembersOutsideTheViewAndConnectionsToItself() {
		Membership m = membership(A);
		m.onMessage(B.id(), new Heartbeat(1, 1, 1, true, 0, List.of()));
		m.onMessage(B.id(), new ViewRequest());
		m.onConnected(A);
		m.onDisconnected(B.id());
		assertThat(this.output.sent).isEmpty();
		assertThat(m.liveMembers()).containsExactly(A);
	}

	@Test
	void statusesListEveryLiveMemberOldestFirst() {
		Membership m = membership(B);
		connect(m, C, A);
		this.now += 30 * MS;
		assertThat(m.statuses()).extracting(MemberStatus::member).containsExactly(A, B, C);
		assertThat(m.statuses()).filteredOn((s) -> !s.self()).allSatisfy((s) -> {
			assertThat(s.silenceNanos()).isEqualTo(30 * MS);
			assertThat(s.connected()).isTrue();
			assertThat(s.failureTimeoutNanos()).isEqualTo(SECOND);
		});
	}

	record Sent(long to, ControlMessage message) {
	}

	static final class RecordingOutput implements MembershipOutput {

		final Set<Long> connected = new HashSet<>();

		final List<Sent> sent = new ArrayList<>();

		final List<InetSocketAddress> connects = new ArrayList<>();

		final List<Long> disconnects = new ArrayList<>();

		@Override
		public boolean send(long memberId, ControlMessage message) {
			if (!this.connected.contains(memberId)) {
				return false;
			}
			this.sent.add(new Sent(memberId, message));
			return true;
		}

		@Override
		public void connect(InetSocketAddress address) {
			this.connects.add(address);
		}

		@Override
		public void disconnect(long memberId) {
			this.connected.remove(memberId);
			this.disconnects.add(memberId);
		}

		<T extends ControlMessage> List<T> sentTo(long memberId, Class<T> type) {
			return this.sent.stream()
				.filter((s) -> s.to() == memberId && type.isInstance(s.message()))
				.map((s) -> type.cast(s.message()))
				.toList();
		}

	}

	static final class Events implements MembershipListener {

		final List<String> log = new ArrayList<>();

		@Override
		public void memberJoined(MemberInfo member) {
			this.log.add("joined " + member);
		}

		@Override
		public void memberLeft(MemberInfo member, RemovalReason reason) {
			this.log.add("left " + member + " " + reason);
		}

		@Override
		public void memberSuspected(MemberInfo member) {
			this.log.add("suspected " + member);
		}

		@Override
		public void memberRecovered(MemberInfo member) {
			this.log.add("recovered " + member);
		}

		@Override
		public void coordinatorChanged(MemberInfo previous, MemberInfo current) {
			this.log.add("coordinator " + previous + " -> " + current);
		}

	}

}
