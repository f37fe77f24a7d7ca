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

import io.zynco.state.Delta;
import io.zynco.state.Snapshot;

/**
 * Target 3: encoding, decoding and applying the delta of a 1% change (10,000 values) to a
 * 1M-entry snapshot, each part and the three together as a receiving node does them. Setup
 * prints the delta's size against its payload (target 4). Not thread-safe (JMH state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx6g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
public class DeltaBenchmark {

	@Param({ "1000000" })
	public int entries;

	private Snapshot base;

	private Delta delta;

	private byte[] encoded;

	@Setup(Level.Trial)
	public void setUp() {
		StateFixture fixture = StateFixture.create(this.entries, this.entries / 100);
		this.base = fixture.base();
		this.delta = fixture.delta();
		this.encoded = fixture.encodedDelta();
		if (Delta.decode(this.encoded).applyTo(this.base).rootFingerprint() != fixture.edited().rootFingerprint()) {
			throw new IllegalStateException("delta round trip does not reproduce the target");
		}
		System.out.printf("%n%s%n", fixture.describe());
	}

	@Benchmark
	public byte[] encode() {
		return this.delta.encode();
	}

	@Benchmark
	public Delta decode() {
		return Delta.decode(this.encoded);
	}

	@Benchmark
	public Snapshot apply() {
		return this.delta.applyTo(this.base);
	}

	@Benchmark
	public Snapshot encodeDecodeApply() {
		return Delta.decode(this.delta.encode()).applyTo(this.base);
	}

}
