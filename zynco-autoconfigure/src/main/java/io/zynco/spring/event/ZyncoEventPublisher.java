package io.zynco.spring.event;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;

import io.zynco.protocol.MemberInfo;
import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicationListener;
import io.zynco.replication.ZyncoNode;
import io.zynco.state.Yield;

/**
 * Republishes what a node reports as Spring {@link ZyncoEvent}s. The node calls listeners on
 * its protocol thread, which must not block, so events are handed to one Zynco event thread
 * that publishes them in order. Thread-safe.
 */
public class ZyncoEventPublisher implements ReplicationListener, DisposableBean {

	private static final Log logger = LogFactory.getLog(ZyncoEventPublisher.class);

	private final ZyncoNode node;

	private final ApplicationEventPublisher publisher;

	private final ExecutorService executor;

	public ZyncoEventPublisher(ZyncoNode node, ApplicationEventPublisher publisher) {
		this.node = node;
		this.publisher = publisher;
		this.executor = Executors
			.newSingleThreadExecutor(Yield.backgroundThreads("zynco-events-" + node.config().name()));
	}

	@Override
	public void versionReceived(String state, long version, long bytes, boolean viaCatchUp) {
		publish(new ZyncoVersionReceivedEvent(this.node, state, version, bytes, viaCatchUp));
	}

	@Override
	public void prepared(ClusterView next) {
		publish(new ZyncoPreparedEvent(this.node, next));
	}

	@Override
	public void switched(ClusterView previous, ClusterView current, boolean rollback) {
		publish(rollback ? new ZyncoRolledBackEvent(this.node, previous, current)
				: new ZyncoSwitchedEvent(this.node, previous, current));
	}

	@Override
	public void aborted(long switchId, String reason) {
		publish(new ZyncoSwitchAbortedEvent(this.node, switchId, reason));
	}

	@Override
	public void memberJoined(MemberInfo member) {
		publish(new ZyncoMemberJoinedEvent(this.node, member));
	}

	@Override
	public void memberLeft(MemberInfo member, String reason) {
		publish(new ZyncoMemberLeftEvent(this.node, member, reason));
	}

	@Override
	public void memberLagging(MemberInfo member, String state, long version, long clusterVersion) {
		publish(new ZyncoMemberLaggingEvent(this.node, member, state, version, clusterVersion));
	}

	@Override
	public void mismatch(String state, long version, String reason) {
		publish(new ZyncoVersionMismatchEvent(this.node, state, version, reason));
	}

	private void publish(ZyncoEvent event) {
		try {
			this.executor.execute(() -> {
				try {
					this.publisher.publishEvent(event);
				}
				catch (RuntimeException ex) {
					logger.warn("Zynco: a listener of " + event.getClass().getSimpleName() + " failed", ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// the context is closing: the event has no audience left
		}
	}

	/** Publishes what is queued (for a few seconds at most), then stops the event thread. */
	@Override
	public void destroy() throws InterruptedException {
		this.executor.shutdown();
		if (!this.executor.awaitTermination(5, TimeUnit.SECONDS)) {
			this.executor.shutdownNow();
		}
	}

}
