package io.zynco.replication;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Supplier;

import io.zynco.membership.LocalStatus;
import io.zynco.membership.Membership;
import io.zynco.membership.MembershipConfig;
import io.zynco.membership.MembershipListener;
import io.zynco.membership.MembershipOutput;
import io.zynco.protocol.DataPacket;
import io.zynco.protocol.MemberInfo;
import io.zynco.protocol.PacketAuthenticator;
import io.zynco.replication.transfer.RateController;
import io.zynco.replication.transfer.TransferReceiver;
import io.zynco.replication.transfer.TransferSender;
import io.zynco.transport.ControlChannel;
import io.zynco.transport.ControlListener;
import io.zynco.transport.DataChannel;
import io.zynco.transport.DataListener;
import io.zynco.transport.TransportMode;
import io.zynco.transport.netty.ControlChannelConfig;
import io.zynco.transport.netty.DataChannelConfig;
import io.zynco.transport.netty.NettyControlChannel;
import io.zynco.transport.netty.NettyDataChannel;
import io.zynco.transport.netty.NettyTransports;

/**
 * Builds a node's parts from its {@link NodeConfig}: the Netty channels on the node loop,
 * membership, and the transfer engine's settings. The one place that maps node settings to
 * the pieces' own configuration. Stateless.
 */
final class NodeTransports {

	/** IPv4 and UDP headers plus our header and tag, for pacing. */
	private static final int PACKET_OVERHEAD = 28 + DataPacket.OVERHEAD;

	/** How long a transfer's data waits for every receiver to have allocated its buffer. */
	private static final java.time.Duration READY_TIMEOUT = java.time.Duration.ofSeconds(3);

	private NodeTransports() {
	}

	record Channels(ControlChannel control, DataChannel data) {
	}

	static NettyTransports newLoop(String name) {
		return NettyTransports.newNodeLoop("zynco-" + name);
	}

	static Channels open(NodeConfig config, NettyTransports transports, long id, Supplier<MemberInfo> self,
			ControlListener controlListener, DataListener dataListener) throws InterruptedException {
		ControlChannelConfig controlConfig = ControlChannelConfig
			.builder(config.cluster, config.secret, self, config.rejectedInput)
			.bind(config.bindHost, config.controlPort)
			.tls(config.serverSsl, config.clientSsl)
			.build();
		NettyControlChannel control = new NettyControlChannel(controlConfig, transports, controlListener);
		PacketAuthenticator authenticator = switch (config.packetSecurity) {
			case NONE -> PacketAuthenticator.none();
			case HMAC_SHA256 -> PacketAuthenticator.hmacSha256(config.secret);
			case AES_GCM -> PacketAuthenticator.aesGcm(config.secret);
		};
		InetAddress group;
		try {
			group = InetAddress.getByName(config.multicastGroup);
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("multicastGroup: '" + config.multicastGroup + "' is not an address", ex);
		}
		DataChannelConfig dataConfig = DataChannelConfig.builder(id, authenticator, dataListener, config.rejectedInput)
			.mode(config.transportMode)
			.group(group, config.multicastPort)
			.bind(config.bindHost, 0)
			.networkInterface(config.multicastInterface)
			.ttl(config.multicastTtl)
			.packetSize(config.packetSize)
			.socketBuffers(config.socketBufferBytes, config.socketBufferBytes)
			.build();
		NettyDataChannel data = new NettyDataChannel(dataConfig, transports);
		try {
			control.start();
			data.start();
		}
		catch (RuntimeException | InterruptedException ex) {
			data.close();
			control.close();
			throw ex;
		}
		return new Channels(control, data);
	}

	static Membership membership(NodeConfig config, MemberInfo self, ControlChannel control,
			MembershipListener listener, Supplier<LocalStatus> status) {
		MembershipConfig membershipConfig = MembershipConfig.defaults()
			.withTiming(config.heartbeatInterval, config.failureTimeout);
		return Membership.builder(self)
			.config(membershipConfig)
			.seeds(config.seeds)
			.output(MembershipOutput.of(control))
			.listener(listener)
			.localStatus(status)
			.nanoClock(config.nanoClock)
			.build();
	}

	static RateController rate(NodeConfig config, long now) {
		RateController.Config defaults = RateController.Config.defaults();
		return RateController.create(defaults
			.withRates(config.initialRateBytesPerSecond, Math.min(defaults.minRate(), config.initialRateBytesPerSecond),
					config.maxRateBytesPerSecond)
			.withLowBufferBytes(lowBufferBytes(config))
			.withHeadroom(ampleBufferBytes(config), HEADROOM_INCREASE_FACTOR), now);
	}

	/**
	 * The rate's growth per 10 ms adaptation interval while every receiver measures an almost
	 * empty receive queue: +10 %, so that the rate doubles in about 70 ms and goes from 200 to
	 * 700 MiB/s in about 130 ms (against 5 s at the additive 1 MiB/s per interval).
	 */
	static final double HEADROOM_INCREASE_FACTOR = 1.1;

	/**
	 * Free receive buffer, measured, at or above which a receiver counts as keeping up, so the
	 * rate may climb fast: three quarters of the configured socket buffer (its queue at most a
	 * quarter full; the sender backs off at half, the kernel drops when full).
	 */
	static int ampleBufferBytes(NodeConfig config) {
		return config.socketBufferBytes / 4 * 3;
	}

	/**
	 * Free receive buffer below which a receiver reports itself backed up (a buffer report,
	 * {@link io.zynco.replication.transfer.TransferReceiver#bufferReport}) and the sender's
	 * rate control counts it as congested: half the configured socket buffer.
	 */
	static int lowBufferBytes(NodeConfig config) {
		return config.socketBufferBytes / 2;
	}

	/** Bytes of one data datagram on the wire besides its payload (header, tag, UDP/IP). */
	static int packetOverhead() {
		return PACKET_OVERHEAD;
	}

	static TransferSender.Config senderConfig(NodeConfig config, DataChannel data) {
		boolean multicast = data.mode() == TransportMode.MULTICAST;
		return TransferSender.Config.defaults()
			.withPacketPayload(data.maxPayload())
			.withDeadline(config.transferDeadline)
			.withMulticastRepairs(multicast, 2, 0.5)
			.withPacketOverhead(PACKET_OVERHEAD)
			.withReadyTimeout(READY_TIMEOUT);
	}

	static TransferReceiver.Config receiverConfig(NodeConfig config) {
		return TransferReceiver.Config.defaults().withMaxTotalBytes(config.maxTransferBytes);
	}

}
