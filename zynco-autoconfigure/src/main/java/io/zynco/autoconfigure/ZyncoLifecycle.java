package io.zynco.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicationListener;
import io.zynco.replication.SwitchParticipant;
import io.zynco.replication.ZyncoNode;

/**
 * Starts and stops the {@link ZyncoNode}: binds its channels and joins the cluster when the
 * application context starts, leaves the cluster when it stops.
 *
 * <p>On start, before the node starts, it adds every {@link SwitchParticipant} and
 * {@link ReplicationListener} bean to the node (in {@code @Order}) and has each participant
 * prepare the first view, so that the {@code @ZyncoState} beans exist, and a constructor
 * that cannot handle the empty state fails the start instead of the first request.
 *
 * <h2>Phase</h2> {@link #PHASE} is {@code SmartLifecycle.DEFAULT_PHASE - 4096}: below the
 * web server's start/stop phase ({@code DEFAULT_PHASE - 2048}) and its graceful shutdown
 * phase ({@code DEFAULT_PHASE - 1024}). Lifecycles start in ascending and stop in descending
 * phase order, so the node joins the cluster and starts catching up <em>before</em> the web
 * server accepts requests, and leaves the cluster only <em>after</em> graceful shutdown has
 * drained the requests in flight and the web server has stopped. Until then it keeps
 * receiving versions and preparing switches like any member, so the cluster does not abort
 * switches because of a member that is only draining.
 *
 * <p>A node starts once: after {@link #stop()} the context cannot be started again. Thread-safe.
 */
public class ZyncoLifecycle implements SmartLifecycle {

	/** Start before, stop after the web server (see the class comment). */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final ZyncoNode node;

	private final ObjectProvider<SwitchParticipant> participants;

	private final ObjectProvider<ReplicationListener> listeners;

	private volatile boolean running;

	private boolean stopped;

	public ZyncoLifecycle(ZyncoNode node, ObjectProvider<SwitchParticipant> participants,
			ObjectProvider<ReplicationListener> listeners) {
		this.node = node;
		this.participants = participants;
		this.listeners = listeners;
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		if (this.stopped) {
			throw new IllegalStateException("Zynco node " + this.node.config().name()
					+ " was stopped and cannot start again; create a new application context");
		}
		if (this.node.isRunning()) {
			this.running = true;
			return;
		}
		List<SwitchParticipant> participants = this.participants.orderedStream().toList();
		participants.forEach(this.node::addParticipant);
		this.listeners.orderedStream().forEach(this.node::addListener);
		ClusterView first = this.node.view();
		for (SwitchParticipant participant : participants) {
			try {
				participant.prepare(first);
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IllegalStateException("Zynco: " + participant + " could not prepare the first view", ex);
			}
		}
		try {
			this.node.start();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Zynco: interrupted while starting node " + this.node.config().name(), ex);
		}
		this.running = true;
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		this.stopped = true;
		this.node.close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
