package io.zynco.spring.web;

import java.io.IOException;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.util.StringUtils;
import org.springframework.web.filter.OncePerRequestFilter;

import io.zynco.spring.ViewPin;
import io.zynco.spring.ZyncoViews;

/**
 * Pins every request, on arrival, to the view active at that moment, and releases the pin
 * when the request ends: within the request every {@code @ZyncoState} proxy and every
 * {@link ZyncoViews#current()} sees one version of each state, across a switch.
 *
 * <p>Ordered first ({@link Ordered#HIGHEST_PRECEDENCE}), so that other filters see the pinned
 * view too. An async request keeps its pin across dispatches (the filter binds it again on
 * each {@code ASYNC} dispatch) and releases it when the async cycle completes, times out or
 * fails ({@link AsyncListener#onComplete}); an {@code ERROR} dispatch while the pin is held
 * uses it too. Sets a response header (by default {@code Zynco-Versions: fares@12,rules@3})
 * naming the versions served. Thread-safe.
 */
public class ZyncoRoutingFilter extends OncePerRequestFilter implements Ordered {

	/** Request attribute holding the request's pin. */
	public static final String PIN_ATTRIBUTE = ZyncoRoutingFilter.class.getName() + ".PIN";

	/** Default name of the response header. */
	public static final String DEFAULT_HEADER = "Zynco-Versions";

	private final ZyncoViews views;

	private final String header;

	private int order = Ordered.HIGHEST_PRECEDENCE;

	/**
	 * @param header name of the response header naming the versions served, or {@code null}
	 * or empty for none
	 */
	public ZyncoRoutingFilter(ZyncoViews views, String header) {
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
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	@Override
	protected boolean shouldNotFilterErrorDispatch() {
		return false;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		RequestPin held = (request.getAttribute(PIN_ATTRIBUTE) instanceof RequestPin pin && !pin.isReleased()) ? pin
				: null;
		boolean owner = held == null;
		if (owner) {
			held = new RequestPin(this.views.acquire());
			request.setAttribute(PIN_ATTRIBUTE, held);
			if (this.header != null && !response.isCommitted()) {
				response.setHeader(this.header, held.pin.label());
			}
		}
		ZyncoViews.Binding binding = this.views.bind(held.pin);
		try {
			chain.doFilter(request, response);
		}
		finally {
			binding.close();
			if (request.isAsyncStarted()) {
				held.listenTo(request);
			}
			else {
				// the request, or its last async dispatch, is over (completion may follow: idempotent)
				held.release();
			}
		}
	}

	/** A request's pin: released once, when the request ends. */
	private static final class RequestPin implements AsyncListener {

		final ViewPin pin;

		volatile boolean listening;

		RequestPin(ViewPin pin) {
			this.pin = pin;
		}

		boolean isReleased() {
			return this.pin.isReleased();
		}

		void listenTo(HttpServletRequest request) {
			if (!this.listening) {
				this.listening = true;
				request.getAsyncContext().addListener(this);
			}
		}

		void release() {
			this.pin.close();
		}

		@Override
		public void onComplete(AsyncEvent event) {
			release();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			// an error dispatch or completion follows; release on completion
		}

		@Override
		public void onError(AsyncEvent event) {
			// completion follows
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			// async restarted in a later dispatch: listeners must register with the new cycle
			event.getAsyncContext().addListener(this);
		}

	}

}
