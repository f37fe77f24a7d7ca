package io.zynco.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.zynco.blob.FastCdc;

/**
 * Target 6: FastCDC chunking throughput over 64 MiB of random bytes with the default sizes
 * (16/64/256 KiB); MB/s = {@value #SIZE} bytes / time. Not thread-safe (JMH state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xmx2g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
public class FastCdcBenchmark {

	/** Input size: 64 MiB. */
	public static final int SIZE = 64 << 20;

	private final FastCdc chunker = FastCdc.defaults();

	private byte[] data;

	@Setup(Level.Trial)
	public void setUp() {
		this.data = new byte[SIZE];
		new SplittableRandom(StateData.SEED).nextBytes(this.data);
		int[] ends = this.chunker.chunkEnds(this.data);
		System.out.printf("%n%,d bytes in %,d chunks, average %,d bytes%n", SIZE, ends.length, SIZE / ends.length);
	}

	@Benchmark
	public int[] chunk() {
		return this.chunker.chunkEnds(this.data);
	}

}
