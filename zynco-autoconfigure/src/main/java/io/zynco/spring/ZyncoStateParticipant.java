package io.zynco.spring;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.Ordered;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicationListener;
import io.zynco.replication.SwitchParticipant;

/**
 * Connects the {@link ZyncoStateScope} and {@link ZyncoViews} to a node's two-phase switch:
 * builds every {@code @ZyncoState} bean for the view being prepared (a failure refuses the
 * switch), moves new pins to the committed view, and has instances no longer in use
 * destroyed. Ordered first among participants, so that other participants' {@code prepare}
 * can use the new instances. Thread-safe.
 */
public class ZyncoStateParticipant implements SwitchParticipant, ReplicationListener, Ordered {

	private static final Log logger = LogFactory.getLog(ZyncoStateParticipant.class);

	/** Order among switch participants. */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private final ZyncoStateScope scope;

	private final ZyncoViews views;

	/**
	 * @param retainInactive whether instances of versions no longer active are kept while
	 * their versions are in the window
	 * @throws InvalidZyncoConfigurationException if a {@code @ZyncoState} bean names a state
	 * the node does not have
	 */
	public ZyncoStateParticipant(ZyncoStateScope scope, ZyncoViews views, boolean retainInactive) {
		this.scope = scope;
		this.views = views;
		scope.attach(views, retainInactive);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * Builds the scope's beans for {@code next}, on this (a node worker's) thread. Called
	 * once by the lifecycle for the first view, before the node starts.
	 */
	@Override
	public void prepare(ClusterView next) {
		ViewRef ref = this.views.beginPrepare(next);
		try {
			this.scope.buildAll(ref);
		}
		catch (RuntimeException ex) {
			if (ref != this.views.activeRef()) {
				this.views.abortPrepare(next);
			}
			this.scope.requestSweep();
			String bean = failedBean(ex);
			ZyncoPrepareException failure = new ZyncoPrepareException("@ZyncoState bean " + ((bean != null) ? "'" + bean
					+ "' " : "") + "could not be built for " + next.label() + ": "
					+ NestedExceptionUtils.getMostSpecificCause(ex), ex);
			logger.warn("Zynco: refusing the switch to " + next.label() + ": " + failure.getMessage(), ex);
			throw failure;
		}
		if (ref == this.views.activeRef()) {
			this.scope.markServed(ref);
		}
	}

	@Override
	public void committed(ClusterView previous, ClusterView current) {
		this.views.activate(current);
		this.scope.markServed(this.views.activeRef());
		this.scope.requestSweep();
	}

	@Override
	public void aborted(ClusterView next, String reason) {
		this.views.abortPrepare(next);
		this.scope.requestSweep();
	}

	@Override
	public void versionReceived(String state, long version, long bytes, boolean viaCatchUp) {
		// the window may have moved on: instances of versions that left it can go
		this.scope.requestSweep();
	}

	private static String failedBean(Throwable ex) {
		String name = null;
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof BeanCreationException creation && creation.getBeanName() != null) {
				name = creation.getBeanName();
			}
		}
		return (name != null && name.startsWith("scopedTarget.")) ? name.substring("scopedTarget.".length()) : name;
	}

}
