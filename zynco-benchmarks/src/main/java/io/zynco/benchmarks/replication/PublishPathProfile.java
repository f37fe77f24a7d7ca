package io.zynco.benchmarks.replication;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32C;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.zynco.state.Delta;
import io.zynco.state.Edit;
import io.zynco.state.Snapshot;

/**
 * Times, in one JVM and one thread, each CPU step a snapshot publish costs in the node, on the
 * benchmark state: what the publisher, the coordinator and every receiver do, and the per-byte
 * work of the data path (authentication, checksums, copies). Explains the breakdown of
 * {@link ReplicationBenchmark}. Each step runs {@code --rounds} times (default 2: cold, then
 * warm); the table shows every round. The last rows give the floor of the design's work with
 * no object per entry (AES-GCM per packet; parsing the encoded snapshot and hashing each key
 * and entry where it lies) and sum it per sender and per receiver.
 *
 * <pre>
 * java -Xms8g -Xmx8g -XX:+AlwaysPreTouch -cp zynco-benchmarks/target/benchmarks.jar io.zynco.benchmarks.replication.PublishPathProfile [--mib 512] [--packet 60000] [--rounds 2]
 * </pre>
 */
public final class PublishPathProfile {

	private PublishPathProfile() {
	}

	private static long t0;

	private static void start() {
		t0 = System.nanoTime();
	}

	private static double stop() {
		return (System.nanoTime() - t0) / 1e9;
	}

	private static void row(String step, String who, double seconds, long bytes) {
		System.out.printf("%-58s %-12s %7.2f s %9.0f MiB/s%n", step, who, seconds, bytes / 1048576.0 / seconds);
	}

	public static void main(String[] argv) throws Exception {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		int mib = args.getInt("mib", 512);
		int packet = args.getInt("packet", 60_000);
		int rounds = args.getInt("rounds", 2);
		int entries = StateGen.entries(mib);
		System.out.printf("state: %d MiB, %d entries; packet payload %d bytes%n", mib, entries, packet - 60);
		Snapshot empty = StateGen.TYPE.emptySnapshot();
		for (int round = 1; round <= rounds; round++) {
			System.out.println("--- round " + round);
			start();
			Edit edit = StateGen.snapshotEdit(empty, 42, entries);
			row("generate and commit the edit (benchmark, untimed there)", "publisher", stop(), 0);
			start();
			byte[] first = Delta.of(StateGen.TYPE.name(), 0, 1, edit).encode();
			double s = stop();
			row("Delta.of(edit).encode()  [ZyncoNode.publish]", "publisher", s, first.length);
			start();
			Delta decoded = Delta.decode(first);
			s = stop();
			row("Delta.decode  [handlePublishRequest]", "coordinator", s, first.length);
			start();
			Snapshot target = decoded.applyTo(empty);
			s = stop();
			row("applyTo(active)  [handlePublishRequest]", "coordinator", s, first.length);
			start();
			byte[] second = Delta.of(StateGen.TYPE.name(), 0, empty, 1, target, decoded.changes()).encode();
			s = stop();
			row("Delta.of(...).encode() again  [handlePublishRequest]", "coordinator", s, second.length);
			double encodeAgain = s;
			decoded = null;
			target = null;
			start();
			// the node hands the transfer buffer over: no copy (the rows below only read it)
			Delta received = Delta.decodeOwned(second, null, 1);
			s = stop();
			row("Delta.decodeOwned  [completeIncoming]", "receiver", s, second.length);
			start();
			Snapshot applied = received.applyTo(empty);
			s = stop();
			row("applyTo(base), root checked  [completeIncoming]", "receiver", s, second.length);
			if (applied.rootFingerprint() != edit.snapshot().rootFingerprint()) {
				throw new IllegalStateException("root mismatch");
			}
			received = null;
			applied = null;
			int payload = packet - 60;
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
			start();
			for (int off = 0; off < second.length; off += payload) {
				mac.update(second, off, Math.min(payload, second.length - off));
				mac.doFinal();
			}
			s = stop();
			row("HMAC-SHA256 per packet  [seal / open]", "both", s, second.length);
			start();
			CRC32C crc = new CRC32C();
			crc.update(second, 0, second.length);
			s = stop();
			row("CRC32C of all bytes  [TCP baseline receiver]", "tcp", s, second.length);
			byte[] copy = new byte[second.length];
			start();
			for (int off = 0; off < second.length; off += payload) {
				System.arraycopy(second, off, copy, off, Math.min(payload, second.length - off));
			}
			s = stop();
			row("one copy per packet  [send buffer, receive buffer, payload]", "both", s, second.length);
			double copySeconds = s;
			double[] gcm = aesGcm(second, copy, payload);
			row("AES-256-GCM seal per packet  [packetSecurity AES_GCM]", "sender", gcm[0], second.length);
			row("AES-256-GCM open per packet  [packetSecurity AES_GCM]", "receiver", gcm[1], second.length);
			start();
			long sum = parseAndFingerprint(second);
			s = stop();
			row("parse, key hash, fingerprint in place  [the floor of verify]", "receiver", s, second.length);
			if (sum != edit.snapshot().rootFingerprint() && sum == 42) {
				throw new IllegalStateException("unreachable: keeps the sum alive");
			}
			System.out.printf("floor (no per-entry objects): sender %.2f CPU-s (encode again + seal + copy), "
					+ "each receiver %.2f CPU-s (open + parse and fingerprint + copy)%n", encodeAgain + gcm[0] + copySeconds,
					gcm[1] + s + copySeconds);
			copy = null;
			first = null;
			second = null;
			edit = null;
			System.gc();
		}
	}


	/**
	 * What verifying a snapshot costs at least, with no per-entry object: walks the encoded
	 * changes of {@code delta} and, for each put, hashes its key and fingerprints its entry
	 * where they lie, summing them as the root sums fingerprints.
	 */
	private static long parseAndFingerprint(byte[] delta) {
		long[] sum = new long[1];
		EncodedChanges.forEachPut(delta, (index, start, length, keyHash) -> sum[0] += keyHash
				+ EncodedChanges.FINGERPRINT.hashBytesToLong(delta, start, length));
		return sum[0];
	}

	/**
	 * Seals every packet of {@code bytes} with AES-256-GCM (the header as associated data), then
	 * opens as many packets of the same size into {@code out}.
	 */
	private static double[] aesGcm(byte[] bytes, byte[] out, int payload) throws Exception {
		SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
		Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
		byte[] packet = new byte[payload + 16];
		byte[] header = new byte[44];
		byte[] nonce = new byte[12];
		int packets = (bytes.length + payload - 1) / payload;
		byte[][] sealed = new byte[packets][];
		start();
		for (int i = 0, off = 0; off < bytes.length; i++, off += payload) {
			ByteBuffer.wrap(nonce).putInt(4, i);
			cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
			cipher.updateAAD(header);
			int length = cipher.doFinal(bytes, off, Math.min(payload, bytes.length - off), packet, 0);
			if (i < 64) {
				sealed[i] = Arrays.copyOf(packet, length);
			}
		}
		double seal = stop();
		start();
		for (int i = 0, off = 0; off < bytes.length; i++, off += payload) {
			// open the first 64 sealed packets over and over: the cost is per byte
			byte[] in = sealed[i % 64];
			ByteBuffer.wrap(nonce).putInt(4, i % 64);
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
			cipher.updateAAD(header);
			cipher.doFinal(in, 0, in.length, out, 0);
		}
		double open = stop();
		return new double[] { seal, open };
	}

}
