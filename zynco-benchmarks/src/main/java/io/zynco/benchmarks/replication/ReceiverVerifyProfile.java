package io.zynco.benchmarks.replication;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.zynco.state.Delta;
import io.zynco.state.Snapshot;

/**
 * Times what a receiver does once every packet of the benchmark snapshot has arrived: decode
 * the reassembled array and apply it to the empty base (base root checked before, target root
 * after). Run it with the receivers' heap ({@code -Xmx3g}) to see the same garbage collection.
 * The encoded snapshot is generated once into {@code --file} (in another JVM, so that this one
 * starts with the heap a receiver has), then read like a transfer buffer.
 *
 * <pre>
 * java -Xmx10g -cp benchmarks.jar io.zynco.benchmarks.replication.ReceiverVerifyProfile --write /tmp/zb/snapshot.bin
 * java -Xmx3g -cp benchmarks.jar io.zynco.benchmarks.replication.ReceiverVerifyProfile --file /tmp/zb/snapshot.bin [--threads 2 (the caller and 1 helper)] [--rounds 3]
 * </pre>
 */
public final class ReceiverVerifyProfile {

	private ReceiverVerifyProfile() {
	}

	public static void main(String[] argv) throws Exception {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		int mib = args.getInt("mib", 512);
		if (args.has("write")) {
			Snapshot empty = StateGen.TYPE.emptySnapshot();
			byte[] bytes = StateGen.encode(StateGen.snapshotEdit(empty, 42, StateGen.entries(mib)), 0, 1);
			Files.write(Path.of(args.get("write", "")), bytes);
			System.out.println("wrote " + bytes.length + " bytes");
			return;
		}
		byte[] bytes = Files.readAllBytes(Path.of(args.get("file", "/tmp/zb/snapshot.bin")));
		int threads = args.getInt("threads", 0);
		int rounds = args.getInt("rounds", 3);
		ExecutorService pool = (threads > 1) ? Executors.newFixedThreadPool(threads - 1) : null;
		ThreadMXBean mx = ManagementFactory.getThreadMXBean();
		Snapshot empty = StateGen.TYPE.emptySnapshot();
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean();
		for (int round = 1; round <= rounds; round++) {
			long gc0 = ThreadCost.collectorMillis();
			long cpu0 = mx.getCurrentThreadCpuTime();
			long process0 = os.getProcessCpuTime();
			long t0 = System.nanoTime();
			Delta delta = Delta.decode(bytes, 0, bytes.length, pool, Math.max(1, threads));
			long t1 = System.nanoTime();
			Snapshot target = delta.applyTo(empty, pool, Math.max(1, threads));
			long t2 = System.nanoTime();
			long cpu = mx.getCurrentThreadCpuTime() - cpu0;
			long process = os.getProcessCpuTime() - process0;
			System.out.printf("round %d: decode %.2f s, apply %.2f s, total %.2f s; CPU: this thread %.2f s, process %.2f s; GC pauses %.2f s; %d entries%n",
					round, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9, cpu / 1e9, process / 1e9,
					(ThreadCost.collectorMillis() - gc0) / 1e3, target.size());
			delta = null;
			target = null;
			System.gc();
		}
		if (pool != null) {
			pool.shutdown();
		}
	}

}
