package io.zynco.benchmarks.replication;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ceiling of multicast on this host: how fast bare UDP multicast, with no protocol at all,
 * delivers a snapshot's bytes to R receiver JVMs on {@code lo}, measured beside the same TCP
 * fan-out that {@link ReplicationBenchmark} uses as its baseline, in one run.
 *
 * <p>One sender JVM sends {@code --mib} in datagrams of {@code --packet} bytes to a group on
 * {@code lo} (TTL 0), paced at each of {@code --rates} MiB/s ({@code 0}: unpaced, as fast as
 * {@code send} returns). R receiver JVMs read them with a blocking NIO {@code DatagramChannel}
 * and do the least work a receiver of a reliable transfer must do, chosen by {@code --work}:
 * <ul>
 * <li>{@code place}: copy each payload to its place in one large array and mark it in a
 * bitmap (what any reassembly needs);</li>
 * <li>{@code gcm}: the sender seals each datagram with AES-256-GCM and the receiver decrypts
 * it into its place (what an authenticated transfer needs, without the copy into a scratch
 * array that Zynco's channel makes first).</li>
 * </ul>
 * There is no repair: a lost datagram stays lost, and the table says how many were. A rate
 * whose receivers lose nothing is a rate any reliable multicast protocol could at best
 * sustain here; everything Zynco adds (headers, the node loop, NACKs, the decode, the apply and
 * the root check) comes on top.
 *
 * <pre>
 * java -cp zynco-benchmarks/target/benchmarks.jar io.zynco.benchmarks.replication.MulticastFloor \
 *     [--receivers 3] [--mib 512] [--packet 60000] [--rates 400,700,1000,1400,0] [--work place,gcm]
 *     [--reps 3] [--sockbuf 16777216] [--raise-buffer-limits] [--skip-tcp]
 * </pre>
 *
 * Aggregate throughput is R × bytes delivered over the time from the first datagram sent to
 * the last datagram the slowest receiver took (the TCP rows: from the send command to the
 * last receiver's {@code DONE}, as in {@link ReplicationBenchmark}). Each row is the median of
 * {@code --reps}. Traffic stays on {@code lo}: the group is joined and sent to on the loopback
 * interface with TTL 0. Every child exits when its stdin closes or after {@code --max-seconds}.
 * Not thread-safe (a main).
 */
public final class MulticastFloor {

	private static final String GROUP = "239.255.93.19";

	/** runId (8), sequence (4), count (4); the rest is payload (and the GCM tag). */
	private static final int HEADER = 16;

	private static final int TAG = 16;

	/** The benchmark's key: the point is the cost of AES-GCM, not the secrecy of random bytes. */
	private static final byte[] KEY = new byte[32];

	private MulticastFloor() {
	}

	public static void main(String[] argv) throws Exception {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		String role = args.get("role", "parent");
		if (!role.equals("parent")) {
			Watchdog.start("MulticastFloor " + role, args.getInt("max-seconds", 900));
		}
		switch (role) {
			case "sender" -> sender(args);
			case "receiver" -> receiver(args);
			default -> new Parent(args).run();
		}
	}

	private static DatagramChannel openSocket(int port, int sockbuf, boolean receiver) throws IOException {
		NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
		DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
		channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
		channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
		channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 0);
		channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
		if (receiver) {
			channel.setOption(StandardSocketOptions.SO_RCVBUF, sockbuf);
			channel.bind(new InetSocketAddress(InetAddress.getByName(GROUP), port));
			channel.join(InetAddress.getByName(GROUP), lo);
		}
		else {
			channel.setOption(StandardSocketOptions.SO_SNDBUF, sockbuf);
			channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		}
		return channel;
	}

	private static Cipher gcm(int mode, long runId, int sequence) throws GeneralSecurityException {
		Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
		byte[] nonce = new byte[12];
		ByteBuffer.wrap(nonce).putInt(sequence).putLong(runId);
		cipher.init(mode, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, nonce));
		return cipher;
	}

	// ---------------------------------------------------------------- sender

	/**
	 * Commands: {@code send runId packets bytesPerSecond work} (0 bytes per second: unpaced);
	 * reports {@code SENT runId firstNanos lastNanos}.
	 */
	private static void sender(Args args) throws Exception {
		int packet = args.getInt("packet", 60_000);
		DatagramChannel channel = openSocket(0, args.getInt("sockbuf", 16 << 20), false);
		InetSocketAddress group = new InetSocketAddress(InetAddress.getByName(GROUP), args.getInt("port", 0));
		byte[] source = new byte[64 << 20];
		ThreadLocalRandom.current().nextBytes(source);
		byte[] frame = new byte[packet];
		ByteBuffer out = ByteBuffer.allocateDirect(packet);
		System.out.println("READY");
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null && !line.equals("quit")) {
			String[] f = line.trim().split("\\s+");
			long runId = Long.parseLong(f[1]);
			int packets = Integer.parseInt(f[2]);
			double rate = Double.parseDouble(f[3]);
			boolean seal = f[4].equals("gcm");
			int payload = packet - HEADER - (seal ? TAG : 0);
			long first = System.nanoTime();
			for (int seq = 0; seq < packets; seq++) {
				if (rate > 0) {
					long due = first + (long) (1e9 * seq * packet / rate);
					long wait;
					while ((wait = due - System.nanoTime()) > 0) {
						if (wait > 50_000) {
							LockSupport.parkNanos(wait - 20_000);
						}
					}
				}
				ByteBuffer.wrap(frame).putLong(runId).putInt(seq).putInt(packets);
				int from = (int) (((long) seq * payload) % (source.length - payload));
				if (seal) {
					gcm(Cipher.ENCRYPT_MODE, runId, seq).doFinal(source, from, payload, frame, HEADER);
				}
				else {
					System.arraycopy(source, from, frame, HEADER, payload);
				}
				out.clear();
				out.put(frame, 0, packet).flip();
				channel.send(out, group);
			}
			System.out.println("SENT " + runId + " " + first + " " + System.nanoTime());
		}
	}

	// ---------------------------------------------------------------- receiver

	/**
	 * Takes datagrams of one run at a time: {@code expect runId packets work} arms it; it
	 * reports {@code GOT runId received lastNanos} once every datagram arrived, or 500 ms after
	 * the last one if some never do.
	 */
	private static void receiver(Args args) throws Exception {
		int packet = args.getInt("packet", 60_000);
		long maxBytes = (long) args.getInt("mib", 512) << 20;
		DatagramChannel channel = openSocket(args.getInt("port", 0), args.getInt("sockbuf", 16 << 20), true);
		System.out.println("READY " + channel.getOption(StandardSocketOptions.SO_RCVBUF));
		byte[] target = new byte[(int) Math.min(Integer.MAX_VALUE - 16, maxBytes + packet)];
		ByteBuffer buffer = ByteBuffer.allocateDirect(packet + 1);
		byte[] scratch = new byte[packet + 1];
		// waits in epoll like a node loop does, rather than spinning on the shared cores
		channel.configureBlocking(false);
		Selector selector = Selector.open();
		channel.register(selector, SelectionKey.OP_READ);
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null && !line.equals("quit")) {
			String[] f = line.trim().split("\\s+");
			long runId = Long.parseLong(f[1]);
			int packets = Integer.parseInt(f[2]);
			boolean open = f[3].equals("gcm");
			int payload = packet - HEADER - (open ? TAG : 0);
			BitSet held = new BitSet(packets);
			int received = 0;
			long last = 0;
			long quietSince = System.nanoTime();
			System.out.println("ARMED " + runId);
			while (received < packets) {
				buffer.clear();
				if (channel.receive(buffer) == null) {
					if (received > 0 && System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(500)) {
						break;
					}
					if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(60)) {
						break;
					}
					selector.select(100);
					selector.selectedKeys().clear();
					continue;
				}
				quietSince = System.nanoTime();
				buffer.flip();
				if (buffer.remaining() != packet || buffer.getLong(0) != runId) {
					continue;
				}
				int seq = buffer.getInt(8);
				if (seq < 0 || seq >= packets || held.get(seq) || (long) (seq + 1) * payload > target.length) {
					continue;
				}
				if (open) {
					buffer.get(scratch, 0, packet);
					try {
						gcm(Cipher.DECRYPT_MODE, runId, seq).doFinal(scratch, HEADER, packet - HEADER, target,
								seq * payload);
					}
					catch (GeneralSecurityException ex) {
						continue;
					}
				}
				else {
					buffer.position(HEADER);
					buffer.get(target, seq * payload, payload);
				}
				held.set(seq);
				received++;
				last = System.nanoTime();
			}
			System.out.println("GOT " + runId + " " + received + " " + last);
		}
	}

	// ---------------------------------------------------------------- parent

	private static final class Parent {

		private final Args args;

		private final int receivers;

		private final int mib;

		private final int packet;

		private final Path logDir;

		private final List<Child> children = new ArrayList<>();

		Parent(Args args) {
			this.args = args;
			this.receivers = args.getInt("receivers", 3);
			this.mib = args.getInt("mib", 512);
			this.packet = args.getInt("packet", 60_000);
			this.logDir = Path.of("target", "multicast-floor",
					LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
		}

		void run() throws Exception {
			long[] saved = raiseBufferLimits();
			try {
				measure();
			}
			finally {
				for (Child c : this.children) {
					c.kill();
				}
				if (saved != null) {
					ProcStats.writeNumber("/proc/sys/net/core/rmem_max", saved[0]);
					ProcStats.writeNumber("/proc/sys/net/core/wmem_max", saved[1]);
					say("restored net.core.rmem_max=" + saved[0] + " wmem_max=" + saved[1]);
				}
			}
		}

		private long[] raiseBufferLimits() {
			long rmem = ProcStats.readNumber("/proc/sys/net/core/rmem_max");
			long wmem = ProcStats.readNumber("/proc/sys/net/core/wmem_max");
			int sockbuf = this.args.getInt("sockbuf", 16 << 20);
			if (!this.args.flag("raise-buffer-limits") || (rmem >= sockbuf && wmem >= sockbuf)) {
				say("kernel limits: net.core.rmem_max=" + rmem + " wmem_max=" + wmem + " (requested " + sockbuf + ")");
				return null;
			}
			ProcStats.writeNumber("/proc/sys/net/core/rmem_max", Math.max(rmem, sockbuf));
			ProcStats.writeNumber("/proc/sys/net/core/wmem_max", Math.max(wmem, sockbuf));
			say("raised for this run: net.core.rmem_max=" + ProcStats.readNumber("/proc/sys/net/core/rmem_max")
					+ " wmem_max=" + ProcStats.readNumber("/proc/sys/net/core/wmem_max"));
			return new long[] { rmem, wmem };
		}

		private void measure() throws Exception {
			int reps = this.args.getInt("reps", 3);
			String[] works = this.args.get("work", "place,gcm").split(",");
			double[] rates = Arrays.stream(this.args.get("rates", "400,700,1000,1400,0").split(","))
				.mapToDouble(Double::parseDouble)
				.toArray();
			say("multicast floor: 1 sender + " + this.receivers + " receivers on lo, " + this.mib + " MiB in "
					+ this.packet + "-byte datagrams, no repair; host: " + Runtime.getRuntime().availableProcessors()
					+ " cores; java " + System.getProperty("java.version") + "; logs in " + this.logDir);
			List<String> rows = new ArrayList<>();
			if (!this.args.flag("skip-tcp")) {
				rows.add(tcpRow(reps));
			}
			int port = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
			String sockbuf = Integer.toString(this.args.getInt("sockbuf", 16 << 20));
			Child sender = launch("mf-s0", "--role", "sender", "--port", Integer.toString(port), "--packet",
					Integer.toString(this.packet), "--sockbuf", sockbuf);
			sender.require(0, 60_000, "READY");
			List<Child> rcv = new ArrayList<>();
			for (int i = 1; i <= this.receivers; i++) {
				Child c = launch("mf-r" + i, "--role", "receiver", "--port", Integer.toString(port), "--packet",
						Integer.toString(this.packet), "--mib", Integer.toString(this.mib), "--sockbuf", sockbuf);
				rcv.add(c);
			}
			for (Child c : rcv) {
				say("    " + c.name + ": SO_RCVBUF " + c.require(0, 60_000, "READY").fields()[1]);
			}
			long runId = 1;
			for (String work : works) {
				// warm-up: the JIT compiles the send and receive loops before anything is measured
				for (int w = 0; w < 3; w++) {
					one(sender, rcv, runId++, work, 300, 4_000);
				}
				for (double rate : rates) {
					List<double[]> results = new ArrayList<>();
					for (int rep = 0; rep < reps; rep++) {
						int packets = packetsFor(work);
						results.add(one(sender, rcv, runId++, work, rate, packets));
					}
					rows.add(row(work, rate, results));
					say("  " + rows.get(rows.size() - 1));
				}
			}
			say("");
			say("Medians of " + reps + " (aggregate = R x bytes delivered / (last datagram taken by the slowest"
					+ " receiver - first datagram sent))");
			say(String.format("%-6s %-10s %10s %12s %12s %14s", "work", "rate MiB/s", "seconds", "agg MiB/s",
					"lost %", "kernel drops"));
			for (String row : rows) {
				say(row);
			}
		}

		private int packetsFor(String work) {
			int payload = this.packet - HEADER - (work.equals("gcm") ? TAG : 0);
			return (int) (((long) this.mib << 20) / payload);
		}

		/** One transfer; returns {seconds, delivered bytes, lost fraction, kernel drops}. */
		private double[] one(Child sender, List<Child> rcv, long runId, String work, double rateMib, int packets)
				throws InterruptedException {
			int[] marks = new int[rcv.size()];
			long drops = 0;
			for (int i = 0; i < rcv.size(); i++) {
				marks[i] = rcv.get(i).mark();
				drops -= ProcStats.socketDrops(rcv.get(i).pid());
				rcv.get(i).send("expect " + runId + " " + packets + " " + work);
			}
			for (int i = 0; i < rcv.size(); i++) {
				rcv.get(i).require(marks[i], 10_000, "ARMED");
			}
			int mark = sender.mark();
			sender.send("send " + runId + " " + packets + " " + (rateMib * (1 << 20)) + " " + work);
			String[] sent = sender.require(mark, 300_000, "SENT").fields();
			long first = Long.parseLong(sent[2]);
			long last = first;
			long delivered = 0;
			int payload = this.packet - HEADER - (work.equals("gcm") ? TAG : 0);
			for (int i = 0; i < rcv.size(); i++) {
				String[] got = rcv.get(i).require(marks[i], 120_000, "GOT").fields();
				int received = Integer.parseInt(got[2]);
				delivered += (long) received * payload;
				last = Math.max(last, Long.parseLong(got[3]));
				drops += ProcStats.socketDrops(rcv.get(i).pid());
			}
			double lost = 1.0 - (double) delivered / ((double) packets * payload * rcv.size());
			return new double[] { (last - first) / 1e9, delivered, lost, drops };
		}

		private String row(String work, double rate, List<double[]> results) {
			double seconds = median(results, 0);
			double aggregate = median(results.stream().map((r) -> new double[] { r[1] / r[0] / (1 << 20) }).toList(), 0);
			return String.format("%-6s %-10s %10.2f %12.0f %12.3f %14.0f", work, (rate > 0) ? String.format("%.0f", rate)
					: "unpaced", seconds, aggregate, 100 * median(results, 2), median(results, 3));
		}

		private static double median(List<double[]> results, int field) {
			double[] v = results.stream().mapToDouble((r) -> r[field]).sorted().toArray();
			return (v.length % 2 == 1) ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
		}

		/** The TCP fan-out of {@link ReplicationBenchmark}, warmed up the same way, on its snapshot. */
		private String tcpRow(int reps) throws Exception {
			Child sender = launch("tcp-s0", TcpFanout.class, "--role", "sender", "--receivers",
					Integer.toString(this.receivers), "--mib", Integer.toString(this.mib), "--delta-percent", "1",
					"--delta-round", "1", "--data-seed", "42");
			String[] ready = sender.require(0, 300_000, "READY").fields();
			long bytes = Long.parseLong(ready[2]);
			List<Child> rcv = new ArrayList<>();
			for (int i = 1; i <= this.receivers; i++) {
				rcv.add(launch("tcp-r" + i, TcpFanout.class, "--role", "receiver", "--port", ready[1]));
			}
			for (Child c : rcv) {
				c.require(0, 60_000, "READY");
			}
			sender.require(0, 60_000, "CONNECTED");
			List<double[]> results = new ArrayList<>();
			int rounds = ReplicationBenchmark.WARMUP_ROUNDS + reps;
			for (int round = 0; round < rounds; round++) {
				boolean warm = round < ReplicationBenchmark.WARMUP_ROUNDS;
				int[] marks = rcv.stream().mapToInt(Child::mark).toArray();
				long t0 = System.nanoTime();
				sender.send(warm ? "send warmup " + ReplicationBenchmark.WARMUP_MIB : "send snapshot");
				long last = t0;
				for (int i = 0; i < rcv.size(); i++) {
					last = Math.max(last, rcv.get(i).require(marks[i], 120_000, "DONE").nanos());
				}
				if (!warm) {
					results.add(new double[] { (last - t0) / 1e9, (double) bytes * rcv.size(), 0, 0 });
				}
			}
			sender.send("quit");
			for (Child c : rcv) {
				c.kill();
			}
			sender.kill();
			String row = row("tcp", 0, results).replace("unpaced", "-");
			say("  " + row);
			return row;
		}

		private Child launch(String name, String... childArgs) throws IOException {
			return launch(name, MulticastFloor.class, childArgs);
		}

		private Child launch(String name, Class<?> main, String... childArgs) throws IOException {
			List<String> cmd = new ArrayList<>();
			cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
			cmd.add("-Xmx3g");
			cmd.add("-Xms3g");
			cmd.add("-XX:+AlwaysPreTouch");
			cmd.add("-cp");
			cmd.add(System.getProperty("java.class.path"));
			cmd.add(main.getName());
			cmd.addAll(Arrays.asList(childArgs));
			cmd.add("--max-seconds");
			cmd.add("900");
			Files.createDirectories(this.logDir);
			Child child = Child.start(name, cmd, this.logDir);
			this.children.add(child);
			return child;
		}

		private static void say(String text) {
			System.out.println(text);
		}

	}

}
