package io.zynco.spring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.config.Scope;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.type.MethodMetadata;

import io.zynco.replication.ClusterView;
import io.zynco.replication.ReplicatedState;
import io.zynco.replication.ZyncoNode;
import io.zynco.state.StateType;
import io.zynco.state.StateView;
import io.zynco.state.Yield;
import io.zynco.version.Version;

/**
 * The {@code zynco} scope behind {@link ZyncoState @ZyncoState}: one instance of a bean per
 * version of the states it is built from.
 *
 * <h2>Routing</h2> {@link #get} returns the instance for the view the calling thread sees
 * ({@link ZyncoViews#current()}): the pinned view, or the active one. Instances are keyed by
 * the bean and the version numbers of <em>its</em> states only, so a bean built from
 * {@code fares} is shared by every view with the same version of {@code fares}, whatever the
 * other states. The first lookup per bean and view goes through a registry; later ones hit a
 * per-view cache (a thread-local read and a map lookup).
 *
 * <h2>Building</h2> The switch participant builds every {@code zynco} bean for the view being
 * prepared, on the preparing thread, before the node answers PREPARED; the lifecycle has it
 * build the first view before the node starts. An instance missing for the view a thread
 * sees (a view activated without a prepare) is built on the thread that asks. While a bean is built, constructor and field injection of
 * {@code StateView<K, V>} and {@link ClusterView} resolve against the view it is built for.
 *
 * <h2>Destruction</h2> An instance is in use while the active view, a view being prepared, or
 * a retired view still holding pins uses it. An instance no longer in use is destroyed (its
 * destruction callbacks run, on a Zynco cleaner thread) at once if it never served (built for
 * a switch that was aborted) or if {@code retainInactive} is off; otherwise once one of its
 * versions has left its state's window. A retired view is closed for good when its last pin
 * is released, so a request arriving during a switch either pins the view in time or pins the
 * next one: it never reaches a destroyed instance. Code that calls a proxy without a pin uses
 * the active view at the time of each call; an instance it is using may be destroyed under it
 * when the view retires (promptly only with {@code retainInactive} off).
 *
 * <p>Registered by a {@code static @Bean} (it is a {@link BeanFactoryPostProcessor}); it
 * also wraps the bean factory's autowire candidate resolver so that {@code StateView<K, V>}
 * and {@code ClusterView} injection points resolve against the view being built. Thread-safe.
 */
public class ZyncoStateScope implements Scope, BeanFactoryPostProcessor, DisposableBean, Ordered {

	/** The scope's name. */
	public static final String NAME = "zynco";

	private static final Log logger = LogFactory.getLog(ZyncoStateScope.class);

	private static final String TARGET_PREFIX = "scopedTarget.";

	private volatile ConfigurableListableBeanFactory beanFactory;

	/** Beans of this scope by (target) bean name, in definition order; states resolved on attach. */
	private final Map<String, BeanMeta> beans = new LinkedHashMap<>();

	private final Map<InstanceKey, Instance> instances = new ConcurrentHashMap<>();

	private final ThreadLocal<Deque<BuildFrame>> frames = ThreadLocal.withInitial(ArrayDeque::new);

	private final Object sweepLock = new Object();

	/**
	 * Ticks on every instance creation and use. A sweep only destroys instances last touched
	 * before it read the live views, so an instance built or reused for a view that became live
	 * during the sweep is never destroyed under a reader.
	 */
	private final java.util.concurrent.atomic.AtomicLong epoch = new java.util.concurrent.atomic.AtomicLong();

	private final AtomicBoolean sweepRequested = new AtomicBoolean();

	private volatile ZyncoViews views;

	private volatile boolean retainInactive = true;

	private volatile boolean closed;

	private ExecutorService cleaner;

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	// ================================================================ registration

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
		this.beanFactory = beanFactory;
		beanFactory.registerScope(NAME, this);
		for (String name : beanFactory.getBeanDefinitionNames()) {
			BeanDefinition definition = beanFactory.getBeanDefinition(name);
			if (NAME.equals(definition.getScope())) {
				this.beans.put(name, new BeanMeta(name, declaredStates(definition)));
			}
		}
		if (beanFactory instanceof DefaultListableBeanFactory factory) {
			AutowireCandidateResolver resolver = factory.getAutowireCandidateResolver();
			if (!(resolver instanceof ZyncoAutowireCandidateResolver)) {
				factory.setAutowireCandidateResolver(new ZyncoAutowireCandidateResolver(resolver, this));
			}
		}
		else {
			logger.warn("Zynco: " + beanFactory.getClass().getName() + " is no DefaultListableBeanFactory: @ZyncoState "
					+ "beans cannot have StateView or ClusterView injected");
		}
	}

	private static String[] declaredStates(BeanDefinition definition) {
		if (definition instanceof AnnotatedBeanDefinition annotated) {
			MethodMetadata factoryMethod = annotated.getFactoryMethodMetadata();
			MergedAnnotation<ZyncoState> annotation = (factoryMethod != null)
					? factoryMethod.getAnnotations().get(ZyncoState.class)
					: annotated.getMetadata().getAnnotations().get(ZyncoState.class);
			if (annotation.isPresent()) {
				return annotation.getStringArray("states");
			}
		}
		// @Scope("zynco") without @ZyncoState: built from every state
		return new String[0];
	}

	// ================================================================ attach to a node

	/**
	 * Connects the scope to a node's views and resolves and checks the states of every bean.
	 * Idempotent for the same views.
	 * @throws InvalidZyncoConfigurationException if a bean names a state the node does not have
	 */
	public void attach(ZyncoViews views, boolean retainInactive) {
		synchronized (this.beans) {
			this.retainInactive = retainInactive;
			if (this.views == views) {
				return;
			}
			if (this.views != null) {
				throw new IllegalStateException("the zynco scope is attached to " + this.views.node().config().name());
			}
			List<String> registered = new ArrayList<>();
			views.node().states().forEach((state) -> registered.add(state.name()));
			for (BeanMeta meta : this.beans.values()) {
				meta.resolve(registered);
			}
			views.onRetiredViewReleased(this::requestSweep);
			this.views = views;
		}
	}

	/** Bean names of the scope's beans, for building them all. */
	List<String> beanNames() {
		return new ArrayList<>(this.beans.keySet());
	}

	/**
	 * Builds every bean of the scope for a view (those whose states did not change are reused).
	 * Called with the view bound to the thread.
	 */
	void buildAll(ViewRef ref) {
		ZyncoViews views = requireViews();
		ZyncoViews.Binding binding = views.bindForBuild(ref);
		try {
			for (String name : this.beans.keySet()) {
				this.beanFactory.getBean(name);
			}
		}
		finally {
			binding.close();
		}
	}

	// ================================================================ Scope

	@Override
	public Object get(String name, ObjectFactory<?> objectFactory) {
		ViewRef ref = requireViews().currentRef();
		Object bean = ref.instances.get(name);
		if (bean != null) {
			return bean;
		}
		BeanMeta meta = meta(name);
		InstanceKey key = meta.keyFor(ref.view);
		for (;;) {
			Instance instance = this.instances.computeIfAbsent(key, (k) -> new Instance(k, meta));
			bean = instance.getOrCreate(objectFactory, ref.view);
			if (bean != null) {
				ref.instances.putIfAbsent(name, bean);
				return bean;
			}
			// destroyed between lookup and use: build anew
			this.instances.remove(key, instance);
		}
	}

	@Override
	public Object remove(String name) {
		ViewRef ref = requireViews().currentRef();
		InstanceKey key = meta(name).keyFor(ref.view);
		Instance instance = this.instances.remove(key);
		ref.instances.remove(name);
		return (instance != null) ? instance.detach() : null;
	}

	@Override
	public void registerDestructionCallback(String name, Runnable callback) {
		for (BuildFrame frame : this.frames.get()) {
			if (frame.beanName.equals(name)) {
				frame.destruction = callback;
				return;
			}
		}
		logger.warn("Zynco: a destruction callback for '" + name + "' was registered outside its creation; ignored");
	}

	@Override
	public Object resolveContextualObject(String key) {
		return null;
	}

	@Override
	public String getConversationId() {
		ZyncoViews views = this.views;
		return (views != null) ? NAME + ":" + views.current().label() : null;
	}

	// ================================================================ injection while building

	/** The view of the bean being built on this thread (its states only). */
	Object resolveClusterView(DependencyDescriptor descriptor) {
		BuildFrame frame = this.frames.get().peek();
		if (frame == null) {
			if (!descriptor.isRequired()) {
				return null;
			}
			throw new IllegalStateException("a ClusterView is injected only into @ZyncoState beans, while they are "
					+ "built; elsewhere inject ZyncoViews and call current()");
		}
		return frame.view;
	}

	/**
	 * The view of one of the states of the bean being built on this thread: the one state of
	 * the requested key and value types among the bean's states, or, when several have them,
	 * the one named by {@code @Qualifier} or by the parameter (state or {@code StateType}
	 * bean name).
	 */
	Object resolveStateView(DependencyDescriptor descriptor) {
		BuildFrame frame = this.frames.get().peek();
		if (frame == null) {
			if (!descriptor.isRequired()) {
				return null;
			}
			throw new IllegalStateException("a StateView is injected only into @ZyncoState beans, while they are "
					+ "built; elsewhere inject ZyncoViews and call view(stateType)");
		}
		ResolvableType wanted = descriptor.getResolvableType().as(StateView.class);
		ResolvableType typeOfState = (wanted.hasGenerics() && !wanted.hasUnresolvableGenerics())
				? ResolvableType.forClassWithGenerics(StateType.class, wanted.getGenerics())
				: ResolvableType.forClass(StateType.class);
		Map<String, StateType<?, ?>> own = new LinkedHashMap<>();
		List<String> others = new ArrayList<>();
		for (String name : this.beanFactory.getBeanNamesForType(typeOfState)) {
			StateType<?, ?> type = this.beanFactory.getBean(name, StateType.class);
			if (frame.states.contains(type.name())) {
				own.put(name, type);
			}
			else {
				others.add(type.name());
			}
		}
		String bean = displayName(frame.beanName);
		if (own.isEmpty()) {
			if (!others.isEmpty()) {
				throw InvalidZyncoConfigurationException.of("@ZyncoState bean '" + bean + "' injects the view of "
						+ "state " + String.join(" or ", others) + " but is built only from " + frame.states
						+ ", so it would not be rebuilt when that state switches",
						"Add the state to the states of its @ZyncoState annotation.");
			}
			throw InvalidZyncoConfigurationException.of("@ZyncoState bean '" + bean + "' injects a " + wanted
					+ " but no StateType bean has those types", "Declare a @Bean " + typeOfState
							+ " for the state, or correct the types of the injection point.");
		}
		if (own.size() == 1) {
			return frame.view.view(own.values().iterator().next());
		}
		String wantedName = qualifier(descriptor);
		for (Map.Entry<String, StateType<?, ?>> entry : own.entrySet()) {
			if (entry.getKey().equals(wantedName) || entry.getValue().name().equals(wantedName)) {
				return frame.view.view(entry.getValue());
			}
		}
		List<String> candidates = new ArrayList<>();
		own.values().forEach((type) -> candidates.add(type.name()));
		throw InvalidZyncoConfigurationException.of("@ZyncoState bean '" + bean + "' injects a " + wanted
				+ " and is built from several states of those types: " + candidates, "Name the parameter or field "
						+ "after the state, or qualify it with @Qualifier(\"<state name>\").");
	}

	private static String qualifier(DependencyDescriptor descriptor) {
		for (java.lang.annotation.Annotation annotation : descriptor.getAnnotations()) {
			if (annotation instanceof Qualifier qualifier && !qualifier.value().isEmpty()) {
				return qualifier.value();
			}
		}
		return descriptor.getDependencyName();
	}

	// ================================================================ destruction

	/** Marks the instances of a view that became active as served (kept for rollbacks). */
	void markServed(ViewRef ref) {
		if (this.views == null) {
			return;
		}
		for (BeanMeta meta : this.beans.values()) {
			Instance instance = this.instances.get(meta.keyFor(ref.view));
			if (instance != null) {
				instance.served = true;
			}
		}
	}

	/** Asks for a sweep on the cleaner thread; coalesces requests. */
	void requestSweep() {
		if (this.closed || !this.sweepRequested.compareAndSet(false, true)) {
			return;
		}
		try {
			cleaner().execute(() -> {
				this.sweepRequested.set(false);
				try {
					sweep();
				}
				catch (RuntimeException ex) {
					logger.error("Zynco: sweeping @ZyncoState instances failed", ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.sweepRequested.set(false);
		}
	}

	/** Destroys the instances no longer in use; see the class comment for the rule. */
	void sweep() {
		ZyncoViews views = this.views;
		if (views == null) {
			return;
		}
		List<Instance> doomed = new ArrayList<>();
		synchronized (this.sweepLock) {
			long horizon = this.epoch.get();
			List<ViewRef> live = views.liveRefs();
			Set<InstanceKey> inUse = new HashSet<>();
			for (ViewRef ref : live) {
				for (BeanMeta meta : this.beans.values()) {
					inUse.add(meta.keyFor(ref.view));
				}
			}
			markServed(views.activeRef());
			for (Iterator<Instance> it = this.instances.values().iterator(); it.hasNext();) {
				Instance instance = it.next();
				if (inUse.contains(instance.key)) {
					continue;
				}
				if (this.retainInactive && instance.served && inWindow(views.node(), instance)) {
					continue;
				}
				if (!instance.doom(horizon)) {
					continue; // built or used since this sweep read the live views
				}
				it.remove();
				doomed.add(instance);
			}
		}
		doomed.forEach(Instance::runDestruction);
	}

	private static boolean inWindow(ZyncoNode node, Instance instance) {
		List<String> states = instance.meta.states;
		for (int i = 0; i < states.size(); i++) {
			ReplicatedState<?, ?> state = node.state(states.get(i));
			if (!state.chain().contains(instance.key.versions[i])) {
				return false;
			}
		}
		return true;
	}

	/** Destroys every instance: the context is closing. */
	@Override
	public void destroy() {
		this.closed = true;
		synchronized (this) {
			if (this.cleaner != null) {
				this.cleaner.shutdownNow();
			}
		}
		List<Instance> all;
		synchronized (this.sweepLock) {
			all = new ArrayList<>(this.instances.values());
			this.instances.clear();
		}
		all.forEach(Instance::destroy);
	}

	/** Number of instances alive per bean (by target bean name), for operators. */
	public Map<String, Integer> instanceCounts() {
		Map<String, Integer> counts = new LinkedHashMap<>();
		this.beans.keySet().forEach((name) -> counts.put(name, 0));
		this.instances.keySet().forEach((key) -> counts.merge(key.bean, 1, Integer::sum));
		return counts;
	}

	private synchronized ExecutorService cleaner() {
		if (this.cleaner == null) {
			String node = (this.views != null) ? this.views.node().config().name() : "zynco";
			this.cleaner = Executors.newSingleThreadExecutor(Yield.backgroundThreads("zynco-scope-" + node));
		}
		return this.cleaner;
	}

	private ZyncoViews requireViews() {
		if (this.closed) {
			throw new IllegalStateException("the zynco scope is closed (the application context is closing)");
		}
		ZyncoViews views = this.views;
		if (views == null) {
			// a zynco bean is used before the node's lifecycle started (from a singleton's constructor)
			BeanFactory factory = this.beanFactory;
			if (factory == null) {
				throw new IllegalStateException("the zynco scope is not registered with a bean factory");
			}
			attach(factory.getBean(ZyncoViews.class), this.retainInactive);
			views = this.views;
		}
		return views;
	}

	private BeanMeta meta(String name) {
		BeanMeta meta = this.beans.get(name);
		if (meta == null) {
			throw new IllegalStateException("bean '" + name + "' was added to the zynco scope after the context "
					+ "started; declare @ZyncoState beans before the context is refreshed");
		}
		if (meta.states == null) {
			throw new IllegalStateException("the zynco scope is not attached to a node yet");
		}
		return meta;
	}

	private static String displayName(String beanName) {
		return beanName.startsWith(TARGET_PREFIX) ? beanName.substring(TARGET_PREFIX.length()) : beanName;
	}

	// ================================================================ records

	/** A bean of the scope and the states it is built from. */
	private static final class BeanMeta {

		final String name;

		final String[] declared;

		/** Resolved on attach: the declared states, or every registered one. */
		volatile List<String> states;

		BeanMeta(String name, String[] declared) {
			this.name = name;
			this.declared = declared;
		}

		void resolve(List<String> registered) {
			if (this.declared.length == 0) {
				this.states = List.copyOf(registered);
				return;
			}
			Set<String> states = new LinkedHashSet<>(Arrays.asList(this.declared));
			for (String state : states) {
				if (!registered.contains(state)) {
					throw InvalidZyncoConfigurationException.of("@ZyncoState bean '" + displayName(this.name)
							+ "' is built from state '" + state + "', but no StateType bean declares it (declared: "
							+ registered + ")", "Declare a @Bean StateType<K, V> named '" + state
									+ "' (StateType.of(\"" + state + "\", keyCodec, valueCodec)), or correct the name.");
				}
			}
			this.states = List.copyOf(states);
		}

		InstanceKey keyFor(ClusterView view) {
			List<String> states = this.states;
			long[] versions = new long[states.size()];
			for (int i = 0; i < versions.length; i++) {
				Version version = view.version(states.get(i));
				versions[i] = (version != null) ? version.number() : -1;
			}
			return new InstanceKey(this.name, versions);
		}

		/** The view an instance is built from: only its states. */
		ClusterView restrict(ClusterView view) {
			if (this.declared.length == 0) {
				return view;
			}
			Map<String, Version> own = new LinkedHashMap<>();
			for (String state : this.states) {
				Version version = view.version(state);
				if (version != null) {
					own.put(state, version);
				}
			}
			return ClusterView.EMPTY.with(view.switchId(), own);
		}

	}

	/** A bean and the versions of its states. */
	private static final class InstanceKey {

		final String bean;

		final long[] versions;

		private final int hash;

		InstanceKey(String bean, long[] versions) {
			this.bean = bean;
			this.versions = versions;
			this.hash = 31 * bean.hashCode() + Arrays.hashCode(versions);
		}

		@Override
		public boolean equals(Object obj) {
			return obj instanceof InstanceKey other && other.hash == this.hash && other.bean.equals(this.bean)
					&& Arrays.equals(other.versions, this.versions);
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

		@Override
		public String toString() {
			return displayName(this.bean) + Arrays.toString(this.versions);
		}

	}

	/** What a thread is building: the bean, its view, and the destruction callback it registered. */
	private static final class BuildFrame {

		final String beanName;

		final ClusterView view;

		final Set<String> states;

		Runnable destruction;

		BuildFrame(String beanName, ClusterView view, List<String> states) {
			this.beanName = beanName;
			this.view = view;
			this.states = Collections.unmodifiableSet(new LinkedHashSet<>(states));
		}

	}

	/** One instance of a bean for one version of its states. Guarded by its own monitor. */
	private final class Instance {

		final InstanceKey key;

		final BeanMeta meta;

		private Object bean;

		private Runnable destruction;

		private boolean destroyed;

		volatile boolean served;

		private long touched;

		private Runnable doomedCallback;

		Instance(InstanceKey key, BeanMeta meta) {
			this.key = key;
			this.meta = meta;
			this.touched = ZyncoStateScope.this.epoch.incrementAndGet();
		}

		/** The instance, built on this thread if needed; {@code null} if it was destroyed. */
		synchronized Object getOrCreate(ObjectFactory<?> factory, ClusterView view) {
			if (this.destroyed) {
				return null;
			}
			this.touched = ZyncoStateScope.this.epoch.incrementAndGet();
			if (this.bean == null) {
				Deque<BuildFrame> stack = ZyncoStateScope.this.frames.get();
				BuildFrame frame = new BuildFrame(this.meta.name, this.meta.restrict(view), this.meta.states);
				stack.push(frame);
				try {
					this.bean = factory.getObject();
					this.destruction = frame.destruction;
				}
				catch (RuntimeException | Error ex) {
					this.destroyed = true;
					ZyncoStateScope.this.instances.remove(this.key, this);
					throw ex;
				}
				finally {
					stack.pop();
				}
				if (logger.isDebugEnabled()) {
					logger.debug("Zynco: built " + this.key + " for " + view.label());
				}
			}
			return this.bean;
		}

		synchronized Object detach() {
			this.destroyed = true;
			Object detached = this.bean;
			this.bean = null;
			this.destruction = null;
			return detached;
		}

		/**
		 * Marks the instance destroyed unless it was touched after {@code horizon}; its
		 * destruction callback runs later, outside the scope's locks.
		 * @return whether it is doomed now (false: still in use, or destroyed already)
		 */
		synchronized boolean doom(long horizon) {
			if (this.destroyed || this.touched > horizon) {
				return false;
			}
			this.destroyed = true;
			this.doomedCallback = this.destruction;
			this.bean = null;
			this.destruction = null;
			return true;
		}

		void runDestruction() {
			Runnable callback;
			synchronized (this) {
				callback = this.doomedCallback;
				this.doomedCallback = null;
			}
			runCallback(callback);
		}

		void destroy() {
			Runnable callback;
			synchronized (this) {
				if (this.destroyed) {
					return;
				}
				this.destroyed = true;
				callback = this.destruction;
				this.bean = null;
				this.destruction = null;
			}
			runCallback(callback);
		}

		private void runCallback(Runnable callback) {
			if (callback == null) {
				return;
			}
			try {
				callback.run();
				if (logger.isDebugEnabled()) {
					logger.debug("Zynco: destroyed " + this.key);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Zynco: destroying @ZyncoState instance " + this.key + " failed", ex);
			}
		}

	}

}
