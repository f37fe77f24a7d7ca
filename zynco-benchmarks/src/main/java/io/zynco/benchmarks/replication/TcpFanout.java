package io.zynco.benchmarks.replication;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import io.zynco.state.Delta;
import io.zynco.state.Edit;
import io.zynco.state.Fingerprints;
import io.zynco.state.Snapshot;
import io.zynco.state.StateType;
import io.zynco.state.Yield;

/**
 * The baseline of {@link ReplicationBenchmark}: a plain TCP fan-out on 127.0.0.1. One child
 * JVM per role.
 *
 * <p><b>Sender</b> ({@code --role sender --receivers R --mib M --delta-percent P}): generates
 * the benchmark state with {@link StateGen} and encodes exactly what a Zynco coordinator sends
 * for it (the snapshot as a delta from empty, then one delta round), so both sides move the
 * same bytes. Listens on an ephemeral port, accepts R connections, and on
 * {@code send snapshot}, {@code send delta} or {@code send warmup MiB} (random bytes) writes the bytes (8-byte length first) to every
 * connection at once, one thread per connection, with {@code OutputStream.write}.
 *
 * <p><b>Receiver</b> ({@code --role receiver --port P}): connects, reads each message through
 * a 1 MiB buffer, hashes it with CRC32C, and reports {@code DONE bytes crc nanoTime}.
 *
 * <p><b>Verifying</b> ({@code --verify true} on both roles, with {@code --warmup-segment-bits}
 * on both and {@code --warmup-mib} on the sender): the receivers do what a Zynco receiver does
 * with a transfer once it holds every byte, without the packet authentication. Each reads the
 * message whole into one array, decodes it ({@link Delta#decodeOwned}, which checks the CRC32C
 * trailer), applies it to its base and checks the result's root ({@link Delta#applyTo}), on a
 * pool of two background threads as a node's workers (see {@link Verifier}); it reports
 * {@code READ bytes t} when the bytes are in and {@code DONE bytes root t} (the root in hex)
 * once verified, or {@code ERROR text}. The sender reports the two versions' roots where the
 * plain fan-out reports CRCs, and replaces the random warm-up with real deltas on the warm-up
 * state, which a verifying receiver can decode: {@code send warmup} sends a snapshot of
 * {@code --warmup-mib} MiB from empty (version 0 to 1), {@code send warmup-delta} a 1% delta of
 * it (1 to 2), both encoded once at start (see {@link #warmupMessages}).
 *
 * <pre>
 * sender reports:   READY port snapshotBytes snapshotCrc deltaBytes deltaCrc prepareMs | CONNECTED R | SENT which t
 *                   (verifying: READY port snapshotBytes snapshotRoot deltaBytes deltaRoot prepareMs)
 * receiver reports: READY | DONE bytes crc t
 *                   (verifying: READY | READ bytes t | DONE bytes root t | ERROR text)
 * both, on gc:      GC-DONE
 * </pre>
 *
 * Both exit when stdin closes, on {@code quit}, or after {@code --max-seconds}.
 */
public final class TcpFanout {

	private TcpFanout() {
	}

	public static void main(String[] argv) throws Exception {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		Watchdog.start("TcpFanout " + args.get("role", "receiver"), args.getInt("max-seconds", 900));
		if (args.require("role").equals("sender")) {
			sender(args);
		}
		else {
			receiver(args);
		}
	}

	private static long crc(byte[] bytes) {
		CRC32C crc = new CRC32C();
		crc.update(bytes, 0, bytes.length);
		return crc.getValue();
	}

	/** Whether {@code --verify} asks for the verifying fan-out ({@code true} or {@code false}). */
	private static boolean verify(Args args) {
		String value = args.get("verify", "false");
		if (!value.equals("true") && !value.equals("false")) {
			throw new IllegalArgumentException("--verify is true or false, not " + value);
		}
		return Boolean.parseBoolean(value);
	}

	/**
	 * The warm-up messages of a verifying fan-out: a snapshot of {@code mib} MiB from empty
	 * (version 0 to 1) and a 1% delta of it (1 to 2), on the warm-up state with
	 * {@code segmentBits}, so that its tries have the measured state's shape (as many entries
	 * per segment; see {@code NodeProcess.warmUp}). The two measured transfers are of these
	 * two kinds, a load from empty and a 1% delta, and every warm-up round repeats one of them
	 * on other data, so the receivers' decode and apply paths are compiled for both before the
	 * measured window. The Zynco clusters' full rewrites on a non-empty base and removals are
	 * left out: the measured TCP transfers take neither path.
	 */
	private static byte[][] warmupMessages(long seed, int mib, int segmentBits) {
		StateType<byte[], byte[]> type = StateGen.WARMUP.withSegmentBits(segmentBits);
		int entries = StateGen.entries(mib);
		Edit load = StateGen.snapshotEdit(type.emptySnapshot(), seed, entries);
		Edit delta = StateGen.deltaEdit(load.snapshot(), seed, 1, entries, 1.0);
		return new byte[][] { StateGen.encode(type.name(), load, 0, 1), StateGen.encode(type.name(), delta, 1, 2) };
	}

	private static void sender(Args args) throws Exception {
		int receivers = args.getInt("receivers", 3);
		int entries = StateGen.entries(args.getInt("mib", 512));
		long seed = args.getLong("data-seed", 42);
		boolean verify = verify(args);
		long t = System.nanoTime();
		Edit snapshot = StateGen.snapshotEdit(StateGen.TYPE.emptySnapshot(), seed, entries);
		byte[] snapshotBytes = StateGen.encode(snapshot, 0, 1);
		Edit delta = StateGen.deltaEdit(snapshot.snapshot(), seed, args.getInt("delta-round", 1), entries,
				args.getDouble("delta-percent", 1));
		byte[] deltaBytes = StateGen.encode(delta, 1, 2);
		// what the receivers' reports are checked against: the roots a verifying receiver must
		// reach, or the bytes' CRC32C a plain one hashes
		String snapshotCheck = verify ? Fingerprints.toHex(snapshot.snapshot().rootFingerprint())
				: Long.toString(crc(snapshotBytes));
		String deltaCheck = verify ? Fingerprints.toHex(delta.snapshot().rootFingerprint())
				: Long.toString(crc(deltaBytes));
		int warmupMib = args.getInt("warmup-mib", 0);
		// other data than the measured state's (another seed), as the Zynco clusters' warm-up
		byte[][] warmup = (verify && warmupMib > 0)
				? warmupMessages(seed + 1, warmupMib, args.getInt("warmup-segment-bits", Snapshot.DEFAULT_SEGMENT_BITS))
				: null;
		snapshot = null;
		delta = null;
		System.gc();
		List<Socket> sockets = new ArrayList<>();
		try (ServerSocket server = new ServerSocket()) {
			server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), receivers);
			server.setSoTimeout(120_000);
			NodeProcess.out("READY " + server.getLocalPort() + " " + snapshotBytes.length + " " + snapshotCheck + " "
					+ deltaBytes.length + " " + deltaCheck + " " + (System.nanoTime() - t) / 1_000_000);
			for (int i = 0; i < receivers; i++) {
				Socket s = server.accept();
				s.setTcpNoDelay(true);
				sockets.add(s);
			}
		}
		NodeProcess.out("CONNECTED " + sockets.size());
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		try {
			String line;
			while ((line = in.readLine()) != null) {
				String[] cmd = line.trim().split("\\s+");
				if (cmd[0].equals("quit")) {
					NodeProcess.out("BYE");
					break;
				}
				if (cmd[0].equals("gc")) {
					System.gc();
					NodeProcess.out("GC-DONE");
					continue;
				}
				boolean warmupDelta = cmd.length >= 2 && cmd[1].equals("warmup-delta");
				if (!cmd[0].equals("send") || cmd.length < 2 || (warmupDelta && warmup == null)) {
					NodeProcess.out("ERROR unknown command " + line);
					continue;
				}
				byte[] bytes = switch (cmd[1]) {
					case "delta" -> deltaBytes;
					case "warmup" -> {
						if (warmup != null) {
							yield warmup[0];
						}
						byte[] w = new byte[Integer.parseInt(cmd[2]) << 20];
						new java.util.SplittableRandom(seed).nextBytes(w);
						yield w;
					}
					case "warmup-delta" -> warmup[1];
					default -> snapshotBytes;
				};
				List<Thread> writers = new ArrayList<>();
				List<IOException> failures = new ArrayList<>();
				for (Socket s : sockets) {
					Thread w = new Thread(() -> {
						try {
							OutputStream out = s.getOutputStream();
							DataOutputStream header = new DataOutputStream(out);
							header.writeLong(bytes.length);
							out.write(bytes);
							out.flush();
						}
						catch (IOException ex) {
							synchronized (failures) {
								failures.add(ex);
							}
						}
					}, "writer-" + s.getPort());
					writers.add(w);
				}
				writers.forEach(Thread::start);
				for (Thread w : writers) {
					w.join(TimeUnit.MINUTES.toMillis(5));
				}
				NodeProcess.out(failures.isEmpty() ? "SENT " + cmd[1] + " " + System.nanoTime()
						: "ERROR send failed: " + failures.get(0));
			}
		}
		finally {
			for (Socket s : sockets) {
				s.close();
			}
		}
		System.exit(0);
	}

	private static void receiver(Args args) throws Exception {
		Verifier verifier = verify(args)
				? new Verifier(args.getInt("warmup-segment-bits", Snapshot.DEFAULT_SEGMENT_BITS)) : null;
		Thread stdin = new Thread(() -> {
			try {
				BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
				String line;
				while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
					// besides quit, only gc is understood: sent between messages, never during one
					if (line.trim().equals("gc")) {
						System.gc();
						NodeProcess.out("GC-DONE");
					}
				}
			}
			catch (IOException ex) {
				// exit below
			}
			NodeProcess.out("BYE");
			System.exit(0);
		}, "stdin");
		stdin.setDaemon(true);
		stdin.start();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), args.getInt("port", 0)), 30_000);
			NodeProcess.out("READY");
			InputStream in = socket.getInputStream();
			DataInputStream header = new DataInputStream(in);
			byte[] buffer = new byte[1 << 20];
			for (int message = 0; message < 1_000; message++) {
				long length;
				try {
					length = header.readLong();
				}
				catch (IOException ex) {
					break; // sender closed
				}
				if (verifier != null) {
					if (length > Integer.MAX_VALUE - 16) {
						throw new IOException("message of " + length + " bytes does not fit in one array");
					}
					// one array of the message's length, as a node's transfer buffer: the decoded
					// delta takes it over as the slab of the new version's entries
					byte[] bytes = new byte[(int) length];
					header.readFully(bytes);
					NodeProcess.out("READ " + length + " " + System.nanoTime());
					NodeProcess.out(verifier.verify(bytes));
					continue;
				}
				CRC32C crc = new CRC32C();
				long read = 0;
				while (read < length) {
					int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
					if (n < 0) {
						throw new IOException("connection closed after " + read + " of " + length + " bytes");
					}
					crc.update(buffer, 0, n);
					read += n;
				}
				NodeProcess.out("DONE " + read + " " + crc.getValue() + " " + System.nanoTime());
			}
		}
		System.exit(0);
	}

	/**
	 * A verifying receiver's work on each message, as a Zynco node's on a transfer that is
	 * complete ({@code ZyncoNode.completeIncoming}): on a worker thread, decode the message
	 * and apply it to its base with the worker pool's help, which checks the base's and the
	 * result's roots. Its pool mirrors a node's worker pool: two background threads
	 * ({@link Yield#backgroundThreads}), and a parallelism of at most one thread per core.
	 * Unlike a node, it decodes only once the whole message is in (a node decodes a large
	 * transfer while its packets arrive), and it checks the CRC32C trailer where a node with
	 * packet authentication skips it. Not thread-safe: {@link #verify} is called by the
	 * reading thread alone and waits for its worker task, so one task at a time touches the
	 * snapshots.
	 */
	private static final class Verifier {

		/** As {@code ZyncoNode.WORKER_THREADS}. */
		private static final int WORKER_THREADS = 2;

		private final ExecutorService worker = Executors.newFixedThreadPool(WORKER_THREADS,
				Yield.backgroundThreads("tcp-verify-worker"));

		/** As {@code ZyncoNode.workerParallelism()}. */
		private final int parallelism = Math.min(WORKER_THREADS, Runtime.getRuntime().availableProcessors());

		private final Snapshot emptyState = StateGen.TYPE.emptySnapshot();

		private final Snapshot emptyWarmup;

		/**
		 * Snapshots this receiver produced that a later message may start from, by state name
		 * and version; a snapshot leaves when a delta from it succeeded, since the sender
		 * sends each version once (the warm-up's version 1 comes again with every warm-up
		 * snapshot). So it holds the measured snapshot, then the measured delta's result, and
		 * a version or two of the small warm-up state, which the child's heap holds as a
		 * node's does.
		 */
		private final Map<String, Snapshot> produced = new HashMap<>();

		Verifier(int warmupSegmentBits) {
			this.emptyWarmup = StateGen.WARMUP.withSegmentBits(warmupSegmentBits).emptySnapshot();
		}

		/**
		 * Decodes and applies {@code bytes}, which the delta takes over.
		 * @return the report: {@code DONE bytes root t} once the result is verified, or
		 * {@code ERROR text}
		 */
		String verify(byte[] bytes) throws InterruptedException {
			try {
				Snapshot target = this.worker.submit(() -> apply(bytes)).get();
				return "DONE " + bytes.length + " " + Fingerprints.toHex(target.rootFingerprint()) + " "
						+ System.nanoTime();
			}
			catch (ExecutionException ex) {
				return "ERROR verify failed: " + String.valueOf(ex.getCause()).replace('\n', ' ');
			}
		}

		/** On a worker thread. */
		private Snapshot apply(byte[] bytes) {
			Delta delta = Delta.decodeOwned(bytes, this.worker, this.parallelism);
			String name = delta.stateName();
			String baseKey = name + " " + delta.baseVersion();
			Snapshot base;
			if (delta.baseVersion() == 0) {
				// the empty snapshot of the state's type; applyTo refuses it if its segment
				// bits are not the sender's
				base = name.equals(StateGen.WARMUP.name()) ? this.emptyWarmup : this.emptyState;
			}
			else {
				base = this.produced.get(baseKey);
				if (base == null) {
					throw new IllegalStateException("no version " + delta.baseVersion() + " of '" + name
							+ "' to apply " + delta + " to");
				}
			}
			Snapshot target = delta.applyTo(base, this.worker, this.parallelism);
			this.produced.remove(baseKey);
			this.produced.put(name + " " + delta.targetVersion(), target);
			return target;
		}

	}

}
