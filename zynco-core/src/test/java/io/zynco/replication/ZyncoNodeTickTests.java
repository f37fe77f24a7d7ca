package io.zynco.replication;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.zynco.state.Codec;
import io.zynco.state.StateType;
import io.zynco.testing.Await;
import io.zynco.transport.TransportMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node loop's two tick rates: an idle node ticks at the idle interval, and work that the
 * tick drives (a transfer, a switch round) brings the short tick back at once.
 */
class ZyncoNodeTickTests {

	private static final StateType<String, String> FARES = StateType.of("fares", Codec.utf8(), Codec.utf8())
		.withSegmentBits(6);

	private static final byte[] SECRET = "a-test-secret-of-32-bytes-000000".getBytes(StandardCharsets.UTF_8);

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final List<ZyncoNode> nodes = new ArrayList<>();

	@AfterEach
	void stop() {
		this.nodes.forEach(ZyncoNode::close);
	}

	private ZyncoNode node(String name, Duration idleTick, InetSocketAddress seed) throws InterruptedException {
		NodeConfig.Builder config = NodeConfig.builder()
			.name(name)
			.cluster("ticks")
			.secret(SECRET)
			.transportMode(TransportMode.UNICAST)
			.packetSize(8_192)
			// heartbeats rare enough that the idle tick may be long (it is capped at a quarter of them)
			.heartbeatInterval(idleTick.multipliedBy(4))
			.failureTimeout(idleTick.multipliedBy(20))
			.tickInterval(Duration.ofMillis(1))
			.idleTickInterval(idleTick);
		if (seed != null) {
			config.seed(seed);
		}
		ZyncoNode node = ZyncoNode.create(config.build());
		node.register(FARES);
		node.start();
		this.nodes.add(node);
		return node;
	}

	@SuppressWarnings("unchecked")
	private static ReplicatedState<String, String> fares(ZyncoNode node) {
		return (ReplicatedState<String, String>) node.state("fares");
	}

	@Test
	void anIdleNodeTicksAtTheIdleInterval() throws Exception {
		ZyncoNode node = node("idle", Duration.ofMillis(100), null);
		Await.until(TIMEOUT, "the node ticks", () -> node.ticks() > 0);
		long from = node.ticks();
		long started = System.nanoTime();
		Await.until(TIMEOUT, "five more ticks", () -> node.ticks() >= from + 5);
		// five ticks of an idle node span at least four idle intervals (at the 1 ms tick: 5 ms)
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
	}

	@Test
	void workWakesTheShortTick() throws Exception {
		Duration idleTick = Duration.ofSeconds(1);
		ZyncoNode first = node("n0", idleTick, null);
		InetSocketAddress seed = new InetSocketAddress("127.0.0.1", first.self().controlPort());
		node("n1", idleTick, seed);
		node("n2", idleTick, seed);
		Await.until(TIMEOUT, "every node sees 3 members and is ready",
				() -> this.nodes.stream().allMatch((n) -> n.members().join().size() == 3 && n.isReady()));
		// Each publish (from a member, so forwarded to the coordinator) takes a transfer paced
		// by the tick and a switch round that the tick starts: with the idle tick alone each
		// would wait up to a second per step; woken, ten of them take well under a second
		long started = System.nanoTime();
		for (int round = 1; round <= 10; round++) {
			int r = round;
			long version = fares(this.nodes.get(1)).publish((edit) -> {
				for (int i = 0; i < 5_000; i++) {
					edit.put("route-" + i, "fare-" + i + "-" + r);
				}
			}).get(30, TimeUnit.SECONDS);
			Await.until(TIMEOUT, "every node at version " + version,
					() -> this.nodes.stream().allMatch((n) -> n.view().version("fares").number() == version));
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertThat(took).as("ten publishes with a 1 s idle tick").isLessThan(Duration.ofSeconds(6));
		assertThat(fares(this.nodes.get(2)).view().get("route-7")).isEqualTo("fare-7-10");
	}

}
