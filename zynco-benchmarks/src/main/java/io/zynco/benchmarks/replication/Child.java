package io.zynco.benchmarks.replication;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM speaking a line protocol: commands to its stdin, timestamped report lines from
 * its stdout (also copied to {@code <name>.out}); stderr goes to {@code <name>.err}.
 * {@link #stop()} asks it to quit and kills it after 5 s. Thread-safe.
 */
final class Child {

	/** A report line and the parent's {@link System#nanoTime()} when it arrived. */
	record Line(long nanos, String text) {

		String[] fields() {
			return this.text.trim().split("\\s+");
		}

	}

	final String name;

	final Process process;

	private final PrintWriter stdin;

	private final List<Line> lines = new ArrayList<>();

	private final Path err;

	private final Path gcLog;

	private Child(String name, Process process, Path out, Path err) throws IOException {
		this.name = name;
		this.process = process;
		this.err = err;
		this.gcLog = err.resolveSibling(name + "-gc.log");
		this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
		Writer copy = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
		Thread reader = new Thread(() -> {
			try (BufferedReader r = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)); copy) {
				String text;
				while ((text = r.readLine()) != null) {
					long now = System.nanoTime();
					copy.write(now + " " + text + "\n");
					copy.flush();
					synchronized (this.lines) {
						this.lines.add(new Line(now, text));
						this.lines.notifyAll();
					}
				}
			}
			catch (IOException ex) {
				// process gone
			}
			synchronized (this.lines) {
				this.lines.notifyAll();
			}
		}, "stdout-" + name);
		reader.setDaemon(true);
		reader.start();
	}

	static Child start(String name, List<String> command, Path logDir) throws IOException {
		Files.createDirectories(logDir);
		Path out = logDir.resolve(name + ".out");
		Path err = logDir.resolve(name + ".err");
		ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
		return new Child(name, builder.start(), out, err);
	}

	/** Where the child's {@code -Xlog:gc} goes, if the command asked for it. */
	Path gcLog() {
		return this.gcLog;
	}

	long pid() {
		return this.process.pid();
	}

	void send(String command) {
		this.stdin.println(command);
	}

	/** Index of the next line to arrive. */
	int mark() {
		synchronized (this.lines) {
			return this.lines.size();
		}
	}

	/** Lines from index {@code from} starting with {@code prefix}. */
	List<Line> lines(int from, String prefix) {
		List<Line> found = new ArrayList<>();
		synchronized (this.lines) {
			for (int i = from; i < this.lines.size(); i++) {
				if (this.lines.get(i).text().startsWith(prefix)) {
					found.add(this.lines.get(i));
				}
			}
		}
		return found;
	}

	/**
	 * The first line at or after {@code from} starting with one of the prefixes, waiting up to
	 * the timeout; null on timeout.
	 * @throws IllegalStateException if the process exited without such a line
	 */
	Line await(int from, long timeoutMillis, String... prefixes) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		synchronized (this.lines) {
			int i = from;
			while (true) {
				for (; i < this.lines.size(); i++) {
					for (String p : prefixes) {
						if (this.lines.get(i).text().startsWith(p)) {
							return this.lines.get(i);
						}
					}
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return null;
				}
				if (!this.process.isAlive()) {
					// let the reader drain what is left, then give up
					this.lines.wait(200);
					if (i == this.lines.size()) {
						throw new IllegalStateException(this.name + " exited with code " + this.process.exitValue()
								+ " without reporting " + String.join("|", prefixes) + "; see " + this.err + ": "
								+ tail());
					}
					continue;
				}
				this.lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
			}
		}
	}

	Line require(int from, long timeoutMillis, String... prefixes) throws InterruptedException {
		Line line = await(from, timeoutMillis, prefixes);
		if (line == null) {
			throw new IllegalStateException(this.name + " did not report " + String.join("|", prefixes) + " within "
					+ timeoutMillis + " ms; see " + this.err);
		}
		return line;
	}

	/** The last lines of stderr, for error messages. */
	String tail() {
		try {
			List<String> all = Files.readAllLines(this.err);
			return String.join(" | ", all.subList(Math.max(0, all.size() - 5), all.size()));
		}
		catch (IOException ex) {
			return "(no stderr)";
		}
	}

	/** Asks the child to quit, then kills it (and its descendants) if it is still alive after 5 s. */
	void stop() {
		try {
			if (this.process.isAlive()) {
				send("quit");
				this.stdin.close();
				if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
					kill();
				}
			}
		}
		catch (InterruptedException ex) {
			kill();
			Thread.currentThread().interrupt();
		}
	}

	void kill() {
		this.process.descendants().forEach(ProcessHandle::destroyForcibly);
		this.process.destroyForcibly();
		try {
			this.process.waitFor(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
