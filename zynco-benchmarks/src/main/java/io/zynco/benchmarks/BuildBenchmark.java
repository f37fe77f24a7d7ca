package io.zynco.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.zynco.state.Snapshot;

/**
 * Building a 1M-entry snapshot from scratch with {@link Snapshot#builder(int)} (a full load),
 * from keys and values generated beforehand; for information. Each operation allocates a
 * whole snapshot, so this runs single-shot. Not thread-safe (JMH state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx6g" })
@Warmup(iterations = 3)
@Measurement(iterations = 8)
public class BuildBenchmark {

	@Param({ "1000000" })
	public int entries;

	private byte[][] keys;

	private byte[][] values;

	@Setup(Level.Trial)
	public void setUp() {
		this.keys = new byte[this.entries][];
		this.values = new byte[this.entries][];
		int[] n = new int[1];
		StateData.generate(this.entries, (key, value) -> {
			this.keys[n[0]] = key;
			this.values[n[0]++] = value;
		});
	}

	@Benchmark
	public Snapshot buildFromScratch() {
		Snapshot.Builder builder = Snapshot.builder(Snapshot.DEFAULT_SEGMENT_BITS);
		for (int i = 0; i < this.keys.length; i++) {
			builder.put(this.keys[i], this.values[i]);
		}
		return builder.build();
	}

}
