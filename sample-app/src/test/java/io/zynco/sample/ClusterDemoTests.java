package io.zynco.sample;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterDemoTests {

	@Test
	void threeNodesLoadSwitchAndRollBackWithoutAnInconsistentRead() throws Exception {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		ClusterDemo demo = new ClusterDemo(new PrintStream(buffer, true, StandardCharsets.UTF_8), 20_000,
				"zynco-demo-test", 45_950 + (int) (ProcessHandle.current().pid() % 40));
		try {
			ClusterDemo.Summary summary = demo.run();
			assertThat(summary.errors()).isZero();
			assertThat(summary.reads()).isPositive();
			assertThat(summary.roots()).containsOnly(summary.roots()[0]);
			assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("rolled back to v1 on all nodes")
				.contains("inconsistent reads or errors: 0");
		}
		finally {
			demo.close();
		}
	}

}
