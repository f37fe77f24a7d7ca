package io.zynco.benchmarks.web;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator of {@link SwitchUnderLoadBenchmark}, run in its own JVM so that the
 * server's garbage collections do not stop it (and its own do not stop the server): an
 * open-loop HTTP/1.1 client for {@code 127.0.0.1} only.
 * <p>
 * Request {@code i} has the intended send time {@code start + i / rate} ({@code start} is a
 * {@link System#nanoTime()} value chosen by the parent: on Linux the monotonic clock is the
 * same in every process of the host). A dispatcher thread parks until that time and queues
 * the request; a pool of worker threads, each with one keep-alive connection, sends it,
 * reads the response and records the completion time, so a slow response never delays later
 * sends (it only lengthens the queue). The client allocates little per request (hand-written
 * request and response handling on a byte buffer). After the last response, or at the
 * deadline, it writes one record per request to {@code --out} and exits.
 * <p>
 * Bounded: at most {@code --count} requests (≤ 1,000,000), stops sending at the deadline
 * ({@code --max-seconds}), each read times out after 10 s.
 */
public final class LoadClient {

	private static final int WORKERS = 32;

	private static final int READ_TIMEOUT_MILLIS = 10_000;

	private final int port;

	private final int count;

	private final int rate;

	private final long start;

	private final int[] keys;

	final long[] done;

	final long[] lateness;

	final int[] status;

	final long[] headerVersion;

	final long[] bodyVersion;

	final int[] bodyKey;

	final int[] bodyStep;

	final byte[] failure;

	private final BlockingQueue<Integer> queue;

	private LoadClient(int port, int count, int rate, long start, int[] keys) {
		this.port = port;
		this.count = count;
		this.rate = rate;
		this.start = start;
		this.keys = keys;
		this.done = new long[count];
		this.lateness = new long[count];
		this.status = new int[count];
		this.headerVersion = new long[count];
		this.bodyVersion = new long[count];
		this.bodyKey = new int[count];
		this.bodyStep = new int[count];
		this.failure = new byte[count];
		this.queue = new ArrayBlockingQueue<>(count + WORKERS);
	}

	/** Failure code in the output: none (the response may still have another status than 200). */
	static final byte OK = 0;

	/** Failure code in the output: connection failed, closed or timed out. */
	static final byte IO_ERROR = 1;

	/** Failure code in the output: a response that could not be parsed. */
	static final byte MALFORMED = 2;

	/** Failure code in the output: not sent before the client's deadline. */
	static final byte NOT_SENT = 3;

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new HashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			options.put(args[i].substring(2), args[i + 1]);
		}
		int port = Integer.parseInt(options.get("port"));
		int rate = Integer.parseInt(options.get("rate"));
		int count = Integer.parseInt(options.get("count"));
		long start = Long.parseLong(options.get("start-nanos"));
		long maxSeconds = Long.parseLong(options.get("max-seconds"));
		Path keysFile = Path.of(options.get("keys"));
		Path out = Path.of(options.get("out"));
		if (count < 1 || count > 1_000_000 || rate < 1 || rate > 5000 || maxSeconds < 1 || maxSeconds > 900) {
			throw new IllegalArgumentException("out of bounds");
		}
		int[] keys = new int[count];
		try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(keysFile)))) {
			for (int i = 0; i < count; i++) {
				keys[i] = in.readInt();
			}
		}
		LoadClient client = new LoadClient(port, count, rate, start, keys);
		client.run(System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds));
		client.write(out);
	}

	private void run(long deadline) throws InterruptedException {
		List<Thread> workers = new ArrayList<>();
		for (int w = 0; w < WORKERS; w++) {
			Thread thread = new Thread(this::work, "load-" + w);
			thread.setDaemon(true);
			thread.start();
			workers.add(thread);
		}
		Thread.currentThread().setPriority(Thread.MAX_PRIORITY);
		int sent = 0;
		for (int i = 0; i < this.count; i++) {
			long at = this.start + i * 1_000_000_000L / this.rate;
			if (at > deadline) {
				break;
			}
			long now;
			while ((now = System.nanoTime()) < at) {
				LockSupport.parkNanos(at - now);
			}
			this.lateness[i] = now - at;
			this.queue.add(i);
			sent++;
		}
		for (int i = sent; i < this.count; i++) {
			this.failure[i] = NOT_SENT;
		}
		for (int w = 0; w < WORKERS; w++) {
			this.queue.add(-1);
		}
		long joinDeadline = Math.max(deadline, System.nanoTime()) + TimeUnit.SECONDS.toNanos(15);
		for (Thread worker : workers) {
			worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadline - System.nanoTime())));
		}
	}

	private void work() {
		Connection connection = null;
		byte[] request = new byte[128];
		try {
			for (;;) {
				int i = this.queue.take();
				if (i < 0) {
					break;
				}
				try {
					if (connection == null) {
						connection = new Connection(this.port);
					}
					int length = request(request, this.keys[i]);
					connection.out.write(request, 0, length);
					connection.out.flush();
					boolean keepAlive = connection.read(this, i);
					this.done[i] = System.nanoTime();
					if (!keepAlive) {
						connection.close();
						connection = null;
					}
				}
				catch (IOException | RuntimeException ex) {
					this.done[i] = System.nanoTime();
					this.failure[i] = (ex instanceof IOException) ? IO_ERROR : MALFORMED;
					if (connection != null) {
						connection.close();
						connection = null;
					}
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			if (connection != null) {
				connection.close();
			}
		}
	}

	private static int request(byte[] buffer, int key) {
		int n = put(buffer, 0, "GET /fare?key=");
		n = putInt(buffer, n, key);
		return put(buffer, n, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	}

	private static int put(byte[] buffer, int offset, String ascii) {
		for (int i = 0; i < ascii.length(); i++) {
			buffer[offset++] = (byte) ascii.charAt(i);
		}
		return offset;
	}

	private static int putInt(byte[] buffer, int offset, int value) {
		if (value == 0) {
			buffer[offset] = '0';
			return offset + 1;
		}
		int digits = 0;
		for (int v = value; v > 0; v /= 10) {
			digits++;
		}
		for (int d = digits - 1, v = value; d >= 0; d--, v /= 10) {
			buffer[offset + d] = (byte) ('0' + v % 10);
		}
		return offset + digits;
	}

	private void write(Path out) throws IOException {
		try (DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(out)))) {
			data.writeInt(this.count);
			for (int i = 0; i < this.count; i++) {
				data.writeLong(this.done[i]);
				data.writeLong(this.lateness[i]);
				data.writeByte(this.failure[i]);
				data.writeInt(this.status[i]);
				data.writeLong(this.headerVersion[i]);
				data.writeLong(this.bodyVersion[i]);
				data.writeInt(this.bodyKey[i]);
				data.writeInt(this.bodyStep[i]);
			}
		}
	}

	/** One keep-alive connection and its read buffer. Used by one worker thread. */
	private static final class Connection {

		private static final byte[] VERSIONS_HEADER = "zynco-versions:".getBytes(StandardCharsets.US_ASCII);

		private static final byte[] LENGTH_HEADER = "content-length:".getBytes(StandardCharsets.US_ASCII);

		private static final byte[] CHUNKED_HEADER = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);

		private static final byte[] CLOSE_HEADER = "connection:".getBytes(StandardCharsets.US_ASCII);

		final Socket socket;

		final OutputStream out;

		final InputStream in;

		final byte[] line = new byte[1024];

		/** The body of the current response. */
		private final byte[] scratch = new byte[512];

		Connection(int port) throws IOException {
			this.socket = new Socket();
			this.socket.setTcpNoDelay(true);
			this.socket.setSoTimeout(READ_TIMEOUT_MILLIS);
			this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			this.out = this.socket.getOutputStream();
			this.in = new BufferedInputStream(this.socket.getInputStream(), 8192);
		}

		/** Reads one response into record {@code i}; returns whether the connection stays open. */
		boolean read(LoadClient client, int i) throws IOException {
			int n = readLine();
			// "HTTP/1.1 200 ..."
			if (n < 12) {
				throw new IOException("short status line");
			}
			client.status[i] = (this.line[9] - '0') * 100 + (this.line[10] - '0') * 10 + (this.line[11] - '0');
			int contentLength = -1;
			boolean chunked = false;
			boolean keepAlive = true;
			long version = -1;
			while ((n = readLine()) > 0) {
				if (startsWith(VERSIONS_HEADER, n)) {
					int at = indexOf((byte) '@', VERSIONS_HEADER.length, n);
					version = (at < 0) ? -1 : parseLong(at + 1, n);
				}
				else if (startsWith(LENGTH_HEADER, n)) {
					contentLength = (int) parseLong(LENGTH_HEADER.length, n);
				}
				else if (startsWith(CHUNKED_HEADER, n)) {
					chunked = true;
				}
				else if (startsWith(CLOSE_HEADER, n)) {
					keepAlive = indexOf((byte) 'c', CLOSE_HEADER.length, n) < 0; // "close", not "keep-alive"
				}
			}
			client.headerVersion[i] = version;
			byte[] body = this.line;
			int length;
			if (chunked) {
				length = 0;
				for (;;) {
					int m = readLine();
					int size = (int) parseHex(m);
					if (size == 0) {
						readLine();
						break;
					}
					byte[] chunk = new byte[size];
					readFully(chunk, size);
					readLine();
					if (length + size > 512) {
						throw new IOException("body too long");
					}
					System.arraycopy(chunk, 0, scratch, length, size);
					length += size;
				}
				body = scratch;
			}
			else if (contentLength >= 0) {
				if (contentLength > 512) {
					throw new IOException("body too long");
				}
				readFully(scratch, contentLength);
				body = scratch;
				length = contentLength;
			}
			else {
				throw new IOException("no length");
			}
			if (client.status[i] == 200) {
				// "<key>:<step>@<version>"
				int colon = find(body, (byte) ':', 0, length);
				int at = find(body, (byte) '@', 0, length);
				if (colon < 0 || at < colon) {
					client.failure[i] = MALFORMED;
				}
				else {
					client.bodyKey[i] = (int) parse(body, 0, colon);
					client.bodyStep[i] = (int) parse(body, colon + 1, at);
					client.bodyVersion[i] = parse(body, at + 1, length);
				}
			}
			return keepAlive;
		}

		private void readFully(byte[] into, int length) throws IOException {
			int read = 0;
			while (read < length) {
				int r = this.in.read(into, read, length - read);
				if (r < 0) {
					throw new IOException("closed");
				}
				read += r;
			}
		}

		/** Reads a line without its CRLF into {@link #line}; returns its length. */
		private int readLine() throws IOException {
			int n = 0;
			for (;;) {
				int b = this.in.read();
				if (b < 0) {
					throw new IOException("closed");
				}
				if (b == '\n') {
					return (n > 0 && this.line[n - 1] == '\r') ? n - 1 : n;
				}
				if (n == this.line.length) {
					throw new IOException("line too long");
				}
				this.line[n++] = (byte) b;
			}
		}

		private boolean startsWith(byte[] lowerCasePrefix, int n) {
			if (n < lowerCasePrefix.length) {
				return false;
			}
			for (int k = 0; k < lowerCasePrefix.length; k++) {
				int c = this.line[k];
				if (c >= 'A' && c <= 'Z') {
					c += 'a' - 'A';
				}
				if (c != lowerCasePrefix[k]) {
					return false;
				}
			}
			return true;
		}

		private int indexOf(byte b, int from, int to) {
			return find(this.line, b, from, to);
		}

		private long parseLong(int from, int to) {
			while (from < to && this.line[from] == ' ') {
				from++;
			}
			return parse(this.line, from, to);
		}

		private long parseHex(int n) throws IOException {
			long value = 0;
			for (int k = 0; k < n; k++) {
				int c = Character.digit(this.line[k], 16);
				if (c < 0) {
					break;
				}
				value = value * 16 + c;
			}
			return value;
		}

		void close() {
			try {
				this.socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}

	}

	static int find(byte[] bytes, byte b, int from, int to) {
		for (int k = from; k < to; k++) {
			if (bytes[k] == b) {
				return k;
			}
		}
		return -1;
	}

	static long parse(byte[] bytes, int from, int to) {
		if (from >= to) {
			throw new NumberFormatException("empty");
		}
		long value = 0;
		for (int k = from; k < to; k++) {
			int d = bytes[k] - '0';
			if (d < 0 || d > 9) {
				throw new NumberFormatException("not a digit");
			}
			value = value * 10 + d;
		}
		return value;
	}

}
