package io.zynco.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.state.internal.EntryBlobs;
import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Encoding, decoding and applying large deltas in parallel (as a publisher encodes and a
 * receiver verifies a transfer) gives the same result as doing it on one thread, and rejects
 * the same bad input.
 */
class ParallelVerifyTests {

	private static final ExecutorService POOL = Executors.newFixedThreadPool(3);

	private static final int PARALLELISM = 4;

	@AfterAll
	static void stop() {
		POOL.shutdownNow();
	}

	static LongStream seeds() {
		return Seeds.of(12);
	}

	private static byte[] b(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	/** A base of up to 30,000 entries and an edit that puts, replaces and removes. */
	private static Edit randomEdit(SplittableRandom random, int segmentBits) {
		Snapshot.Editor loader = Snapshot.empty(segmentBits).edit();
		int baseSize = (random.nextInt(3) == 0) ? 0 : random.nextInt(30_000);
		for (int i = 0; i < baseSize; i++) {
			loader.put(b("k" + random.nextInt(40_000)), Seeds.bytes(random, random.nextInt(40)));
		}
		Snapshot base = loader.commit().snapshot();
		Snapshot.Editor editor = base.edit();
		int changes = 8_000 + random.nextInt(25_000);
		for (int i = 0; i < changes; i++) {
			byte[] key = b("k" + random.nextInt(40_000));
			if (random.nextInt(4) == 0) {
				editor.remove(key);
			}
			else {
				editor.put(key, Seeds.bytes(random, random.nextInt(40)));
			}
		}
		return editor.commit();
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void parallelEncodeDecodeAndApplyEqualTheSequentialOnes(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		int segmentBits = 2 + random.nextInt(9);
		Edit edit = randomEdit(random, segmentBits);
		byte[] encoded = Delta.of("fares", 1, 2, edit).encode();
		assertThat(Delta.of("fares", 1, 2, edit).encode(POOL, PARALLELISM)).isEqualTo(encoded);
		assertThat(encoded).hasSize(Delta.of("fares", 1, 2, edit).encodedLength());

		Delta sequential = Delta.decode(encoded);
		Delta parallel = Delta.decode(encoded, 0, encoded.length, POOL, PARALLELISM);
		assertThat(parallel.encode()).isEqualTo(encoded).isEqualTo(sequential.encode());

		Snapshot base = edit.base();
		Snapshot one = sequential.applyTo(base);
		Snapshot many = parallel.applyTo(base, POOL, PARALLELISM);
		assertThat(many.rootFingerprint()).isEqualTo(one.rootFingerprint()).isEqualTo(edit.snapshot().rootFingerprint());
		assertThat(many.size()).isEqualTo(one.size());
		assertThat(many.dataBytes()).isEqualTo(one.dataBytes());
		assertThat(many.heapBytes()).isEqualTo(one.heapBytes());
		assertThat(many.verify()).isTrue();
		for (int s = 0; s < base.segmentCount(); s++) {
			assertThat(many.sharesSegmentWith(base, s)).as("segment %d shared", s)
				.isEqualTo(one.sharesSegmentWith(base, s));
			assertThat(many.segmentFingerprint(s)).isEqualTo(one.segmentFingerprint(s));
		}
		assertThat(base.diff(many).size()).isEqualTo(edit.changes().size());
	}

	/**
	 * A reader that follows {@code Encoding.written()} while another thread encodes, as a
	 * transfer sends a publish being encoded, only ever reads bytes that stay as they are.
	 */
	@ParameterizedTest
	@MethodSource("seeds")
	void whatAnEncodingInProgressCallsWrittenIsFinal(long seed) throws Exception {
		SplittableRandom random = new SplittableRandom(seed);
		Delta delta = Delta.of("fares", 1, 2, randomEdit(random, 2 + random.nextInt(9)));
		byte[] expected = delta.encode();
		Delta.Encoding encoding = delta.encoding(POOL, PARALLELISM);
		assertThat(encoding.bytes()).hasSize(expected.length);
		int header = encoding.written();
		assertThat(header).isPositive().isLessThan(expected.length);
		assertThat(Arrays.copyOf(encoding.bytes(), header)).isEqualTo(Arrays.copyOf(expected, header));
		List<byte[]> seen = new ArrayList<>();
		Thread writer = new Thread(() -> encoding.run(POOL, PARALLELISM), "encoder");
		writer.start();
		int last = header;
		while (writer.isAlive() || last < expected.length) {
			int written = encoding.written();
			assertThat(written).as("written never goes back").isGreaterThanOrEqualTo(last);
			if (written > last) {
				seen.add(Arrays.copyOf(encoding.bytes(), written));
				last = written;
			}
			if (!writer.isAlive() && encoding.written() == last && last < expected.length) {
				break; // would be a defect: the writer ended short of the length
			}
		}
		writer.join();
		assertThat(encoding.written()).isEqualTo(expected.length);
		assertThat(encoding.bytes()).isEqualTo(expected);
		for (byte[] prefix : seen) {
			assertThat(prefix).isEqualTo(Arrays.copyOf(expected, prefix.length));
		}
	}

	@Test
	void applyingNothingReturnsTheBaseItself() {
		Snapshot base = randomEdit(new SplittableRandom(3), 6).snapshot();
		assertThat(base.apply(ChangeSet.EMPTY, POOL, PARALLELISM)).isSameAs(base);
		// puts of identical entries take no effect either
		Delta same = Delta.decode(Delta.of("fares", 1, 2, base.edit().commit()).encode(), 0,
				Delta.of("fares", 1, 2, base.edit().commit()).encode().length, POOL, PARALLELISM);
		assertThat(same.applyTo(base, POOL, PARALLELISM)).isSameAs(base);
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void corruptedLargeDeltasAreRejectedNeverCrash(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Edit edit = randomEdit(random, 5);
		byte[] encoded = Delta.of("fares", 1, 2, edit).encode();
		for (int trial = 0; trial < 20; trial++) {
			byte[] corrupt = encoded.clone();
			int flips = 1 + random.nextInt(3);
			for (int f = 0; f < flips; f++) {
				corrupt[random.nextInt(corrupt.length)] ^= (byte) (1 + random.nextInt(255));
			}
			boolean rechecksummed = random.nextBoolean();
			if (rechecksummed) {
				rechecksum(corrupt);
			}
			try {
				Delta delta = Delta.decode(corrupt, 0, corrupt.length, POOL, PARALLELISM);
				Snapshot result = delta.applyTo(edit.base(), POOL, PARALLELISM);
				// accepted: then it must be exactly the promised target (a flip that changed nothing
				// the checks cover, e.g. inside the name with a still valid name, cannot get here
				// with different content)
				assertThat(result.rootFingerprint()).isEqualTo(delta.targetRoot());
			}
			catch (DeltaFormatException | DeltaMismatchException expected) {
				// rejected, as it should be
			}
		}
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void changesOutOfOrderAreRejectedInsideAndAcrossChunks(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Snapshot.Editor editor = Snapshot.empty(6).edit();
		for (int i = 0; i < 20_000; i++) {
			editor.put(b("k" + i), Seeds.bytes(random, 8));
		}
		byte[] encoded = Delta.of("fares", 0, 1, editor.commit()).encode();
		int[] starts = changeStarts(encoded);
		// 4096 is a chunk boundary of the parallel decode; the others fall inside chunks
		for (int i : new int[] { 4096, 1 + random.nextInt(4000), 5000 + random.nextInt(14_000) }) {
			byte[] swapped = swap(encoded, starts, i - 1, i);
			rechecksum(swapped);
			assertThatThrownBy(() -> Delta.decode(swapped, 0, swapped.length, POOL, PARALLELISM))
				.isInstanceOf(DeltaFormatException.class)
				.extracting((ex) -> ((DeltaFormatException) ex).reason())
				.isEqualTo(DeltaFormatException.Reason.BAD_ORDER);
			assertThatThrownBy(() -> Delta.decode(swapped)).isInstanceOf(DeltaFormatException.class)
				.extracting((ex) -> ((DeltaFormatException) ex).reason())
				.isEqualTo(DeltaFormatException.Reason.BAD_ORDER);
		}
	}

	/** Offsets of each change (its kind byte) and, last, of the trailer. */
	private static int[] changeStarts(byte[] encoded) {
		int nameLength = encoded[7] & 0xFF;
		int p = 8 + nameLength + 5 * 8;
		int count = ByteBuffer.wrap(encoded).getInt(p);
		p += 4;
		int[] starts = new int[count + 1];
		for (int i = 0; i < count; i++) {
			starts[i] = p;
			int length = EntryBlobs.readVarint(encoded, p + 1);
			p += 1 + EntryBlobs.varintSize(length) + length;
		}
		starts[count] = p;
		return starts;
	}

	private static byte[] swap(byte[] encoded, int[] starts, int a, int b) {
		byte[] first = Arrays.copyOfRange(encoded, starts[a], starts[b]);
		byte[] second = Arrays.copyOfRange(encoded, starts[b], starts[b + 1]);
		byte[] out = encoded.clone();
		System.arraycopy(second, 0, out, starts[a], second.length);
		System.arraycopy(first, 0, out, starts[a] + second.length, first.length);
		return out;
	}

	private static void rechecksum(byte[] bytes) {
		CRC32C crc = new CRC32C();
		crc.update(bytes, 0, bytes.length - 4);
		ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
	}

}
