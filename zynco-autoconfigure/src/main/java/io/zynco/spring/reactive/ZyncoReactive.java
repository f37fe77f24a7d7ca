package io.zynco.spring.reactive;

import reactor.core.publisher.Mono;

import io.zynco.replication.ClusterView;
import io.zynco.spring.ViewPin;

/**
 * The view of a reactive request, from the Reactor {@code Context}: the
 * {@link io.zynco.spring.web.ZyncoWebFilter} puts the request's {@link ViewPin} there under
 * {@link #CONTEXT_KEY}. Reading it from the context works in every reactive chain, whatever
 * thread runs it:
 * <pre class="code">
 * ZyncoReactive.view().map((view) -&gt; view.view(FARES).get(route))
 * </pre>
 * Calls to {@code @ZyncoState} proxies route by {@code ThreadLocal}: in a reactive chain they
 * see the request's view only with automatic context propagation (Micrometer
 * context-propagation on the classpath, which registers {@link ZyncoViewPinAccessor}, and
 * {@code Hooks.enableAutomaticContextPropagation()}, which Spring Boot calls with
 * {@code spring.reactor.context-propagation=auto}); otherwise they see the view active at the
 * time of each call.
 */
public final class ZyncoReactive {

	/** Key of the request's {@link ViewPin} in the Reactor {@code Context}. */
	public static final String CONTEXT_KEY = "io.zynco.spring.ViewPin";

	private ZyncoReactive() {
	}

	/** The pin of the request this chain serves; empty outside a request pinned by the filter. */
	public static Mono<ViewPin> pin() {
		return Mono.deferContextual((context) -> Mono.justOrEmpty(context.<ViewPin>getOrEmpty(CONTEXT_KEY)));
	}

	/** The view of the request this chain serves; empty outside a request pinned by the filter. */
	public static Mono<ClusterView> view() {
		return pin().map(ViewPin::view);
	}

}
