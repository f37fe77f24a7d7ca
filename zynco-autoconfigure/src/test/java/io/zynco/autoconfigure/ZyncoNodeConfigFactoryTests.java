package io.zynco.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import io.zynco.replication.NodeConfig;
import io.zynco.spring.InvalidZyncoConfigurationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Mapping {@link ZyncoProperties} to a {@link NodeConfig}, and the checks on the way. */
class ZyncoNodeConfigFactoryTests {

	private final ZyncoProperties properties = new ZyncoProperties();

	private NodeConfig create() {
		return ZyncoNodeConfigFactory.create(this.properties, null, List.of());
	}

	private void failsOn(String property, String... messageParts) {
		assertThatExceptionOfType(InvalidZyncoConfigurationException.class).isThrownBy(this::create)
			.satisfies((ex) -> {
				assertThat(ex.getProperty()).isEqualTo(property);
				assertThat(ex.getMessage()).contains(messageParts);
				assertThat(ex.getAction()).isNotBlank();
			});
	}

	@Test
	void defaultsMakeALoopbackNodeWithoutPacketAuthentication() {
		NodeConfig config = create();
		assertThat(config.cluster()).isEqualTo("zynco");
		assertThat(config.toString()).contains("bind=127.0.0.1:0")
			.contains("group=239.255.90.1:45901")
			.contains("packetSize=1472")
			.contains("security=NONE")
			.contains("mode=AUTO");
	}

	@Test
	void aSecretTurnsOnPacketAuthentication() {
		this.properties.getSecurity().setSecret("0123456789abcdef");
		assertThat(create().toString()).contains("security=AES_GCM");
	}

	@Test
	void hmacStaysSelectableWithASecret() {
		this.properties.getSecurity().setSecret("0123456789abcdef");
		this.properties.getSecurity().setPacketSecurity(NodeConfig.PacketSecurity.HMAC_SHA256);
		assertThat(create().toString()).contains("security=HMAC_SHA256");
	}

	@Test
	void nodesWithoutASecretOfOneClusterShareTheirKey() {
		assertThat(ZyncoNodeConfigFactory.loopbackKey("fares")).hasSize(32)
			.isEqualTo(ZyncoNodeConfigFactory.loopbackKey("fares"))
			.isNotEqualTo(ZyncoNodeConfigFactory.loopbackKey("rules"));
	}

	@Test
	void packetSecurityNeedsASecret() {
		this.properties.getSecurity().setPacketSecurity(NodeConfig.PacketSecurity.AES_GCM);
		failsOn("zynco.security.packet-security", "needs a cluster secret");
	}

	@Test
	void noPacketSecurityOnlyOnLoopback() {
		this.properties.getSecurity().setSecret("0123456789abcdef");
		this.properties.getSecurity().setPacketSecurity(NodeConfig.PacketSecurity.NONE);
		this.properties.getControl().setBindAddress("10.1.2.3");
		failsOn("zynco.security.packet-security", "loopback only", "10.1.2.3");
	}

	@Test
	void theBindAddressIsAnAddressOfThisHost() {
		this.properties.getSecurity().setSecret("0123456789abcdef");
		this.properties.getControl().setBindAddress("fares.invalid");
		failsOn("zynco.control.bind-address", "does not resolve");
		this.properties.getControl().setBindAddress("");
		failsOn("zynco.control.bind-address", "IP address");
		this.properties.getControl().setBindAddress("0.0.0.0");
		failsOn("zynco.control.bind-address", "wildcard");
	}

	@Test
	void aHostNameBindsToTheAddressItResolvesTo() throws Exception {
		// a container's or pod's own host name resolves to its address on the cluster network
		this.properties.getSecurity().setSecret("0123456789abcdef");
		java.net.InetAddress self = java.net.InetAddress.getLocalHost();
		this.properties.getControl().setBindAddress(self.getHostName());
		assertThat(create().toString()).contains("bind=" + self.getHostAddress());
	}

	@Test
	void ipv6LoopbackIsLoopback() {
		this.properties.getControl().setBindAddress("::1");
		assertThat(create().toString()).contains("bind=::1");
	}

	@Test
	void seedsAreHostAndPort() {
		this.properties.getMembership().setSeeds(List.of("10.0.0.7:7600", "[::1]:7601", "fares-0.fares:7600"));
		assertThat(create()).isNotNull();
		this.properties.getMembership().setSeeds(List.of("10.0.0.7"));
		failsOn("zynco.membership.seeds", "a host and a port");
		this.properties.getMembership().setSeeds(List.of("10.0.0.7:http"));
		failsOn("zynco.membership.seeds", "not a number");
		this.properties.getMembership().setSeeds(List.of("10.0.0.7:70000"));
		failsOn("zynco.membership.seeds", "1..65535");
	}

	@Test
	void theFailureTimeoutCoversTwoHeartbeats() {
		this.properties.getMembership().setHeartbeatInterval(Duration.ofMillis(500));
		this.properties.getMembership().setFailureTimeout(Duration.ofMillis(900));
		failsOn("zynco.membership.failure-timeout", "twice the heartbeat interval");
		this.properties.getMembership().setHeartbeatInterval(Duration.ZERO);
		failsOn("zynco.membership.heartbeat-interval", "positive");
	}

	@Test
	void sizesAndRatesAreChecked() {
		this.properties.getTransfer().setPacketSize(DataSize.ofKilobytes(70));
		failsOn("zynco.transfer.packet-size", "576 B..65507 B");
		this.properties.getTransfer().setPacketSize(DataSize.ofBytes(1472));
		this.properties.getTransfer().setMaxRate(DataSize.ofMegabytes(10));
		failsOn("zynco.transfer.max-rate", "below the initial rate");
		this.properties.getTransfer().setMaxRate(DataSize.ofGigabytes(1));
		this.properties.getTransfer().setMaxSize(DataSize.ofGigabytes(3));
		failsOn("zynco.transfer.max-size", "2GB");
	}

	@Test
	void theChainHoldsAtLeastTwoVersionsWithinAPositiveBudget() {
		this.properties.getChain().setMaxVersions(1);
		failsOn("zynco.chain.max-versions", "at least 2");
		this.properties.getChain().setMaxVersions(2);
		this.properties.getChain().setMaxMemory(DataSize.ofBytes(0));
		failsOn("zynco.chain.max-memory", "positive");
	}

	@Test
	void multicastSettingsAreChecked() {
		this.properties.getMulticast().setGroup("10.0.0.1");
		failsOn("zynco.multicast.group", "multicast IP address");
		this.properties.getMulticast().setGroup("239.255.90.1");
		this.properties.getMulticast().setTtl(300);
		failsOn("zynco.multicast.ttl", "0..255");
	}

	@Test
	void clusterNamesAreChecked() {
		this.properties.setClusterName("Fare Service");
		failsOn("zynco.cluster-name", "lower-case");
	}

	@Test
	void theClusterNameDefaultsToTheApplicationName() {
		assertThat(ZyncoNodeConfigFactory.create(this.properties, "Fare_Service", List.of()).cluster())
			.isEqualTo("fare_service");
		assertThat(ZyncoNodeConfigFactory.create(this.properties, "---", List.of()).cluster()).isEqualTo("zynco");
	}

	@Test
	void aCustomizersInvalidSettingIsReported() {
		assertThatExceptionOfType(InvalidZyncoConfigurationException.class)
			.isThrownBy(() -> ZyncoNodeConfigFactory.create(this.properties, null,
					List.of((builder) -> builder.tickInterval(Duration.ZERO))))
			.withMessageContaining("tickInterval");
	}

}
