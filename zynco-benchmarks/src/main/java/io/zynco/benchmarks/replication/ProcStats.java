package io.zynco.benchmarks.replication;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads Linux {@code /proc}: CPU time of a process and of its threads by kind, loopback byte
 * counters, UDP counters, and the drop counters of a process's UDP sockets. Every method
 * answers zero or empty when a file cannot be read (another OS, a process gone). Stateless.
 */
final class ProcStats {

	/** Clock ticks per second of {@code /proc/<pid>/stat} times (USER_HZ, 100 on Linux). */
	static final int CLOCK_TICKS = 100;

	private ProcStats() {
	}

	/** User plus system CPU seconds of a process (all its threads, exited ones included). */
	static double cpuSeconds(long pid) {
		long[] t = cpuTicks(Path.of("/proc", Long.toString(pid), "stat"));
		return (t == null) ? 0 : (t[0] + t[1]) / (double) CLOCK_TICKS;
	}

	/** {utime, stime} in ticks, or null. */
	private static long[] cpuTicks(Path stat) {
		try {
			String s = read(stat);
			String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
			// after "pid (comm) ": state is f[0]; utime is field 14 of the file, f[11]; stime f[12]
			return new long[] { Long.parseLong(f[11]), Long.parseLong(f[12]) };
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static String comm(Path stat) {
		try {
			String s = read(stat);
			return s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
		}
		catch (IOException | RuntimeException ex) {
			return "?";
		}
	}

	/** The kind of a JVM thread, from its (15-character) name. */
	static String kind(String comm) {
		if (comm.startsWith("zynco-worker")) {
			return "worker";
		}
		if (comm.startsWith("zynco-")) {
			return "loop";
		}
		if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
			return "gc";
		}
		if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
			return "jit";
		}
		if (comm.equals("main")) {
			return "main";
		}
		if (comm.startsWith("writer-")) {
			return "writers";
		}
		return "other";
	}

	/** CPU seconds by thread kind of the live threads of a process. */
	static Map<String, Double> threadCpu(long pid) {
		Map<String, Double> byKind = new LinkedHashMap<>();
		Path tasks = Path.of("/proc", Long.toString(pid), "task");
		try (Stream<Path> list = Files.list(tasks)) {
			for (Path task : list.toList()) {
				Path stat = task.resolve("stat");
				long[] t = cpuTicks(stat);
				if (t != null) {
					byKind.merge(kind(comm(stat)), (t[0] + t[1]) / (double) CLOCK_TICKS, Double::sum);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// process gone
		}
		return byKind;
	}

	/** {rx, tx} bytes of the loopback interface (the whole host). */
	static long[] loopbackBytes() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/net/dev"))) {
				String t = line.trim();
				if (t.startsWith("lo:")) {
					String[] f = t.substring(3).trim().split("\\s+");
					return new long[] { Long.parseLong(f[0]), Long.parseLong(f[8]) };
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux
		}
		return new long[] { 0, 0 };
	}

	/** The {@code Udp:} counters of {@code /proc/net/snmp} (the whole host). */
	static Map<String, Long> udpCounters() {
		Map<String, Long> counters = new LinkedHashMap<>();
		try {
			List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
			for (int i = 0; i + 1 < lines.size(); i++) {
				if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
					String[] names = lines.get(i).split("\\s+");
					String[] values = lines.get(i + 1).split("\\s+");
					for (int k = 1; k < Math.min(names.length, values.length); k++) {
						counters.put(names[k], Long.parseLong(values[k]));
					}
					break;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux
		}
		return counters;
	}

	/** Datagrams the kernel dropped on the UDP sockets of a process (full receive buffers). */
	static long socketDrops(long pid) {
		Set<String> inodes = new HashSet<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			for (Path fd : fds.toList()) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(target.substring(8, target.length() - 1));
					}
				}
				catch (IOException ex) {
					// closed meanwhile
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
		long drops = 0;
		for (String table : new String[] { "/proc/net/udp", "/proc/net/udp6" }) {
			try {
				List<String> lines = Files.readAllLines(Path.of(table));
				for (int i = 1; i < lines.size(); i++) {
					String[] f = lines.get(i).trim().split("\\s+");
					if (f.length >= 13 && inodes.contains(f[9])) {
						drops += Long.parseLong(f[f.length - 1]);
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				// no such table
			}
		}
		return drops;
	}

	/** Busy CPU seconds of the whole host since boot (all cores; idle and iowait excluded). */
	static double hostBusySeconds() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
				if (line.startsWith("cpu ")) {
					String[] f = line.trim().split("\\s+");
					long busy = 0;
					for (int i = 1; i < f.length && i <= 8; i++) {
						if (i != 4 && i != 5) {
							busy += Long.parseLong(f[i]);
						}
					}
					return busy / (double) CLOCK_TICKS;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux
		}
		return 0;
	}

	/** The 1-minute load average, or -1. */
	static double loadAverage() {
		try {
			return Double.parseDouble(read(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * A small pseudo-file, read from offset 0 with a large buffer: some of them ({@code /proc/sys})
	 * answer a read at a non-zero offset with end-of-file.
	 */
	static String read(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			byte[] buffer = new byte[8192];
			int total = 0;
			int n;
			while (total < buffer.length && (n = in.read(buffer, total, buffer.length - total)) > 0) {
				total += n;
			}
			return new String(buffer, 0, total, StandardCharsets.US_ASCII);
		}
	}

	/** Reads a one-number file such as {@code /proc/sys/net/core/rmem_max}; -1 if unreadable. */
	static long readNumber(String file) {
		try {
			return Long.parseLong(read(Path.of(file)).trim());
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** Writes a one-number file; false if not writable. */
	static boolean writeNumber(String file, long value) {
		try {
			Files.writeString(Path.of(file), Long.toString(value));
			return readNumber(file) == value;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	/** Whether the loopback interface has the MULTICAST flag (IFF_MULTICAST, 0x1000). */
	static boolean loopbackMulticast() {
		long flags;
		try {
			flags = Long.decode(read(Path.of("/sys/class/net/lo/flags")).trim());
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
		return (flags & 0x1000) != 0;
	}

}
