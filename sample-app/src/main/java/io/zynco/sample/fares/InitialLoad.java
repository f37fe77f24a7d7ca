package io.zynco.sample.fares;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.zynco.replication.ZyncoNode;

/**
 * Loads the generated table once, when {@code sample.load-on-start} is true (the default):
 * after the application is ready and membership had a few seconds to settle, a node that has
 * caught up with the cluster, is its coordinator and finds both states still at version 0
 * publishes the table. (Should two nodes still both load, they load the same content, and
 * the cluster converges on it.) A node joining a
 * cluster that already holds fares catches up instead; a restarted coordinator of an empty
 * cluster loads again. The demo and the tests turn this off and load through the admin API.
 */
@Component
class InitialLoad {

	private static final Logger logger = LoggerFactory.getLogger(InitialLoad.class);

	private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

	/**
	 * How long membership may take to settle after the node is ready: nodes started together
	 * each coordinate a cluster of one until they have met, and only the one that is still
	 * coordinator afterwards loads.
	 */
	private static final Duration SETTLE = Duration.ofSeconds(3);

	private final SampleProperties properties;

	private final ZyncoNode node;

	private final FareChanges changes;

	InitialLoad(SampleProperties properties, ZyncoNode node, FareChanges changes) {
		this.properties = properties;
		this.node = node;
		this.changes = changes;
	}

	@EventListener(ApplicationReadyEvent.class)
	void loadWhenEmpty() {
		if (!this.properties.isLoadOnStart()) {
			return;
		}
		Thread loader = new Thread(this::load, "fare-initial-load");
		loader.setDaemon(true);
		loader.start();
	}

	private void load() {
		try {
			long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
			while (!this.node.isReady()) {
				if (System.nanoTime() > deadline || !this.node.isRunning()) {
					logger.warn("Not loading the fare table: the node did not become ready");
					return;
				}
				Thread.sleep(100); // a background task polling the node, not a test
			}
			Thread.sleep(SETTLE.toMillis());
			boolean empty = this.node.view().version("fares").number() == 0
					&& this.node.view().version("rules").number() == 0;
			if (!empty || !this.node.isCoordinator().join()) {
				logger.info("Not loading the fare table: {}",
						empty ? "another member coordinates the cluster" : "the cluster already holds fares");
				return;
			}
			logger.info("Loading {} generated fares (seed {})", this.properties.getFares(), this.properties.getSeed());
			this.changes.reload(this.properties.getFares(), this.properties.getSeed(), (done) -> {
			});
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			logger.warn("Initial load of the fare table failed: {}", ex.toString());
		}
	}

}
