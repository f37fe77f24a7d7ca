package io.zynco.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * One command for the state-engine targets: computes the delta size, runs the JMH benchmarks
 * (fingerprint, build, diff, delta, FastCDC) and {@link ChainFootprint} in a JVM of its own,
 * then prints a table of medians against the targets with PASS or MISS.
 *
 * <pre>
 * java -cp zynco-benchmarks/target/benchmarks.jar io.zynco.benchmarks.StateEngineReport [--quick] [--entries N]
 * </pre>
 *
 * {@code --quick} runs one warm-up and two measured iterations per benchmark (a smoke test,
 * not a measurement); {@code --entries} shrinks the state (the targets are for 1,000,000). JMH
 * results are also written to {@code jmh-state-engine.json} next to the jar. Not thread-safe (a main).
 */
public final class StateEngineReport {

	private static final String BENCHMARKS = "io\\.zynco\\.benchmarks\\."
			+ "(FingerprintBenchmark|BuildBenchmark|DiffBenchmark|DeltaBenchmark|FastCdcBenchmark)\\..*";

	private StateEngineReport() {
	}

	public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
		boolean quick = false;
		int entries = StateData.ENTRIES;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--quick" -> quick = true;
				case "--entries" -> entries = Integer.parseInt(args[++i]);
				default -> throw new IllegalArgumentException("unknown argument " + args[i]
						+ "; use --quick and --entries N");
			}
		}
		Locale.setDefault(Locale.ROOT);
		String loadBefore = loadAverage();

		DeltaSize size = deltaSize(entries);
		long dataBytes = size.dataBytes();
		long deltaBytes = size.deltaBytes();
		long payloadBytes = size.payloadBytes();
		int changes = size.changes();

		Map<String, Statistics> jmh = runJmh(quick, entries);
		Map<String, String> chain = runChainFootprint(entries);

		List<String[]> rows = new ArrayList<>();
		Statistics fp = jmh.get("fullFingerprint:input");
		if (fp != null) {
			double mbps = dataBytes / 1e6 / (fp.getPercentile(50) / 1e3);
			rows.add(row("1 full fingerprint (recomputeRootFingerprint)",
					String.format("%.0f MB/s (%s)", mbps, time(fp)), ">= 1000 MB/s", verdict(mbps >= 1000)));
		}
		Statistics fpEngine = jmh.get("fullFingerprint:engine");
		if (fpEngine != null) {
			rows.add(row("  same, entries allocated in engine order", String.format("%.0f MB/s (%s)",
					dataBytes / 1e6 / (fpEngine.getPercentile(50) / 1e3), time(fpEngine)), "(info)", ""));
		}
		Statistics build = jmh.get("buildFromScratch");
		if (build != null) {
			rows.add(row("  build from scratch (Snapshot.builder)", String.format("%.0f MB/s (%s)",
					dataBytes / 1e6 / (build.getPercentile(50) / 1e3), time(build)), "(info)", ""));
		}
		addTimeRow(rows, jmh, "diffShared", "2 diff, 1% changed, shared target (edit)", 100);
		addTimeRow(rows, jmh, "diffFullReload", "2 diff, 1% changed, full-reload target", 100);
		addTimeRow(rows, jmh, "encodeDecodeApply", "3 encode + decode + apply, 1% delta", 100);
		addTimeRow(rows, jmh, "encode", "  encode", -1);
		addTimeRow(rows, jmh, "decode", "  decode", -1);
		addTimeRow(rows, jmh, "apply", "  apply", -1);
		long allowed = payloadBytes + 16L * changes;
		rows.add(row("4 delta size vs payload + 16 B/change",
				String.format("%,d B = payload %,d + %.2f B/change", deltaBytes, payloadBytes,
						(double) (deltaBytes - payloadBytes) / changes),
				String.format("<= %,d B", allowed), verdict(deltaBytes <= allowed)));
		if (chain.containsKey("ratio")) {
			double ratio = Double.parseDouble(chain.get("ratio"));
			double overhead = Double.parseDouble(chain.get("overheadPerEntry"));
			rows.add(row("5 chain of " + chain.get("versions") + " x 1% versions / one snapshot (measured heap)",
					String.format("%.3f (%,d / %,d B)", ratio, Long.parseLong(chain.get("chainHeap")),
							Long.parseLong(chain.get("snapshotHeap"))),
					"<= 1.2", verdict(ratio <= 1.2)));
			rows.add(row("  after " + 2 * Integer.parseInt(chain.get("versions")) + " versions, window full (measured)",
					String.format("%.3f", Double.parseDouble(chain.get("steadyRatio"))), "(info)", ""));
			rows.add(row("5 per-entry heap overhead (measured)", String.format("%.1f B/entry", overhead),
					"<= 48 B/entry", verdict(overhead <= 48)));
		}
		else {
			rows.add(row("5 chain footprint", "no result (see ChainFootprint output)", "<= 1.2", "MISS"));
		}
		Statistics cdc = jmh.get("chunk");
		if (cdc != null) {
			double mbps = FastCdcBenchmark.SIZE / 1e6 / (cdc.getPercentile(50) / 1e3);
			rows.add(row("6 FastCDC chunking, 64 MiB, defaults", String.format("%.0f MB/s (%s)", mbps, time(cdc)),
					">= 500 MB/s", verdict(mbps >= 500)));
		}
		System.out.printf("%nState-engine targets: %,d entries, %,d data bytes, %,d changes per version%s%n", entries,
				dataBytes, changes, quick ? " (QUICK RUN: not a measurement)" : "");
		System.out.println("Times are medians of JMH iterations; in brackets: median, fastest iteration, and JMH mean +- 99.9%"
				+ " error. Load average before / after: " + loadBefore + " / " + loadAverage());
		System.out.println("MB = 10^6 bytes. Times of the 2-core shared machine vary with its load: compare medians to the"
				+ " fastest iteration.");
		printTable(rows);
	}

	/** Target 4 needs no timing: computed here, and the state is garbage before JMH forks. */
	private static DeltaSize deltaSize(int entries) {
		StateFixture fixture = StateFixture.create(entries, entries / 100);
		System.out.println(fixture.describe());
		return new DeltaSize(fixture.base().dataBytes(), fixture.deltaBytes(), fixture.payloadBytes(),
				fixture.changeCount());
	}

	private record DeltaSize(long dataBytes, long deltaBytes, long payloadBytes, int changes) {
	}

	private static Map<String, Statistics> runJmh(boolean quick, int entries) throws RunnerException {
		ChainedOptionsBuilder options = new OptionsBuilder().include(BENCHMARKS)
			.param("entries", Integer.toString(entries))
			.resultFormat(ResultFormatType.JSON)
			.result(resultFile().getPath());
		if (quick) {
			options.warmupIterations(1).measurementIterations(2);
		}
		Collection<RunResult> results = new Runner(options.build()).run();
		Map<String, Statistics> byMethod = new HashMap<>();
		for (RunResult result : results) {
			String benchmark = result.getParams().getBenchmark();
			String layout = result.getParams().getParam("layout");
			byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1) + ((layout != null) ? ":" + layout : ""),
					result.getPrimaryResult().getStatistics());
		}
		return byMethod;
	}

	/** JMH's JSON results, next to the benchmarks jar (in {@code zynco-benchmarks/target}). */
	private static File resultFile() {
		try {
			File code = new File(StateEngineReport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			File dir = code.isFile() ? code.getParentFile() : code;
			return new File(dir, "jmh-state-engine.json");
		}
		catch (URISyntaxException | RuntimeException ex) {
			return new File(System.getProperty("java.io.tmpdir"), "jmh-state-engine.json");
		}
	}

	private static Map<String, String> runChainFootprint(int entries) throws IOException, InterruptedException {
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		List<String> command = List.of(java, "-Xmx4g", "-XX:+UseParallelGC", "-cp",
				System.getProperty("java.class.path"), ChainFootprint.class.getName(), "--entries",
				Integer.toString(entries));
		System.out.println("\n# ChainFootprint: " + String.join(" ", command.subList(1, 3)) + " ...");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		Map<String, String> values = new HashMap<>();
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				System.out.println(line);
				if (line.startsWith(ChainFootprint.RESULT_PREFIX)) {
					for (String pair : line.substring(ChainFootprint.RESULT_PREFIX.length()).trim().split(" ")) {
						int eq = pair.indexOf('=');
						values.put(pair.substring(0, eq), pair.substring(eq + 1));
					}
				}
			}
		}
		int exit = process.waitFor();
		if (exit != 0) {
			System.out.println("ChainFootprint exited with " + exit);
		}
		return values;
	}

	private static void addTimeRow(List<String[]> rows, Map<String, Statistics> jmh, String method, String label,
			double targetMillis) {
		Statistics stats = jmh.get(method);
		if (stats == null) {
			return;
		}
		if (targetMillis < 0) {
			rows.add(row(label, time(stats), "(part)", ""));
		}
		else {
			rows.add(row(label, time(stats), String.format("< %.0f ms", targetMillis),
					verdict(stats.getPercentile(50) < targetMillis)));
		}
	}

	private static String time(Statistics stats) {
		String mean = Double.isNaN(stats.getMeanErrorAt(0.999)) ? millis(stats.getMean())
				: millis(stats.getMean()) + " +- " + millis(stats.getMeanErrorAt(0.999));
		return millis(stats.getPercentile(50)) + " ms; min " + millis(stats.getMin()) + ", mean " + mean;
	}

	private static String millis(double value) {
		return String.format((value < 10) ? "%.2f" : "%.1f", value);
	}

	/** The 1, 5 and 15-minute load averages on Linux, for judging how noisy a run was. */
	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException | RuntimeException ex) {
			return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
	}

	private static String verdict(boolean pass) {
		return pass ? "PASS" : "MISS";
	}

	private static String[] row(String... cells) {
		return cells;
	}

	private static void printTable(List<String[]> rows) {
		String[] header = { "Target", "Measured", "Goal", "Result" };
		int[] width = new int[header.length];
		for (int c = 0; c < header.length; c++) {
			width[c] = header[c].length();
			for (String[] row : rows) {
				width[c] = Math.max(width[c], row[c].length());
			}
		}
		StringBuilder format = new StringBuilder();
		for (int c = 0; c < header.length; c++) {
			format.append("%-").append(width[c]).append("s").append((c < header.length - 1) ? " | " : "%n");
		}
		System.out.printf(format.toString(), (Object[]) header);
		StringBuilder rule = new StringBuilder();
		for (int c = 0; c < header.length; c++) {
			rule.append("-".repeat(width[c])).append((c < header.length - 1) ? "-+-" : "");
		}
		System.out.println(rule);
		for (String[] row : rows) {
			System.out.printf(format.toString(), (Object[]) row);
		}
	}

}
