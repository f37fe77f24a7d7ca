package io.zynco.benchmarks.replication;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * The JIT's work inside the measured windows of {@link ReplicationBenchmark}, from the JFR
 * recordings its children write with {@code --jfr true}: every {@code jdk.Compilation} (at
 * threshold 0, so every compilation with its length) and every {@code jdk.Deoptimization}.
 * {@link #settings(Path)} writes the JFR settings (JDK's {@code default.jfc} with the
 * compilation threshold at 0 ms); {@link #flag(Path, Path)} is the child's option, one file per
 * child since JDK 17 does not expand {@code %p}; {@link #window} reads a child's file after it
 * exited. JFR's instants are wall-clock; they are placed on the {@link System#nanoTime()} clock
 * of the children's report lines with this JVM's offset between the two clocks (the same for
 * every process of the host, to within a millisecond). Stateless.
 */
final class JitRecord {

	private JitRecord() {
	}

	/** One compilation (tier 1-4) or deoptimization (tier -1) and where it fell. */
	record Event(long startNanos, double millis, int tier, boolean osr, String thread, String method, String detail) {
	}

	/** Writes {@code jit.jfc} into {@code dir}: the JDK's default settings, every compilation recorded. */
	static Path settings(Path dir) throws IOException {
		Path source = Path.of(System.getProperty("java.home"), "lib", "jfr", "default.jfc");
		String xml = Files.readString(source, StandardCharsets.UTF_8);
		String changed = xml.replaceFirst(
				"(<event name=\"jdk\\.Compilation\">\\s*<setting name=\"enabled\"[^<]*</setting>\\s*"
						+ "<setting name=\"threshold\"[^>]*>)[^<]*(</setting>)",
				"$10 ms$2");
		if (changed.equals(xml)) {
			throw new IllegalStateException("could not set jdk.Compilation's threshold in " + source);
		}
		Path target = dir.resolve("jit.jfc");
		Files.writeString(target, changed, StandardCharsets.UTF_8);
		return target;
	}

	/** The JVM option that records a child into {@code file} with {@code settings}. */
	static String flag(Path file, Path settings) {
		return "-XX:StartFlightRecording=filename=" + file + ",settings=" + settings + ",dumponexit=true";
	}

	/** System.nanoTime() minus the wall clock, in nanoseconds. */
	static long nanoOffset() {
		Instant now = Instant.now();
		return System.nanoTime() - (now.getEpochSecond() * 1_000_000_000L + now.getNano());
	}

	/**
	 * Every compilation and deoptimization in {@code file} that ran in [from, to] (nanoTime),
	 * a compilation that started before {@code from} but still ran then included (its compiler
	 * thread's CPU counts in the window's {@code jit=}).
	 */
	static List<Event> window(Path file, long from, long to, long nanoOffset) throws IOException {
		List<Event> events = new ArrayList<>();
		for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
			String type = e.getEventType().getName();
			boolean compilation = type.equals("jdk.Compilation");
			if (!compilation && !type.equals("jdk.Deoptimization")) {
				continue;
			}
			Instant start = e.getStartTime();
			long nanos = start.getEpochSecond() * 1_000_000_000L + start.getNano() + nanoOffset;
			long end = nanos + e.getDuration().toNanos();
			if (end < from || nanos > to) {
				continue;
			}
			RecordedMethod m = e.getValue("method");
			String method = (m != null) ? m.getType().getName() + "." + m.getName() + m.getDescriptor() : "?";
			String thread = (e.getThread() != null) ? e.getThread().getJavaName() : "?";
			if (compilation) {
				events.add(new Event(nanos, e.getDuration().toNanos() / 1e6, e.getInt("compileLevel"),
						e.getBoolean("isOsr"), thread, method, "size=" + e.getLong("codeSize") + " inlined="
								+ e.getLong("inlinedBytes") + (e.getBoolean("succeded") ? "" : " FAILED")));
			}
			else {
				events.add(new Event(nanos, 0, -1, false, thread, method, "reason=" + e.getString("reason")
						+ " action=" + e.getString("action") + " bci=" + e.getInt("bci") + " line="
						+ e.getInt("lineNumber") + " instruction=" + e.getString("instruction")));
			}
		}
		events.sort((a, b) -> Long.compare(a.startNanos(), b.startNanos()));
		return events;
	}

	/** C2 and C1 compilations with their summed time, deoptimizations, and the methods C2 took longest on. */
	static String summary(List<Event> events, int topMethods) {
		int c2 = 0;
		int c1 = 0;
		int deopts = 0;
		int osr = 0;
		double c2Millis = 0;
		double c1Millis = 0;
		Map<String, Double> c2ByMethod = new TreeMap<>();
		for (Event e : events) {
			if (e.tier() < 0) {
				deopts++;
			}
			else if (e.tier() == 4) {
				c2++;
				c2Millis += e.millis();
				osr += e.osr() ? 1 : 0;
				c2ByMethod.merge(shortName(e.method()), e.millis(), Double::sum);
			}
			else {
				c1++;
				c1Millis += e.millis();
			}
		}
		StringBuilder top = new StringBuilder();
		c2ByMethod.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(topMethods)
			.forEach((x) -> top.append((top.length() == 0) ? "" : ", ").append(x.getKey())
				.append(String.format(Locale.ROOT, " %.0f", x.getValue())));
		return String.format(Locale.ROOT, "C2 %d (%.0f ms, %d OSR), C1 %d (%.0f ms), deopt %d%s", c2, c2Millis, osr, c1,
				c1Millis, deopts, (top.length() == 0) ? "" : "; C2 ms: " + top);
	}

	/** Writes every event with its time after {@code t0} in seconds. */
	static void write(PrintWriter out, String child, List<Event> events, long t0) {
		for (Event e : events) {
			out.printf(Locale.ROOT, "%-3s %+8.3f %8.1f ms tier %2d%s %-22s %s %s%n", child, (e.startNanos() - t0) / 1e9,
					e.millis(), e.tier(), e.osr() ? " OSR" : "    ", e.thread(), e.method(), e.detail());
		}
	}

	private static String shortName(String method) {
		int paren = method.indexOf('(');
		String name = (paren > 0) ? method.substring(0, paren) : method;
		int dot = name.lastIndexOf('.');
		int dot2 = (dot > 0) ? name.lastIndexOf('.', dot - 1) : -1;
		return name.substring(dot2 + 1);
	}

}
