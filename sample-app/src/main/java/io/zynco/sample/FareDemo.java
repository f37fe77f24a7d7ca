package io.zynco.sample;

import java.io.PrintStream;
import java.util.Locale;
import java.util.SplittableRandom;

import io.zynco.state.Delta;
import io.zynco.state.Edit;
import io.zynco.state.Fingerprints;
import io.zynco.state.Snapshot;
import io.zynco.version.Version;
import io.zynco.version.VersionChain;

/**
 * A single-process walk through the state engine on a fare table: load, publish a 1%
 * repricing as a delta, ship it to a second "node" as bytes, verify, add and withdraw routes,
 * roll back. Prints progress and a summary table. The multi-node cluster demo replaces this
 * when replication lands (see docs/roadmap.md).
 */
public final class FareDemo {

	private final PrintStream out;

	private final int fares;

	FareDemo(PrintStream out, int fares) {
		this.out = out;
		this.fares = fares;
	}

	public static void main(String[] args) {
		int fares = 1_000_000;
		for (int i = 0; i < args.length; i++) {
			if ("--fares".equals(args[i]) && i + 1 < args.length) {
				fares = Integer.parseInt(args[++i]);
			}
			else {
				System.err.println("usage: FareDemo [--fares N]   (default 1000000)");
				System.exit(2);
			}
		}
		if (fares < 100) {
			System.err.println("--fares must be at least 100");
			System.exit(2);
		}
		new FareDemo(System.out, fares).run();
	}

	/** Runs the walk-through; returns the root fingerprints of publisher and replica at the end. */
	long[] run() {
		FareGenerator generator = new FareGenerator(42);
		this.out.printf(Locale.ROOT, "Zynco state-engine demo: %,d fares, %d segments%n%n", this.fares,
				1 << Snapshot.DEFAULT_SEGMENT_BITS);

		long t0 = System.nanoTime();
		Snapshot.Builder builder = Snapshot.builder(Snapshot.DEFAULT_SEGMENT_BITS);
		int step = Math.max(1, this.fares / 10);
		for (int i = 0; i < this.fares; i++) {
			builder.put(FareGenerator.utf8(generator.key(i)), FareGenerator.utf8(generator.value(i, 0)));
			if ((i + 1) % step == 0) {
				this.out.printf(Locale.ROOT, "\r  generating fares %3d%%", (i + 1) * 100L / this.fares);
			}
		}
		Snapshot v1 = builder.build();
		double loadMs = ms(t0);
		this.out.printf(Locale.ROOT, "%n  v1 loaded: %,d entries, %s of data, root %s (%.0f ms)%n", v1.size(),
				mib(v1.dataBytes()), Fingerprints.toHex(v1.rootFingerprint()), loadMs);

		long t1 = System.nanoTime();
		boolean verified = v1.verify();
		double verifyMs = ms(t1);
		this.out.printf(Locale.ROOT, "  v1 verified by re-hashing every entry: %s (%.0f ms, %.2f GB/s)%n",
				verified ? "ok" : "MISMATCH", verifyMs, v1.dataBytes() / (verifyMs * 1e6));

		// the publisher's chain and a replica's chain, as two nodes would hold them
		VersionChain publisher = VersionChain.builder().maxVersions(8).build();
		VersionChain replica = VersionChain.builder().maxVersions(8).build();
		publisher.appendAndActivate(1, v1, Version.NO_PARENT, "load", -1);
		replica.appendAndActivate(1, v1, Version.NO_PARENT, "snapshot", -1);

		// v2: reprice 1% of fares
		SplittableRandom random = new SplittableRandom(7);
		Snapshot.Editor reprice = v1.edit();
		int changes = Math.max(1, this.fares / 100);
		for (int i = 0; i < changes; i++) {
			long index = random.nextInt(this.fares);
			reprice.put(FareGenerator.utf8(generator.key(index)), FareGenerator.utf8(generator.value(index, 1)));
		}
		Step v2 = publish(publisher, replica, 1, 2, reprice.commit(), "reprice 1%");

		// v3: add 500 new routes and withdraw 500
		Snapshot.Editor routes = publisher.active().snapshot().edit();
		for (int i = 0; i < 500; i++) {
			long index = this.fares + i;
			routes.put(FareGenerator.utf8(generator.key(index)), FareGenerator.utf8(generator.value(index, 0)));
			routes.remove(FareGenerator.utf8(generator.key(random.nextInt(this.fares))));
		}
		Step v3 = publish(publisher, replica, 2, 3, routes.commit(), "add/withdraw routes");

		// a publish with no effective change makes no version
		Snapshot.Editor noop = publisher.active().snapshot().edit();
		noop.put(FareGenerator.utf8(generator.key(0)), v3.snapshot().get(FareGenerator.utf8(generator.key(0))));
		boolean noopChanged = noop.commit().changed();
		this.out.printf(Locale.ROOT, "  re-publishing an unchanged fare makes a new version: %s%n", noopChanged);

		// rollback to v2 on both nodes: a pointer move
		long t2 = System.nanoTime();
		publisher.activate(2);
		replica.activate(2);
		double rollbackUs = ms(t2) * 1000;
		this.out.printf(Locale.ROOT, "  rolled back to v2 on both nodes in %.1f µs; roots agree: %s%n", rollbackUs,
				publisher.active().rootFingerprint() == replica.active().rootFingerprint());

		this.out.printf(Locale.ROOT, "%n  %-8s %-22s %12s %14s %12s %10s %10s%n", "version", "change", "entries",
				"full size", "delta bytes", "ratio", "apply ms");
		this.out.printf(Locale.ROOT, "  %-8s %-22s %,12d %14s %12s %10s %10s%n", "v1", "initial load", v1.size(),
				mib(v1.dataBytes()), "-", "-", "-");
		for (Step s : new Step[] { v2, v3 }) {
			this.out.printf(Locale.ROOT, "  %-8s %-22s %,12d %14s %,12d %9.2f%% %10.1f%n", "v" + s.version, s.label,
					s.snapshot.size(), mib(s.snapshot.dataBytes()), s.deltaBytes,
					100.0 * s.deltaBytes / s.snapshot.dataBytes(), s.applyMs);
		}
		this.out.printf(Locale.ROOT, "%n  publisher chain: %s, %s of heap for %d versions (one snapshot alone: %s)%n",
				publisher.versions().stream().map((v) -> "v" + v.number()).toList(), mib(publisher.heapBytes()),
				publisher.size(), mib(v1.heapBytes()));
		this.out.printf(Locale.ROOT, "  active: v%d on both nodes, root %s%n%n", replica.active().number(),
				Fingerprints.toHex(replica.active().rootFingerprint()));
		this.out.println("  This is the single-process state-engine demo. The 3-node cluster demo (multicast");
		this.out.println("  replication, two-phase switch, HTTP traffic) arrives with the sample-app issue.");
		return new long[] { publisher.active().rootFingerprint(), replica.active().rootFingerprint() };
	}

	private Step publish(VersionChain publisher, VersionChain replica, long base, long target, Edit edit,
			String label) {
		Delta delta = Delta.of("fares", base, target, edit);
		byte[] wire = delta.encode();
		publisher.append(target, edit.snapshot(), base, "publisher", wire.length);
		publisher.activate(target);
		long t = System.nanoTime();
		Snapshot replicaBase = replica.get(base).orElseThrow().snapshot();
		Snapshot applied = Delta.decode(wire).applyTo(replicaBase);
		double applyMs = ms(t);
		replica.append(target, applied, base, "publisher", wire.length);
		replica.activate(target);
		this.out.printf(Locale.ROOT, "  v%d %s: %,d changes, %,d delta bytes, replica root %s matches: %s%n", target,
				label, edit.changes().size(), wire.length, Fingerprints.toHex(applied.rootFingerprint()),
				applied.rootFingerprint() == edit.snapshot().rootFingerprint());
		return new Step(target, label, edit.snapshot(), wire.length, applyMs);
	}

	private record Step(long version, String label, Snapshot snapshot, long deltaBytes, double applyMs) {
	}

	private static double ms(long start) {
		return (System.nanoTime() - start) / 1e6;
	}

	private static String mib(long bytes) {
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
	}

}
