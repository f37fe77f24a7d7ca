package io.zynco.spring.actuate;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zynco.autoconfigure.ZyncoNodeConfigFactory;
import io.zynco.autoconfigure.ZyncoNodeCustomizer;
import io.zynco.autoconfigure.ZyncoProperties;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.TestStates;
import io.zynco.transport.TransportMode;

/** A started node alone on 127.0.0.1 (unicast) with the test states, for plain-object tests. */
final class TestNodes {

	private TestNodes() {
	}

	static ZyncoNode start(ZyncoNodeCustomizer... customizers) throws InterruptedException {
		ZyncoProperties properties = new ZyncoProperties();
		properties.setNodeName("node-a");
		properties.setClusterName("actuate-tests");
		properties.getTransfer().setMode(TransportMode.UNICAST);
		ZyncoNode node = ZyncoNode.create(ZyncoNodeConfigFactory.create(properties, null, List.of(customizers)));
		node.register(TestStates.FARES);
		node.register(TestStates.RULES);
		node.start();
		return node;
	}

	/** Publishes a fare and waits until the node switched to it; the new version. */
	static long publish(ZyncoNode node, String route, String fare) throws Exception {
		ReplicatedState<String, String> fares = node.state(TestStates.FARES);
		return fares.publish((edit) -> edit.put(route, fare))
			.get(TestStates.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
	}

}
