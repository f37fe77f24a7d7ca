package io.zynco.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.zynco.replication.ClusterView;
import io.zynco.replication.NodeConfig;
import io.zynco.replication.ZyncoNode;

import static io.zynco.spring.TestStates.FARES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins, bindings and view retirement, driven directly (the node is never started: views are
 * activated by hand, as the switch participant does).
 */
class ZyncoViewsTests {

	private final ZyncoNode node = ZyncoNode.create(NodeConfig.builder()
		.packetSecurity(NodeConfig.PacketSecurity.NONE)
		.build());

	private final ZyncoViews views;

	private final AtomicInteger releases = new AtomicInteger();

	ZyncoViewsTests() {
		this.node.register(FARES);
		this.views = new ZyncoViews(this.node);
		this.views.onRetiredViewReleased(this.releases::incrementAndGet);
	}

	@AfterEach
	void close() {
		this.node.close();
	}

	private ClusterView next(long switchId) {
		return this.views.active().with(switchId, this.views.active().versions());
	}

	@Test
	void unpinnedThreadsSeeTheActiveViewAndPinnedOnesTheirPin() {
		ClusterView first = this.views.active();
		assertThat(this.views.isPinned()).isFalse();
		try (ViewPin pin = this.views.pin()) {
			assertThat(pin.view()).isSameAs(first);
			ClusterView second = next(1);
			this.views.activate(second);
			assertThat(this.views.current()).isSameAs(first);
			assertThat(this.views.active()).isSameAs(second);
			assertThat(CompletableFuture.supplyAsync(this.views::current).join()).isSameAs(second);
		}
		assertThat(this.views.current()).isSameAs(this.views.active());
	}

	@Test
	void aRetiredViewClosesWhenItsLastPinIsReleasedAndIsNeverPinnedAgain() {
		ViewRef first = this.views.activeRef();
		ViewPin a = this.views.acquire();
		ViewPin b = this.views.acquire();
		this.views.activate(next(1));
		assertThat(this.views.liveRefs()).contains(first);
		a.close();
		a.close();
		assertThat(this.releases).hasValue(0);
		assertThat(this.views.liveRefs()).contains(first);
		CompletableFuture.runAsync(b::close).join();
		assertThat(this.releases).hasValue(1);
		assertThat(this.views.liveRefs()).containsExactly(this.views.activeRef());
		assertThat(first.isClosed()).isTrue();
		assertThat(first.tryAcquire()).isFalse();
	}

	@Test
	void preparingViewsAreInUseUntilCommittedOrAborted() {
		ClusterView aborted = next(1);
		ViewRef preparing = this.views.beginPrepare(aborted);
		assertThat(this.views.liveRefs()).contains(preparing);
		this.views.abortPrepare(aborted);
		assertThat(this.views.liveRefs()).doesNotContain(preparing);
		ClusterView committed = next(2);
		ViewRef next = this.views.beginPrepare(committed);
		this.views.activate(committed);
		assertThat(this.views.activeRef()).isSameAs(next);
	}

	@Test
	void aBoundPinIsClosedOnItsThread() {
		ViewPin pin = this.views.pin();
		assertThatThrownBy(() -> CompletableFuture.runAsync(pin::close).join()).cause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("closed on the thread that made it");
		pin.close();
		assertThat(this.views.isPinned()).isFalse();
	}

	@Test
	void bindingAnAcquiredPinDoesNotReleaseIt() {
		ViewPin pin = this.views.acquire();
		try (ZyncoViews.Binding binding = this.views.bind(pin)) {
			assertThat(binding.view()).isSameAs(pin.view());
			assertThat(this.views.isPinned()).isTrue();
		}
		assertThat(this.views.isPinned()).isFalse();
		assertThat(pin.isReleased()).isFalse();
		pin.close();
		assertThatIllegalStateException().isThrownBy(() -> this.views.bind(pin)).withMessageContaining("was released");
	}

	@Test
	void aWrappedTaskHoldsItsOwnPinUntilItHasRun() {
		ViewRef first = this.views.activeRef();
		List<ClusterView> seen = new ArrayList<>();
		Runnable task;
		try (ViewPin pin = this.views.pin()) {
			task = this.views.wrap(() -> {
				seen.add(this.views.current());
			});
			assertThat(pin.view()).isSameAs(first.view);
		}
		this.views.activate(next(1));
		assertThat(first.pins()).isEqualTo(1);
		CompletableFuture.runAsync(task).join();
		assertThat(seen).containsExactly(first.view);
		assertThat(first.pins()).isZero();
		assertThat(this.releases).hasValue(1);
	}

	@Test
	void aTaskWrappedOnAnUnpinnedThreadIsUnchanged() {
		Runnable task = () -> {
		};
		assertThat(this.views.wrap(task)).isSameAs(task);
	}

}
