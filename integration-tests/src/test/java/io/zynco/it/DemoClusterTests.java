package io.zynco.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main job, as {@code ./demo} runs it: the runnable jar's {@code demo} command starts three
 * fare services as processes, loads, reprices, rolls back under a checked client load, prints
 * the summary and the URLs, and (with {@code --exit}) stops every node and exits 0.
 */
class DemoClusterTests {

	@Test
	void theDemoRunsItsStepsWithoutErrorsAndStopsItsNodes(@TempDir Path logs) throws Exception {
		Path jar = Path.of(System.getProperty("zynco.sample.jar", "../sample-app/target/sample-app-exec.jar"));
		assertThat(jar).as("the runnable fare service jar (sample-app's package phase)").isRegularFile();
		int http = freeRange(3);
		int control = freeRange(3);
		Path output = logs.resolve("demo.out");
		Process demo = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx256m", "-jar", jar.toString(), "demo", "--fares", "20000", "--exit", "--heap", "384m",
				"--http-port", String.valueOf(http), "--control-port", String.valueOf(control), "--rate", "100",
				"--logs", logs.toString()))
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		boolean exited = demo.waitFor(5, TimeUnit.MINUTES);
		if (!exited) {
			demo.destroyForcibly();
		}
		String out = Files.readString(output, StandardCharsets.UTF_8);
		assertThat(exited).as(out).isTrue();
		assertThat(demo.exitValue()).as(out).isZero();
		assertThat(out).contains("cluster formed: 3 members")
			.contains("initial load: fares v")
			.contains("reprice 1%: fares v")
			.contains("rollback (through node-3's endpoint)")
			.containsPattern("initial load +v\\d+ +[0-9.]+ MiB")
			.containsPattern("client load: [0-9,]+ requests to 3 nodes, 0 failed, 0 inconsistent")
			.contains("curl -i 'http://127.0.0.1:" + http + "/api/fares?route=LHR-JFK")
			.contains("Stopping the nodes");
		// every node process is gone
		assertThat(ProcessHandle.allProcesses()
			.filter((process) -> process.info().commandLine().orElse("").contains("--server.port=" + http)))
			.isEmpty();
	}

	/** The first port of {@code count} consecutive free ports on loopback. */
	private static int freeRange(int count) throws IOException {
		for (int attempt = 0; attempt < 50; attempt++) {
			int base;
			try (ServerSocket probe = new ServerSocket(0)) {
				base = probe.getLocalPort();
			}
			if (base + count > 65_000) {
				continue;
			}
			boolean free = true;
			for (int port = base; port < base + count && free; port++) {
				try (ServerSocket socket = new ServerSocket(port)) {
					socket.setReuseAddress(true);
				}
				catch (IOException ex) {
					free = false;
				}
			}
			if (free) {
				return base;
			}
		}
		throw new IOException("no " + count + " consecutive free ports");
	}

}
