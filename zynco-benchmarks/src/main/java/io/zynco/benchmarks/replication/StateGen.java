package io.zynco.benchmarks.replication;

import java.util.SplittableRandom;

import io.zynco.state.Codec;
import io.zynco.state.Delta;
import io.zynco.state.Edit;
import io.zynco.state.Snapshot;
import io.zynco.state.StateType;

/**
 * The benchmark's state, generated deterministically and cheaply: {@code MiB × 4096} entries
 * with 12-byte keys ({@code key-00000000}) and 256-byte pseudo-random values, so the values
 * alone are exactly {@code MiB} MiB. A delta round rewrites every {@code 100 / percent}-th
 * key with new values. The same seed gives the same bytes in every process, which is how the
 * TCP baseline sends exactly the bytes the node sends. Stateless.
 */
final class StateGen {

	/** The replicated state: raw byte keys and values, 1,024 segments. */
	static final StateType<byte[], byte[]> TYPE = StateType.of("bench", Codec.bytes(), Codec.bytes());

	/** A second state of the same type, published before measuring to warm up the JIT. */
	static final StateType<byte[], byte[]> WARMUP = StateType.of("warmup", Codec.bytes(), Codec.bytes());

	static final int VALUE_BYTES = 256;

	private StateGen() {
	}

	/** Number of entries of a state of {@code mib} MiB of values. */
	static int entries(int mib) {
		return (int) (((long) mib << 20) / VALUE_BYTES);
	}

	static byte[] key(int i) {
		byte[] k = { 'k', 'e', 'y', '-', '0', '0', '0', '0', '0', '0', '0', '0' };
		int n = i;
		for (int p = k.length - 1; p >= 4 && n > 0; p--) {
			k[p] = (byte) ('0' + n % 10);
			n /= 10;
		}
		return k;
	}

	private static byte[] value(SplittableRandom random) {
		byte[] v = new byte[VALUE_BYTES];
		for (int o = 0; o < VALUE_BYTES; o += 8) {
			long x = random.nextLong();
			for (int b = 0; b < 8; b++) {
				v[o + b] = (byte) (x >>> (8 * b));
			}
		}
		return v;
	}

	interface Sink {

		void put(byte[] key, byte[] value);

	}

	/** The entries of the full state. */
	static void snapshotEntries(long seed, int entries, Sink sink) {
		SplittableRandom random = new SplittableRandom(seed);
		for (int i = 0; i < entries; i++) {
			sink.put(key(i), value(random));
		}
	}

	/** Keys changed by delta round {@code round}: about {@code percent} % of them. */
	static int deltaStep(double percent) {
		return Math.max(1, (int) Math.round(100.0 / percent));
	}

	/** The entries a delta round rewrites. */
	static void deltaEntries(long seed, int round, int entries, double percent, Sink sink) {
		int step = deltaStep(percent);
		SplittableRandom random = new SplittableRandom(seed * 1_000_003L + round);
		for (int i = round % step; i < entries; i += step) {
			sink.put(key(i), value(random));
		}
	}

	/** An edit of {@code base} that loads the full state (base is normally empty). */
	static Edit snapshotEdit(Snapshot base, long seed, int entries) {
		Snapshot.Editor editor = base.edit();
		snapshotEntries(seed, entries, editor::put);
		return editor.commit();
	}

	/** An edit of {@code base} applying delta round {@code round}. */
	static Edit deltaEdit(Snapshot base, long seed, int round, int entries, double percent) {
		Snapshot.Editor editor = base.edit();
		deltaEntries(seed, round, entries, percent, editor::put);
		return editor.commit();
	}

	/** An edit of {@code base} that removes the entries of a state of {@code entries} entries. */
	static Edit clearEdit(Snapshot base, int entries) {
		Snapshot.Editor editor = base.edit();
		for (int i = 0; i < entries; i++) {
			editor.remove(key(i));
		}
		return editor.commit();
	}

	/** The bytes a coordinator sends for an edit (same encoding, same length). */
	static byte[] encode(Edit edit, long baseVersion, long targetVersion) {
		return encode(TYPE.name(), edit, baseVersion, targetVersion);
	}

	/** The bytes a coordinator sends for an edit of the state named {@code stateName}. */
	static byte[] encode(String stateName, Edit edit, long baseVersion, long targetVersion) {
		return Delta.of(stateName, baseVersion, targetVersion, edit).encode();
	}

}
