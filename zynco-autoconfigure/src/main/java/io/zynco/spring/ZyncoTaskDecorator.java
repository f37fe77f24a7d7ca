package io.zynco.spring;

import org.springframework.core.task.TaskDecorator;

/**
 * Carries the submitting thread's pinned view into tasks run by an executor: a task submitted
 * within a request (an MVC {@code Callable}, an {@code @Async} method) sees the request's
 * view. Tasks submitted from an unpinned thread are not changed. See
 * {@link ZyncoViews#wrap(Runnable)}. Thread-safe.
 */
public class ZyncoTaskDecorator implements TaskDecorator {

	private final ZyncoViews views;

	public ZyncoTaskDecorator(ZyncoViews views) {
		this.views = views;
	}

	@Override
	public Runnable decorate(Runnable runnable) {
		return this.views.wrap(runnable);
	}

}
