package io.zynco.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.membership.SimCluster.Mode;
import io.zynco.membership.SimCluster.Node;
import io.zynco.testing.Seeds;

import static io.zynco.membership.SimCluster.MS;
import static io.zynco.membership.SimCluster.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random schedules of crashes, restarts, hangs, partitions and slow links: once the failures
 * stop (partitions heal, hung nodes resume), every running node must agree on the view and the
 * coordinator, over a full mesh, within a bounded time, and stay so.
 */
class MembershipPropertyTests {

	static LongStream seeds() {
		return Seeds.of(150);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void afterFailuresStopAllRunningNodesAgreeOnViewAndCoordinator(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		int size = 3 + random.nextInt(4);
		SimCluster cluster = SimCluster.of(size, seed);
		List<String> schedule = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			cluster.start(i, 0, 1);
			cluster.advance(random.nextLong(300 * MS));
		}
		int steps = 3 + random.nextInt(10);
		for (int step = 0; step < steps; step++) {
			int index = random.nextInt(size);
			switch (random.nextInt(7)) {
				case 0 -> {
					cluster.kill(index);
					schedule.add("kill " + index);
				}
				case 1 -> {
					cluster.restart(index);
					schedule.add("restart " + index);
				}
				case 2 -> {
					cluster.pause(index);
					schedule.add("pause " + index);
				}
				case 3 -> {
					cluster.resume(index);
					schedule.add("resume " + index);
				}
				case 4 -> {
					List<Integer> left = new ArrayList<>();
					List<Integer> right = new ArrayList<>();
					for (int i = 0; i < size; i++) {
						(random.nextBoolean() ? left : right).add(i);
					}
					cluster.partition(left.stream().mapToInt(Integer::intValue).toArray(),
							right.stream().mapToInt(Integer::intValue).toArray());
					schedule.add("partition " + left + " | " + right);
				}
				case 5 -> {
					cluster.heal();
					schedule.add("heal");
				}
				default -> {
					int other = random.nextInt(size);
					long max = 1 + random.nextLong(600 * MS);
					cluster.latency(index, other, random.nextLong(max), max);
					schedule.add("latency " + index + "-" + other + " up to " + max / MS + " ms");
				}
			}
			long wait = random.nextLong(4 * SECOND);
			cluster.advance(wait);
			schedule.add("wait " + wait / MS + " ms");
		}
		cluster.heal();
		for (Node node : cluster.nodes()) {
			if (node.mode == Mode.PAUSED) {
				cluster.resume(node.index);
			}
		}
		schedule.add("heal and resume all");
		long took = cluster.runUntil(cluster::converged, 30 * SECOND);
		assertThat(took).as(() -> "schedule " + schedule + "\n" + cluster.describe()).isNotNegative();
		cluster.advance(10 * SECOND);
		assertThat(cluster.converged()).as(() -> "stable after " + schedule + "\n" + cluster.describe()).isTrue();
		List<Node> up = cluster.upNodes();
		if (!up.isEmpty()) {
			Node oldest = up.stream().reduce((a, b) -> a.info.olderThan(b.info) ? a : b).orElseThrow();
			for (Node node : up) {
				assertThat(node.membership.coordinator()).isEqualTo(oldest.info);
				assertThat(node.membership.viewDigest()).isEqualTo(oldest.membership.viewDigest());
			}
		}
	}

}
