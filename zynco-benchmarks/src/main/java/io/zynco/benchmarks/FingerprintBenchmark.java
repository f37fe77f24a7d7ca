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
 * Target 1: recomputing the root fingerprint of a 1M-entry snapshot from every entry's bytes
 * (one pass at hash speed; MB/s = {@code dataBytes} / time). Not thread-safe (JMH state).
 *
 * <p>{@code layout} says where the entry arrays lie in the heap. {@code input}: as a full load
 * leaves them, allocated in input order, which is random with respect to the key-hash order
 * the fingerprint walks (the target case). {@code engine}: the same content rebuilt in
 * key-hash order, so the walk reads memory sequentially; it shows what allocating entries in
 * engine order would give.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx6g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
public class FingerprintBenchmark {

	@Param({ "1000000" })
	public int entries;

	@Param({ "input", "engine" })
	public String layout;

	private Snapshot snapshot;

	@Setup(Level.Trial)
	public void setUp() {
		Snapshot built = StateData.base(this.entries);
		this.snapshot = switch (this.layout) {
			case "input" -> built;
			case "engine" -> StateData.rebuild(built);
			default -> throw new IllegalArgumentException("layout is input or engine, not " + this.layout);
		};
		if (!this.snapshot.verify()) {
			throw new IllegalStateException("fingerprint mismatch");
		}
		System.out.printf("%nstate: %,d entries, %,d data bytes (%.1f MB), %s layout%n", this.snapshot.size(),
				this.snapshot.dataBytes(), this.snapshot.dataBytes() / 1e6, this.layout);
	}

	@Benchmark
	public long fullFingerprint() {
		return this.snapshot.recomputeRootFingerprint();
	}

}
