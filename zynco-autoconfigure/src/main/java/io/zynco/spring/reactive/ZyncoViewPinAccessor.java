package io.zynco.spring.reactive;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.context.ThreadLocalAccessor;

import io.zynco.spring.ViewPin;
import io.zynco.spring.ZyncoViews;

/**
 * Binds the {@link ViewPin} found in a Reactor {@code Context} under
 * {@link ZyncoReactive#CONTEXT_KEY} to the thread that runs a reactive operator, so that
 * {@code @ZyncoState} proxies and {@link ZyncoViews#current()} see the request's view there.
 * Registered with Micrometer's {@code ContextRegistry} through {@code ServiceLoader}; Reactor
 * uses it once {@code Hooks.enableAutomaticContextPropagation()} was called (Spring Boot:
 * {@code spring.reactor.context-propagation=auto}).
 *
 * <p>{@link #getValue()} answers the pin this accessor bound to the calling thread (so that
 * Reactor carries it across {@code publishOn}/{@code subscribeOn} hops), never a pin bound
 * by {@code views.pin()}: a reactive chain outlives the block that pinned, and a captured pin
 * would not keep its view alive. A pin released before a late signal is not bound (the
 * operator sees the active view). Clearing the value within a scope does not hide a pin bound
 * further out on the same thread. Thread-safe: bindings are per thread, undone in the reverse
 * order of binding.
 */
public final class ZyncoViewPinAccessor implements ThreadLocalAccessor<ViewPin> {

	private static final ThreadLocal<List<Entry>> bindings = ThreadLocal.withInitial(ArrayList::new);

	@Override
	public Object key() {
		return ZyncoReactive.CONTEXT_KEY;
	}

	@Override
	public ViewPin getValue() {
		List<Entry> stack = bindings.get();
		if (stack.isEmpty()) {
			bindings.remove();
			return null;
		}
		ViewPin pin = stack.get(stack.size() - 1).pin;
		return (pin != null && !pin.isReleased()) ? pin : null;
	}

	@Override
	public void setValue(ViewPin pin) {
		ZyncoViews.Binding binding = null;
		if (!pin.isReleased()) {
			try {
				binding = ZyncoViews.bindOwned(pin);
			}
			catch (IllegalStateException ex) {
				// released meanwhile (a signal after the request completed): not bound
			}
		}
		bindings.get().add(new Entry(pin, binding));
	}

	@Override
	public void setValue() {
		bindings.get().add(new Entry(null, null));
	}

	@Override
	public void restore(ViewPin previous) {
		unbind();
	}

	@Override
	public void restore() {
		unbind();
	}

	private static void unbind() {
		List<Entry> stack = bindings.get();
		if (stack.isEmpty()) {
			bindings.remove();
			return;
		}
		ZyncoViews.Binding binding = stack.remove(stack.size() - 1).binding;
		if (binding != null) {
			binding.close();
		}
		if (stack.isEmpty()) {
			bindings.remove();
		}
	}

	/** A value set on a thread: the pin (null: cleared) and its binding (null: not bound). */
	private record Entry(ViewPin pin, ZyncoViews.Binding binding) {
	}

}
