package io.zynco.spring;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.state.StateType;
import io.zynco.state.StateView;

/**
 * Which view code sees, and the small API to hold one: the application's entry point to the
 * versions a node serves.
 *
 * <ul>
 * <li>Code on a thread with a bound pin sees the pinned view: within a web request that is the
 * view active when the request arrived (the routing filter pins it), so every read of the
 * request, and every call to a {@code @ZyncoState} proxy, reaches one version of each state.
 * <li>Code on any other thread sees the view active at the time of each call: two calls may
 * see two versions. Pin explicitly to read consistently:
 * <pre class="code">
 * try (ViewPin pin = views.pin()) {
 *     Fare fare = fareIndex.find(route);    // both calls see the same version
 *     Rules rules = ruleBook.forFare(fare);
 * }
 * </pre>
 * </ul>
 *
 * <h2>Threads and async work</h2> A binding belongs to one thread. Work handed to another
 * thread does not see the pin unless it is {@linkplain #wrap(Runnable) wrapped}; the
 * auto-configured {@code TaskDecorator} does this for the application task executor (so
 * Spring MVC {@code Callable}s and {@code @Async} methods called within a request see the
 * request's view). A wrapped task holds its own pin until it has run: a task that is never
 * run keeps its view's instances alive.
 *
 * <p>Thread-safe. One instance per node (per application context).
 */
public final class ZyncoViews {

	private final ZyncoNode node;

	private final ThreadLocal<Binding> binding = new ThreadLocal<>();

	private final Object lock = new Object();

	/** The view requests are routed to; lazily taken from the node until the first switch. */
	private volatile ViewRef active;

	/** Views no longer active that pins may still hold. */
	private final Set<ViewRef> retired = ConcurrentHashMap.newKeySet();

	/** Views being prepared, by identity of their {@link ClusterView}. */
	private final Map<ClusterView, ViewRef> preparing = new IdentityHashMap<>();

	private volatile Runnable retiredViewReleased = () -> {
	};

	public ZyncoViews(ZyncoNode node) {
		this.node = Objects.requireNonNull(node, "node");
	}

	/** The node whose views these are. */
	public ZyncoNode node() {
		return this.node;
	}

	/**
	 * The view this thread sees: the pinned one if a pin is bound to this thread, else the
	 * view active now.
	 */
	public ClusterView current() {
		return currentRef().view;
	}

	/** The view active now, ignoring any pin. */
	public ClusterView active() {
		return activeRef().view;
	}

	/** Whether a pin (or a build) is bound to this thread. */
	public boolean isPinned() {
		return this.binding.get() != null;
	}

	/** A typed view of a state in the {@linkplain #current() current} view. */
	public <K, V> StateView<K, V> view(StateType<K, V> type) {
		return current().view(type);
	}

	/**
	 * The replicated state of a declared type, to publish new versions of it.
	 * @throws IllegalArgumentException if the node registered another type under that name
	 */
	@SuppressWarnings("unchecked")
	public <K, V> ReplicatedState<K, V> state(StateType<K, V> type) {
		ReplicatedState<?, ?> state = this.node.state(type.name());
		StateType<?, ?> registered = state.type();
		if (registered != type && (!registered.keyCodec().equals(type.keyCodec())
				|| !registered.valueCodec().equals(type.valueCodec()) || registered.segmentBits() != type.segmentBits())) {
			throw new IllegalArgumentException("state '" + type.name() + "' is registered as " + registered
					+ " with other codecs than " + type + "; pass the StateType bean the node registered");
		}
		return (ReplicatedState<K, V>) state;
	}

	/**
	 * Pins the current view (the one already pinned on this thread, else the active one) and
	 * binds it to this thread until the pin is closed, which must happen on this thread (use
	 * try-with-resources). Pins nest: an inner pin sees the outer pin's view.
	 */
	public ViewPin pin() {
		Pin pin = new Pin(acquireRef());
		pin.binding = bind(pin.ref);
		return pin;
	}

	/**
	 * Pins the current view without binding it to this thread: the view stays usable (its
	 * instances alive) until the pin is closed, on any thread. Bind it where it is used with
	 * {@link #bind(ViewPin)}. The routing filter holds an async request's view this way.
	 */
	public ViewPin acquire() {
		return new Pin(acquireRef());
	}

	/**
	 * Binds an open pin to this thread, so that code here sees its view, until the returned
	 * binding is closed (on this thread; try-with-resources). Does not release the pin.
	 * @throws IllegalStateException if the pin was released or belongs to another node
	 */
	public Binding bind(ViewPin pin) {
		if (!(pin instanceof Pin own) || own.owner() != this) {
			throw new IllegalStateException("the pin belongs to another node");
		}
		if (own.isReleased()) {
			throw new IllegalStateException("the pin of " + own.view().label() + " was released");
		}
		return bind(own.ref);
	}

	/**
	 * Binds an open pin to this thread with the {@code ZyncoViews} that made it: for code that
	 * holds a pin but not its node's {@code ZyncoViews}, such as the context-propagation
	 * accessor that restores a reactive request's pin on the threads of its chain.
	 * @throws IllegalStateException if the pin was released or was not made by a {@code ZyncoViews}
	 */
	public static Binding bindOwned(ViewPin pin) {
		if (!(pin instanceof ZyncoViews.Pin own)) {
			throw new IllegalStateException("not a pin made by ZyncoViews: " + pin);
		}
		return own.owner().bind(pin);
	}

	/**
	 * A task that runs with this thread's current view: if a pin is bound here, the task holds
	 * its own pin of the same view from now until it has run, and runs with it bound;
	 * otherwise the task is returned as it is and sees the active view when it runs.
	 */
	public Runnable wrap(Runnable task) {
		Objects.requireNonNull(task, "task");
		if (!isPinned()) {
			return task;
		}
		Pin pin = new Pin(acquireRef());
		return () -> {
			Binding binding = bind(pin.ref);
			try {
				task.run();
			}
			finally {
				binding.close();
				pin.close();
			}
		};
	}

	/** {@link #wrap(Runnable)} for a task with a result. */
	public <T> Callable<T> wrap(Callable<T> task) {
		Objects.requireNonNull(task, "task");
		if (!isPinned()) {
			return task;
		}
		Pin pin = new Pin(acquireRef());
		return () -> {
			Binding binding = bind(pin.ref);
			try {
				return task.call();
			}
			finally {
				binding.close();
				pin.close();
			}
		};
	}

	// ------------------------------------------------------------------ for the scope

	/** The view this thread routes to. */
	ViewRef currentRef() {
		Binding b = this.binding.get();
		return (b != null) ? b.ref : activeRef();
	}

	ViewRef activeRef() {
		ViewRef a = this.active;
		if (a == null) {
			synchronized (this.lock) {
				a = this.active;
				if (a == null) {
					a = new ViewRef(this.node.view());
					this.active = a;
				}
			}
		}
		return a;
	}

	/** Binds a view to this thread without a pin: for building instances of a view. */
	Binding bindForBuild(ViewRef ref) {
		return bind(ref);
	}

	/** Starts preparing a view; its instances count as in use until it is committed or aborted. */
	ViewRef beginPrepare(ClusterView next) {
		synchronized (this.lock) {
			ViewRef current = activeRef();
			if (current.view == next) {
				return current;
			}
			return this.preparing.computeIfAbsent(next, ViewRef::new);
		}
	}

	/** The prepared view will not be served. */
	void abortPrepare(ClusterView next) {
		synchronized (this.lock) {
			this.preparing.remove(next);
		}
	}

	/** The node serves {@code current} now: new pins get it; the previous view retires. */
	void activate(ClusterView current) {
		synchronized (this.lock) {
			ViewRef previous = activeRef();
			if (previous.view == current) {
				return;
			}
			ViewRef next = this.preparing.remove(current);
			if (next == null) {
				next = new ViewRef(current);
			}
			// a node prepares one view at a time: any other prepared view was superseded
			this.preparing.clear();
			this.active = next;
			previous.retire();
			this.retired.add(previous);
		}
	}

	/**
	 * The views whose instances are in use: the active one, those being prepared, and the
	 * retired ones still pinned. Retired views without pins are closed here, for good.
	 */
	List<ViewRef> liveRefs() {
		List<ViewRef> live = new ArrayList<>();
		synchronized (this.lock) {
			live.add(activeRef());
			live.addAll(this.preparing.values());
		}
		for (Iterator<ViewRef> it = this.retired.iterator(); it.hasNext();) {
			ViewRef ref = it.next();
			if (ref.isClosed() || ref.tryClose()) {
				it.remove();
			}
			else {
				live.add(ref);
			}
		}
		return live;
	}

	/** Called (on the releasing thread) when the last pin of a retired view is released. */
	void onRetiredViewReleased(Runnable callback) {
		this.retiredViewReleased = Objects.requireNonNull(callback, "callback");
	}

	private ViewRef acquireRef() {
		Binding b = this.binding.get();
		if (b != null && b.ref.tryAcquire()) {
			return b.ref;
		}
		for (;;) {
			ViewRef ref = activeRef();
			if (ref.tryAcquire()) {
				return ref;
			}
			// closed between the read and the pin: it was retired, so a newer one is active
			Thread.onSpinWait();
		}
	}

	private Binding bind(ViewRef ref) {
		Binding b = new Binding(this, ref, this.binding.get());
		this.binding.set(b);
		return b;
	}

	private void release(ViewRef ref) {
		if (ref.release() && ref.isRetired()) {
			this.retiredViewReleased.run();
		}
	}

	/**
	 * A view bound to one thread; closing it restores what was bound before. Close it on the
	 * thread that bound it. Not thread-safe.
	 */
	public static final class Binding implements AutoCloseable {

		private final ZyncoViews owner;

		final ViewRef ref;

		private final Binding previous;

		private final Thread thread = Thread.currentThread();

		private boolean closed;

		private Binding(ZyncoViews owner, ViewRef ref, Binding previous) {
			this.owner = owner;
			this.ref = ref;
			this.previous = previous;
		}

		/** The bound view. */
		public ClusterView view() {
			return this.ref.view;
		}

		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			if (Thread.currentThread() != this.thread) {
				throw new IllegalStateException("a binding is closed on the thread that made it (" + this.thread.getName()
						+ "); release pins on other threads with acquire() and close()");
			}
			this.closed = true;
			this.owner.binding.set(this.previous);
		}

	}

	private final class Pin implements ViewPin {

		final ViewRef ref;

		private final AtomicBoolean released = new AtomicBoolean();

		volatile Binding binding;

		Pin(ViewRef ref) {
			this.ref = ref;
		}

		ZyncoViews owner() {
			return ZyncoViews.this;
		}

		@Override
		public ClusterView view() {
			return this.ref.view;
		}

		@Override
		public String label() {
			return this.ref.label;
		}

		@Override
		public boolean isReleased() {
			return this.released.get();
		}

		@Override
		public void close() {
			Binding b = this.binding;
			if (b != null) {
				b.close();
				this.binding = null;
			}
			if (this.released.compareAndSet(false, true)) {
				release(this.ref);
			}
		}

		@Override
		public String toString() {
			return "ViewPin[" + this.ref.view.label() + (isReleased() ? ", released" : "") + "]";
		}

	}

}
