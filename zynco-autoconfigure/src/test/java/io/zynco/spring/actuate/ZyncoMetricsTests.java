package io.zynco.spring.actuate;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.zynco.replication.RejectedInputCounter;
import io.zynco.replication.ZyncoNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code zynco.*} meters of {@link ZyncoMetrics} on a real single node. */
class ZyncoMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private ZyncoNode node;

	private RejectedInputCounter rejectedInput;

	@BeforeEach
	void bind() throws Exception {
		this.node = TestNodes.start((builder) -> {
		});
		this.rejectedInput = this.node.rejectedInput();
		new ZyncoMetrics(this.node, Tags.of("app", "fares")).bindTo(this.registry);
	}

	@AfterEach
	void closeNode() {
		this.node.close();
		this.registry.close();
	}

	@Test
	void registersEveryDocumentedMeterWithItsDescriptionAndUnit() {
		for (ZyncoMeters meter : ZyncoMeters.values()) {
			if (meter == ZyncoMeters.INPUT_REJECTED) {
				continue;
			}
			List<Meter> meters = List.copyOf(this.registry.find(meter.meterName()).meters());
			assertThat(meters).as(meter.meterName()).isNotEmpty().allSatisfy((registered) -> {
				assertThat(registered.getId().getDescription()).isEqualTo(meter.description());
				assertThat(registered.getId().getBaseUnit()).isEqualTo(meter.baseUnit());
				assertThat(registered.getId().getTag("app")).isEqualTo("fares");
				meter.tags().forEach((tag) -> assertThat(registered.getId().getTag(tag)).isNotNull());
			});
		}
	}

	@Test
	void countsPublishedVersionsAndSwitches() throws Exception {
		TestNodes.publish(this.node, "LHR-JFK", "420");
		assertThat(this.registry.get("zynco.versions.published").functionCounter().count()).isEqualTo(1);
		assertThat(this.registry.get("zynco.switches").functionCounter().count())
			.isEqualTo(this.node.stats().switches())
			.isPositive();
		assertThat(this.registry.get("zynco.bytes.sent").tag("kind", "payload").functionCounter().count())
			.isEqualTo(this.node.stats().payloadBytesSent());
		assertThat(this.registry.get("zynco.state.version").tag("state", "fares").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("zynco.state.version").tag("state", "rules").gauge().value()).isZero();
		assertThat(this.registry.get("zynco.state.versions").tag("state", "fares").gauge().value()).isEqualTo(2);
		assertThat(this.registry.get("zynco.state.heap").tag("state", "fares").gauge().value())
			.isEqualTo(this.node.state("fares").chain().heapBytes());
		// a coordinator alone has nobody to send its publish to: nothing is encoded
		assertThat(this.registry.get("zynco.deltas.encoded").functionCounter().count()).isZero()
			.isEqualTo(this.node.stats().deltasEncoded());
	}

	@Test
	void timesEachSwitchTheNodeCoordinates() throws Exception {
		TestNodes.publish(this.node, "LHR-JFK", "420");
		TestNodes.publish(this.node, "LHR-JFK", "430");
		Timer timer = this.registry.get("zynco.switch.duration").tag("app", "fares").timer();
		assertThat(timer.count()).isEqualTo(2);
		assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive()
			.isLessThanOrEqualTo(this.node.stats().switchNanos());
	}

	@Test
	void gaugesMembersAndReadiness() {
		assertThat(this.registry.get("zynco.members").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("zynco.ready").gauge().value()).isEqualTo(this.node.isReady() ? 1 : 0);
	}

	@Test
	void registersACounterForEachReasonOfRejectedInputWhenItFirstOccurs() {
		assertThat(this.registry.find("zynco.input.rejected").meters()).isEmpty();
		this.rejectedInput.reject("data", "bad-magic", "test");
		this.rejectedInput.reject("data", "bad-magic", "test");
		this.rejectedInput.reject("control", "bad-mac", "test");
		assertThat(this.registry.get("zynco.input.rejected").tags("channel", "data", "reason", "bad-magic")
			.functionCounter()
			.count()).isEqualTo(2);
		assertThat(this.registry.get("zynco.input.rejected").tags("channel", "control", "reason", "bad-mac")
			.functionCounter()
			.count()).isEqualTo(1);
	}

	@Test
	void aRegistryBoundLaterSeesReasonsThatOccurredBefore() {
		this.rejectedInput.reject("data", "replayed", "test");
		SimpleMeterRegistry later = new SimpleMeterRegistry();
		new ZyncoMetrics(this.node, Tags.empty()).bindTo(later);
		assertThat(later.get("zynco.input.rejected").tags("channel", "data", "reason", "replayed")
			.functionCounter()
			.count()).isEqualTo(1);
		later.close();
	}

}
