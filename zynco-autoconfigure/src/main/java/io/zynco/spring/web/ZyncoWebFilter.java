package io.zynco.spring.web;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import io.zynco.spring.ViewPin;
import io.zynco.spring.ZyncoViews;
import io.zynco.spring.reactive.ZyncoReactive;

/**
 * The reactive counterpart of {@link ZyncoRoutingFilter}: pins every exchange, on arrival
 * (subscription), to the view active at that moment, puts the pin in the Reactor
 * {@code Context} under {@link ZyncoReactive#CONTEXT_KEY} (and in the exchange attribute
 * {@link #PIN_ATTRIBUTE}), and releases it when the exchange completes, fails or is cancelled.
 * Sets a response header (by default {@code Zynco-Versions: fares@12,rules@3}) naming the
 * versions served, just before the response is committed.
 *
 * <p>Reactive code reads the request's view with {@link ZyncoReactive#view()}.
 * {@code @ZyncoState} proxies route by {@code ThreadLocal}: they see the request's view only
 * with automatic context propagation (see {@link ZyncoReactive}). Ordered first
 * ({@link Ordered#HIGHEST_PRECEDENCE}). Thread-safe.
 */
public class ZyncoWebFilter implements WebFilter, Ordered {

	/** Exchange attribute holding the exchange's pin. */
	public static final String PIN_ATTRIBUTE = ZyncoWebFilter.class.getName() + ".PIN";

	private final ZyncoViews views;

	private final String header;

	private int order = Ordered.HIGHEST_PRECEDENCE;

	/**
	 * @param header name of the response header naming the versions served, or {@code null}
	 * or empty for none
	 */
	public ZyncoWebFilter(ZyncoViews views, String header) {
		this.views = views;
		this.header = StringUtils.hasText(header) ? header : null;
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return Mono.defer(() -> {
			ViewPin pin = this.views.acquire();
			try {
				exchange.getAttributes().put(PIN_ATTRIBUTE, pin);
				if (this.header != null) {
					String label = pin.label();
					ServerHttpResponse response = exchange.getResponse();
					response.beforeCommit(() -> {
						response.getHeaders().set(this.header, label);
						return Mono.empty();
					});
				}
				return chain.filter(exchange)
					.contextWrite(Context.of(ZyncoReactive.CONTEXT_KEY, pin))
					.doFinally((signal) -> pin.close());
			}
			catch (RuntimeException | Error ex) {
				pin.close();
				throw ex;
			}
		});
	}

}
