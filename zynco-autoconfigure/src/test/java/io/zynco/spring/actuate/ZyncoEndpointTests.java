package io.zynco.spring.actuate;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.zynco.replication.ReplicationException;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.actuate.ZyncoEndpoint.MemberDescriptor;
import io.zynco.spring.actuate.ZyncoEndpoint.StateDescriptor;
import io.zynco.spring.actuate.ZyncoEndpoint.ZyncoDescriptor;
import io.zynco.state.Fingerprints;
import io.zynco.state.Yield;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The {@link ZyncoEndpoint} on a real single node. */
class ZyncoEndpointTests {

	private ZyncoNode node;

	private ZyncoEndpoint endpoint;

	@BeforeEach
	void startNode() throws Exception {
		this.node = TestNodes.start();
		this.endpoint = new ZyncoEndpoint(this.node, Duration.ofSeconds(10));
		TestNodes.publish(this.node, "LHR-JFK", "420");
		TestNodes.publish(this.node, "LHR-CDG", "90");
	}

	@AfterEach
	void closeNode() {
		this.node.close();
	}

	@Test
	void describesTheNodeItsMembersAndEveryState() {
		ZyncoDescriptor zynco = this.endpoint.zynco();
		assertThat(zynco.node().name()).isEqualTo("node-a");
		assertThat(zynco.node().cluster()).isEqualTo("actuate-tests");
		assertThat(zynco.node().transport()).isEqualTo("unicast");
		assertThat(zynco.node().coordinator()).isTrue();
		assertThat(zynco.node().coordinatorName()).isEqualTo("node-a");
		assertThat(zynco.node().view()).contains("fares@2");
		assertThat(zynco.node().scheduling()).isEqualTo(Yield.backgroundStatus()).startsWith("background threads");
		assertThat(zynco.members()).singleElement().satisfies((member) -> {
			assertThat(member.name()).isEqualTo("node-a");
			assertThat(member.id()).isEqualTo(Fingerprints.toHex(this.node.self().id()));
			assertThat(member.host()).isEqualTo("127.0.0.1");
			assertThat(member.controlPort()).isPositive();
			assertThat(member.self()).isTrue();
			assertThat(member.coordinator()).isTrue();
			assertThat(member.states()).extracting((state) -> state.state()).containsExactlyInAnyOrder("fares", "rules");
		});
		assertThat(zynco.states()).containsOnlyKeys("fares", "rules");
		StateDescriptor fares = zynco.states().get("fares");
		assertThat(fares.active()).isEqualTo(2);
		assertThat(fares.policy()).isEqualTo("auto");
		assertThat(fares.heapBytes()).isPositive();
		assertThat(fares.versions()).extracting((version) -> version.version()).containsExactly(0L, 1L, 2L);
		assertThat(fares.versions().get(2)).satisfies((version) -> {
			assertThat(version.active()).isTrue();
			assertThat(version.entries()).isEqualTo(2);
			assertThat(version.dataBytes()).isPositive();
			assertThat(version.rootFingerprint())
				.isEqualTo(Fingerprints.toHex(this.node.state("fares").active().rootFingerprint()));
			assertThat(version.created()).isNotNull();
			assertThat(version.origin()).isNotBlank();
		});
	}

	@Test
	void readsOneState() {
		assertThat(this.endpoint.state("rules").versions()).singleElement()
			.satisfies((version) -> assertThat(version.entries()).isZero());
	}

	@Test
	void anUnknownStateIsNotFound() {
		assertThatExceptionOfType(ReplicationException.class).isThrownBy(() -> this.endpoint.state("taxes"))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(ReplicationException.Reason.NOT_FOUND));
	}

	@Test
	void rollsBackAndSwitchesForwardAgain() {
		assertThat(this.endpoint.change("fares", "rollback", 1L).active()).isEqualTo(1);
		assertThat(this.node.state("fares").active().number()).isEqualTo(1);
		assertThat(this.endpoint.change("fares", "switch", 2L).active()).isEqualTo(2);
		assertThat(this.endpoint.state("fares").active()).isEqualTo(2);
	}

	@Test
	void aVersionOutsideTheWindowIsNotFound() {
		assertThatExceptionOfType(ReplicationException.class).isThrownBy(() -> this.endpoint.switchTo("fares", 42))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(ReplicationException.Reason.NOT_FOUND));
	}

	@Test
	void aPinnedStateRefusesToSwitchUntilUnpinned() {
		assertThat(this.endpoint.state("fares").pinned()).isNull();
		assertThat(this.endpoint.change("fares", "pin", null).active()).isEqualTo(2);
		assertThat(this.endpoint.state("fares").pinned()).isEqualTo(2);
		assertThat(this.endpoint.zynco().states().get("fares").pinned()).isEqualTo(2);
		assertThatExceptionOfType(ReplicationException.class).isThrownBy(() -> this.endpoint.rollback("fares", 1))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(ReplicationException.Reason.PINNED));
		this.endpoint.change("fares", "unpin", null);
		assertThat(this.endpoint.state("fares").pinned()).isNull();
		assertThat(this.endpoint.rollback("fares", 1).active()).isEqualTo(1);
	}

	@Test
	void rejectsUnknownActionsAndSwitchesWithoutAVersion() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.endpoint.change("fares", "delete", 1L))
			.withMessageContaining("switch, rollback, pin or unpin");
		assertThatIllegalArgumentException().isThrownBy(() -> this.endpoint.change("fares", "switch", null))
			.withMessageContaining("needs a version");
	}

	@Test
	void membersAreNamedAfterTheirNodes() {
		assertThat(this.endpoint.zynco().members()).extracting(MemberDescriptor::name).containsExactly("node-a");
	}

}
