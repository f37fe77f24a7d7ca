package io.zynco.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;

import io.zynco.state.Delta;
import io.zynco.state.Edit;
import io.zynco.state.Snapshot;
import io.zynco.version.Version;
import io.zynco.version.VersionChain;

/**
 * Target 5: the measured heap of a {@link VersionChain} of 8 versions of a 1M-entry state, each
 * changing 1% of the values, against one snapshot; and the per-entry overhead of a snapshot
 * beyond its key and value bytes. Heap is read from the {@link MemoryMXBean} after repeated
 * {@link System#gc()}, so run it alone in its own JVM with a stop-the-world collector:
 *
 * <pre>
 * java -Xmx4g -XX:+UseParallelGC -cp zynco-benchmarks/target/benchmarks.jar io.zynco.benchmarks.ChainFootprint
 * </pre>
 *
 * The last line of output, starting with {@value #RESULT_PREFIX}, is for
 * {@link StateEngineReport}. Not thread-safe (a main).
 */
public final class ChainFootprint {

	static final String RESULT_PREFIX = "CHAIN-RESULT";

	private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

	private ChainFootprint() {
	}

	public static void main(String[] args) throws InterruptedException {
		int entries = StateData.ENTRIES;
		int maxVersions = 8;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--entries" -> entries = Integer.parseInt(args[++i]);
				case "--versions" -> maxVersions = Integer.parseInt(args[++i]);
				default -> throw new IllegalArgumentException("unknown argument " + args[i]
						+ "; use --entries N and --versions N");
			}
		}
		int changes = entries / 100;
		System.out.printf("JVM %s %s, max heap %,d MB, collectors %s%n", System.getProperty("java.vm.name"),
				System.getProperty("java.runtime.version"), Runtime.getRuntime().maxMemory() >> 20, collectors());

		long empty = usedAfterGc();
		Snapshot base = StateData.base(entries);
		long withBase = usedAfterGc();
		long snapshotHeap = withBase - empty;
		long keyValueBytes = StateData.keyValueBytes(base);
		long size = base.size();
		long dataBytes = base.dataBytes();
		long snapshotEstimate = base.heapBytes();

		VersionChain chain = VersionChain.builder().maxVersions(maxVersions).build();
		chain.appendAndActivate(1, base, Version.NO_PARENT, "load", -1);
		base = null; // from here on only the chain holds version 1, so eviction frees it
		appendVersions(chain, entries, changes, 2, maxVersions);
		long withChain = usedAfterGc();
		long chainHeap = withChain - empty;
		long chainEstimate = chain.heapBytes();

		// keep going: versions 1..8 are evicted one by one as 9..16 arrive
		appendVersions(chain, entries, changes, maxVersions + 1, 2 * maxVersions);
		long steadyHeap = usedAfterGc() - empty;
		long steadyEstimate = chain.heapBytes();
		Snapshot newest = chain.latest().snapshot();

		double ratio = (double) chainHeap / snapshotHeap;
		double overhead = (double) (snapshotHeap - keyValueBytes) / entries;
		System.out.printf("entries                       %,15d%n", size);
		System.out.printf("key+value bytes               %,15d%n", keyValueBytes);
		System.out.printf("snapshot dataBytes()          %,15d%n", dataBytes);
		System.out.printf("snapshot heap, measured       %,15d%n", snapshotHeap);
		System.out.printf("snapshot heapBytes() estimate %,15d  (%+.1f%% vs measured)%n", snapshotEstimate,
				100.0 * (snapshotEstimate - snapshotHeap) / snapshotHeap);
		System.out.printf("chain of %d versions, measured %,15d%n", chain.size(), chainHeap);
		System.out.printf("chain heapBytes() estimate    %,15d  (%+.1f%% vs measured)%n", chainEstimate,
				100.0 * (chainEstimate - chainHeap) / chainHeap);
		System.out.printf("chain / one snapshot, measured %14.3f  (estimate %.3f)%n", ratio,
				(double) chainEstimate / snapshotEstimate);
		System.out.printf("per version beyond the first  %,15d bytes measured%n",
				(chainHeap - snapshotHeap) / (maxVersions - 1));
		System.out.printf("per-entry overhead, measured  %15.1f bytes  (snapshot heap - key+value bytes) / entries%n",
				overhead);
		System.out.printf("steady state after %d versions (window %s): measured %,d, estimate %,d, ratio %.3f%n",
				2 * maxVersions, chain.versions().stream().map(Version::number).toList(), steadyHeap, steadyEstimate,
				(double) steadyHeap / snapshotHeap);
		System.out.printf("%s snapshotHeap=%d chainHeap=%d ratio=%.4f overheadPerEntry=%.2f snapshotEstimate=%d "
				+ "chainEstimate=%d steadyRatio=%.4f versions=%d%n", RESULT_PREFIX, snapshotHeap, chainHeap, ratio,
				overhead, snapshotEstimate, chainEstimate, (double) steadyHeap / snapshotHeap, maxVersions);
		Reference.reachabilityFence(chain);
		Reference.reachabilityFence(newest);
	}

	private static void appendVersions(VersionChain chain, int entries, int changes, long from, long to) {
		for (long v = from; v <= to; v++) {
			Snapshot previous = chain.latest().snapshot();
			Edit edit = StateData.change(previous, entries, changes, (int) v);
			long deltaBytes = Delta.of(StateData.STATE_NAME, v - 1, v, edit).encodedLength();
			chain.append(v, edit.snapshot(), v - 1, "benchmark", deltaBytes);
			chain.activate(v);
		}
	}

	/** Heap in use after full collections, once it stops shrinking. */
	static long usedAfterGc() throws InterruptedException {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 10; i++) {
			System.gc();
			Thread.sleep(50);
			long now = MEMORY.getHeapMemoryUsage().getUsed();
			if (i >= 2 && now >= used) {
				return Math.min(now, used);
			}
			used = Math.min(used, now);
		}
		return used;
	}

	private static String collectors() {
		return ManagementFactory.getGarbageCollectorMXBeans()
			.stream()
			.map(GarbageCollectorMXBean::getName)
			.toList()
			.toString();
	}

}
