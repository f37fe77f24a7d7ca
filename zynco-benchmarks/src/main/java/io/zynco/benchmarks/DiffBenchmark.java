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

import io.zynco.state.ChangeSet;
import io.zynco.state.Snapshot;

/**
 * Target 2: diffing a 1M-entry snapshot against a version with 1% of its values changed,
 * both when the target was derived by an edit (unchanged entries share their arrays) and when
 * it was rebuilt from scratch with the same content (a full reload: nothing is shared, so
 * differing leaves are compared byte by byte). Not thread-safe (JMH state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx6g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
public class DiffBenchmark {

	@Param({ "1000000" })
	public int entries;

	private Snapshot base;

	private Snapshot shared;

	private Snapshot reloaded;

	@Setup(Level.Trial)
	public void setUp() {
		StateFixture fixture = StateFixture.create(this.entries, this.entries / 100);
		this.base = fixture.base();
		this.shared = fixture.edited();
		this.reloaded = StateData.rebuild(this.shared);
		int expected = fixture.changeCount();
		if (this.base.diff(this.shared).size() != expected || this.base.diff(this.reloaded).size() != expected) {
			throw new IllegalStateException("diff does not find the " + expected + " changes");
		}
		System.out.printf("%n%s%n", fixture.describe());
	}

	@Benchmark
	public ChangeSet diffShared() {
		return this.base.diff(this.shared);
	}

	@Benchmark
	public ChangeSet diffFullReload() {
		return this.base.diff(this.reloaded);
	}

}
