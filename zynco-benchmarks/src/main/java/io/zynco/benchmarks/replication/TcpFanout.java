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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import io.zynco.state.Edit;

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
 * <pre>
 * sender reports:   READY port snapshotBytes snapshotCrc deltaBytes deltaCrc prepareMs | CONNECTED R | SENT which t
 * receiver reports: READY | DONE bytes crc t
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

	private static void sender(Args args) throws Exception {
		int receivers = args.getInt("receivers", 3);
		int entries = StateGen.entries(args.getInt("mib", 512));
		long seed = args.getLong("data-seed", 42);
		long t = System.nanoTime();
		Edit snapshot = StateGen.snapshotEdit(StateGen.TYPE.emptySnapshot(), seed, entries);
		byte[] snapshotBytes = StateGen.encode(snapshot, 0, 1);
		Edit delta = StateGen.deltaEdit(snapshot.snapshot(), seed, args.getInt("delta-round", 1), entries,
				args.getDouble("delta-percent", 1));
		byte[] deltaBytes = StateGen.encode(delta, 1, 2);
		snapshot = null;
		delta = null;
		System.gc();
		List<Socket> sockets = new ArrayList<>();
		try (ServerSocket server = new ServerSocket()) {
			server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), receivers);
			server.setSoTimeout(120_000);
			NodeProcess.out("READY " + server.getLocalPort() + " " + snapshotBytes.length + " " + crc(snapshotBytes) + " "
					+ deltaBytes.length + " " + crc(deltaBytes) + " " + (System.nanoTime() - t) / 1_000_000);
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
				if (!cmd[0].equals("send") || cmd.length < 2) {
					NodeProcess.out("ERROR unknown command " + line);
					continue;
				}
				byte[] bytes = switch (cmd[1]) {
					case "delta" -> deltaBytes;
					case "warmup" -> {
						byte[] w = new byte[Integer.parseInt(cmd[2]) << 20];
						new java.util.SplittableRandom(seed).nextBytes(w);
						yield w;
					}
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
		Thread stdin = new Thread(() -> {
			try {
				BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
				String line;
				while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
					// only quit is understood
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

}
