package io.zynco.spring;

import io.zynco.replication.ClusterView;

/** Test access to the package-private side of {@link ZyncoViews}. */
public final class ZyncoViewsAccess {

	private ZyncoViewsAccess() {
	}

	/** Switches the views as a commit does. */
	public static void activate(ZyncoViews views, ClusterView next) {
		views.activate(next);
	}

	/** Whether the view is still in use (active, preparing, or retired and pinned). */
	public static boolean isInUse(ZyncoViews views, ClusterView view) {
		return views.liveRefs().stream().anyMatch((ref) -> ref.view == view);
	}

}
