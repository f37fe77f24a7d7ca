package io.zynco.spring.web;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import io.zynco.replication.ClusterView;
import io.zynco.replication.NodeConfig;
import io.zynco.replication.ZyncoNode;
import io.zynco.spring.ZyncoViews;
import io.zynco.spring.ZyncoViewsAccess;

import static io.zynco.spring.TestStates.FARES;
import static io.zynco.spring.TestStates.RULES;
import static org.assertj.core.api.Assertions.assertThat;

/** The routing filter on mock requests, with views switched by hand. */
class ZyncoRoutingFilterTests {

	private final ZyncoNode node = ZyncoNode.create(NodeConfig.builder()
		.packetSecurity(NodeConfig.PacketSecurity.NONE)
		.build());

	private final ZyncoViews views;

	private final ZyncoRoutingFilter filter;

	private final List<ClusterView> seen = new ArrayList<>();

	ZyncoRoutingFilterTests() {
		this.node.register(FARES);
		this.node.register(RULES);
		this.views = new ZyncoViews(this.node);
		this.filter = new ZyncoRoutingFilter(this.views, ZyncoRoutingFilter.DEFAULT_HEADER);
	}

	@AfterEach
	void close() {
		this.node.close();
	}

	private FilterChain recording(Runnable more) {
		return (request, response) -> {
			this.seen.add(this.views.current());
			assertThat(this.views.isPinned()).isTrue();
			more.run();
		};
	}

	private ClusterView switchView() {
		ClusterView next = this.views.active().with(this.views.active().switchId() + 1, this.views.active().versions());
		ZyncoViewsAccess.activate(this.views, next);
		return next;
	}

	@Test
	void pinsARequestToTheViewAtArrivalAndReleasesItAtTheEnd() throws Exception {
		ClusterView first = this.views.active();
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fares");
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.filter.doFilter(request, response, recording(this::switchView));
		assertThat(this.seen).containsExactly(first);
		assertThat(response.getHeader("Zynco-Versions")).isEqualTo("fares@0,rules@0");
		assertThat(this.views.isPinned()).isFalse();
		assertThat(ZyncoViewsAccess.isInUse(this.views, first)).isFalse();
	}

	@Test
	void anAsyncRequestKeepsItsViewAcrossDispatchesUntilItCompletes() throws Exception {
		ClusterView first = this.views.active();
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fares");
		request.setAsyncSupported(true);
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.filter.doFilter(request, response, recording(() -> request.startAsync()));
		assertThat(this.views.isPinned()).isFalse();
		switchView();
		assertThat(ZyncoViewsAccess.isInUse(this.views, first)).isTrue();
		// the container dispatches the result back through the filter chain
		request.setAsyncStarted(false);
		request.setDispatcherType(DispatcherType.ASYNC);
		this.filter.doFilter(request, response, recording(() -> {
		}));
		assertThat(this.seen).containsExactly(first, first);
		assertThat(ZyncoViewsAccess.isInUse(this.views, first)).isFalse();
	}

	@Test
	void anAsyncRequestCompletedWithoutADispatchReleasesItsView() throws Exception {
		ClusterView first = this.views.active();
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/stream");
		request.setAsyncSupported(true);
		AsyncContext[] async = new AsyncContext[1];
		this.filter.doFilter(request, new MockHttpServletResponse(), recording(() -> async[0] = request.startAsync()));
		switchView();
		assertThat(ZyncoViewsAccess.isInUse(this.views, first)).isTrue();
		async[0].complete();
		assertThat(ZyncoViewsAccess.isInUse(this.views, first)).isFalse();
	}

	@Test
	void anErrorDispatchAfterTheRequestPinsAnew() throws ServletException, java.io.IOException {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fails");
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.filter.doFilter(request, response, recording(() -> {
		}));
		ClusterView second = switchView();
		request.setDispatcherType(DispatcherType.ERROR);
		this.filter.doFilter(request, response, recording(() -> {
		}));
		assertThat(this.seen).hasSize(2).last().isSameAs(second);
	}

	@Test
	void noHeaderWhenItsNameIsEmpty() throws Exception {
		ZyncoRoutingFilter quiet = new ZyncoRoutingFilter(this.views, "");
		MockHttpServletResponse response = new MockHttpServletResponse();
		quiet.doFilter(new MockHttpServletRequest("GET", "/"), response, recording(() -> {
		}));
		assertThat(response.getHeaderNames()).isEmpty();
		assertThat(this.seen).hasSize(1);
	}

	@Test
	void isOrderedFirst() {
		assertThat(this.filter.getOrder()).isEqualTo(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
	}

}
