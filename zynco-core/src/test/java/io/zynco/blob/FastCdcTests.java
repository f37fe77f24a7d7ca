package io.zynco.blob;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import io.zynco.blob.internal.Gear;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FastCdcTests {

	private static final FastCdc SMALL = FastCdc.of(64, 256, 1024);

	@Test
	void defaultsAre16And64And256KiB() {
		FastCdc chunker = FastCdc.defaults();
		assertThat(chunker.minSize()).isEqualTo(16 * 1024);
		assertThat(chunker.avgSize()).isEqualTo(64 * 1024);
		assertThat(chunker.maxSize()).isEqualTo(256 * 1024);
		assertThat(FastCdc.of(16 * 1024, 64 * 1024, 256 * 1024)).isEqualTo(chunker);
	}

	@Test
	void rejectsAverageThatIsNotAPowerOfTwo() {
		assertThatIllegalArgumentException().isThrownBy(() -> FastCdc.of(100, 1000, 4000))
				.withMessage("avgSize must be a power of two of at least 64 bytes, was 1000");
	}

	@Test
	void rejectsAverageBelowSixtyFour() {
		assertThatIllegalArgumentException().isThrownBy(() -> FastCdc.of(8, 32, 128))
				.withMessageContaining("avgSize").withMessageContaining("was 32");
	}

	@Test
	void rejectsMinimumThatIsNotPositiveAndBelowAverage() {
		assertThatIllegalArgumentException().isThrownBy(() -> FastCdc.of(0, 256, 1024))
				.withMessage("minSize must be at least 1 and less than avgSize (256), was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> FastCdc.of(256, 256, 1024))
				.withMessageContaining("minSize");
		assertThatIllegalArgumentException().isThrownBy(() -> FastCdc.of(-1, 256, 1024))
				.withMessageContaining("minSize");
	}

	@Test
	void rejectsMaximumNotAboveAverageOrAboveOneGibibyte() {
		assertThatIllegalArgumentException().isThrownBy(() -> FastCdc.of(64, 256, 256))
				.withMessage("maxSize must be greater than avgSize (256) and at most 1073741824, was 256");
		assertThatIllegalArgumentException().isThrownBy(() -> FastCdc.of(64, 256, (1 << 30) + 1))
				.withMessageContaining("maxSize");
	}

	@Test
	void chunkSizesRespectMinimumAndMaximum() {
		for (FastCdc chunker : new FastCdc[] {SMALL, FastCdc.of(1, 64, 65), FastCdc.defaults()}) {
			for (byte[] data : new byte[][] {random(3 << 20, 1), new byte[3 << 20], lowEntropy(3 << 20, 2)}) {
				int[] ends = chunker.chunkEnds(data);
				int start = 0;
				for (int i = 0; i < ends.length; i++) {
					int length = ends[i] - start;
					assertThat(length).as("chunk %d of %s", i, chunker).isBetween(1, chunker.maxSize());
					if (i < ends.length - 1) {
						assertThat(length).as("chunk %d of %s", i, chunker).isGreaterThan(chunker.minSize());
					}
					start = ends[i];
				}
				assertThat(start).isEqualTo(data.length);
			}
		}
	}

	@Test
	void zeroBytesAreCutAtTheMaximum() {
		int[] ends = SMALL.chunkEnds(new byte[5000]);
		assertThat(ends).containsExactly(1024, 2048, 3072, 4096, 5000);
	}

	@Test
	void chunkingIsDeterministic() {
		byte[] data = random(1 << 20, 3);
		int[] first = FastCdc.defaults().chunkEnds(data);
		assertThat(FastCdc.defaults().chunkEnds(data)).isEqualTo(first);
		assertThat(FastCdc.of(16 * 1024, 64 * 1024, 256 * 1024).chunkEnds(data.clone())).isEqualTo(first);
		assertThat(FastCdc.of(64, 256, 1024).chunkEnds(data)).isEqualTo(SMALL.chunkEnds(data));
	}

	@Test
	void concatenatedChunksEqualTheInput() {
		byte[] data = random(100_000, 4);
		int[] ends = SMALL.chunkEnds(data);
		ByteArrayOutputStream joined = new ByteArrayOutputStream();
		int start = 0;
		for (int end : ends) {
			joined.write(data, start, end - start);
			start = end;
		}
		assertThat(joined.toByteArray()).isEqualTo(data);
	}

	@Test
	void emptyInputHasNoChunk() {
		assertThat(SMALL.chunkEnds(new byte[0])).isEmpty();
		assertThat(SMALL.chunkEnds(ByteBuffer.allocateDirect(0))).isEmpty();
		assertThat(SMALL.nextChunkLength(new byte[3], 3, 0)).isZero();
	}

	@Test
	void inputNoLongerThanMinimumIsOneChunk() {
		assertThat(SMALL.chunkEnds(random(64, 5))).containsExactly(64);
		assertThat(SMALL.chunkEnds(random(1, 5))).containsExactly(1);
	}

	@Test
	void matchesTheOneBytePerIterationReferenceImplementation() {
		Random random = new Random(6);
		FastCdc[] chunkers = {SMALL, FastCdc.of(1, 64, 65), FastCdc.of(63, 128, 1001), FastCdc.of(65, 128, 257),
			FastCdc.of(100, 512, 4096), FastCdc.of(2047, 4096, 16384)};
		for (FastCdc chunker : chunkers) {
			for (int round = 0; round < 200; round++) {
				byte[] data = round % 10 == 0 ? lowEntropy(random.nextInt(20_000), round) : random(random.nextInt(20_000), round);
				assertThat(chunker.chunkEnds(data)).as("%s, round %d", chunker, round)
						.isEqualTo(referenceChunkEnds(data, chunker.minSize(), chunker.avgSize(), chunker.maxSize()));
			}
		}
		byte[] big = random(8 << 20, 7);
		assertThat(FastCdc.defaults().chunkEnds(big)).isEqualTo(referenceChunkEnds(big, 16 * 1024, 64 * 1024, 256 * 1024));
	}

	@Test
	void rangeAndBufferVariantsCutLikeTheWholeArray() {
		byte[] data = random(50_000, 8);
		int[] expected = SMALL.chunkEnds(Arrays.copyOfRange(data, 1234, 45_678));
		assertThat(SMALL.chunkEnds(data, 1234, 45_678 - 1234)).isEqualTo(expected);

		ByteBuffer heap = ByteBuffer.wrap(data, 1000, 48_000).slice().position(234).limit(45_678 - 1000);
		assertThat(SMALL.chunkEnds(heap)).isEqualTo(expected);
		assertThat(heap.position()).isEqualTo(234);

		ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).position(1234).limit(45_678);
		assertThat(SMALL.chunkEnds(direct)).isEqualTo(expected);
		assertThat(direct.position()).isEqualTo(1234);
		assertThat(direct.limit()).isEqualTo(45_678);
	}

	@Test
	void nextChunkLengthIsTheFirstChunk() {
		byte[] data = random(10_000, 9);
		int[] ends = SMALL.chunkEnds(data, 100, 9000);
		assertThat(SMALL.nextChunkLength(data, 100, 9000)).isEqualTo(ends[0]);
		assertThat(SMALL.nextChunkLength(data, 100 + ends[0], 9000 - ends[0])).isEqualTo(ends[1] - ends[0]);
	}

	@Test
	void rejectsRangesOutsideTheArray() {
		assertThatThrownBy(() -> SMALL.chunkEnds(new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
		assertThatThrownBy(() -> SMALL.chunkEnds(new byte[10], -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
		assertThatThrownBy(() -> SMALL.nextChunkLength(new byte[10], 0, 11)).isInstanceOf(IndexOutOfBoundsException.class);
	}

	@Test
	void gearTableIsSplitMix64FromTheFixedSeed() {
		assertThat(splitMix64(0)[0]).isEqualTo(0xE220A8397B1DCDAFL);
		long[] gear = Gear.table();
		assertThat(gear).isEqualTo(splitMix64(Gear.SEED));
		assertThat(gear[0]).isEqualTo(0x10e803c117e6e5aaL);
		assertThat(gear[255]).isEqualTo(0xbfc633b3ff52af1fL);
	}

	@Test
	void masksSpreadTheirBitsOverBitsFifteenToSixtyTwo() {
		for (int bits = 1; bits <= 48; bits++) {
			long mask = Gear.spreadMask(bits);
			assertThat(Long.bitCount(mask)).isEqualTo(bits);
			assertThat(Long.numberOfTrailingZeros(mask)).isGreaterThanOrEqualTo(15);
			assertThat(mask & (1L << 63)).isZero();
			assertThat(mask & (1L << 62)).isNotZero();
		}
		assertThat(Gear.spreadMask(18)).isEqualTo(0x5252525252520000L);
		assertThat(Gear.spreadMask(14)).isEqualTo(0x4912244912240000L);
		assertThatIllegalArgumentException().isThrownBy(() -> Gear.spreadMask(49));
	}

	/** Pins the cut points: a change here changes every blob root in the cluster's wire format. */
	@Test
	void cutPointsOfAFixedInputNeverChange() {
		byte[] data = new byte[20_000];
		new Random(20240501L).nextBytes(data);
		int[] ends = SMALL.chunkEnds(data);
		assertThat(ends).hasSize(62).startsWith(266, 529, 827, 1129, 1501, 1793, 1986, 2323, 2772, 3002);
		assertThat(Arrays.hashCode(ends)).isEqualTo(6096559);

		byte[] large = new byte[4 << 20];
		new Random(7L).nextBytes(large);
		int[] largeEnds = FastCdc.defaults().chunkEnds(large);
		assertThat(largeEnds).hasSize(58).startsWith(66325, 132759, 199271, 270392, 290007);
		assertThat(Arrays.hashCode(largeEnds)).isEqualTo(-1578286144);
	}

	@Test
	void meanChunkSizeOfRandomDataIsNearTheAverage() {
		byte[] data = random(4 << 20, 10);
		double mean = (double) data.length / SMALL.chunkEnds(data).length;
		assertThat(mean).isBetween(256 * 0.75, 256 * 2.0);
		double defaultMean = (double) data.length / FastCdc.defaults().chunkEnds(data).length;
		assertThat(defaultMean).isBetween(64 * 1024 * 0.75, 64 * 1024 * 2.0);
	}

	/** The algorithm as the paper states it: one byte per iteration, no unrolling. */
	static int[] referenceChunkEnds(byte[] data, int min, int avg, int max) {
		long[] gear = Gear.table();
		int bits = Integer.numberOfTrailingZeros(avg);
		long maskS = Gear.spreadMask(bits + 2);
		long maskL = Gear.spreadMask(bits - 2);
		int[] ends = new int[data.length];
		int count = 0;
		int start = 0;
		while (start < data.length) {
			int remaining = data.length - start;
			int length = remaining;
			if (remaining > min) {
				int n = Math.min(remaining, max);
				int normal = Math.min(n, avg);
				long h = 0;
				length = n;
				for (int i = min; i < n; i++) {
					h = (h << 1) + gear[data[start + i] & 0xFF];
					if ((h & (i < normal ? maskS : maskL)) == 0) {
						length = i + 1;
						break;
					}
				}
			}
			start += length;
			ends[count++] = start;
		}
		return Arrays.copyOf(ends, count);
	}

	private static long[] splitMix64(long seed) {
		long[] out = new long[256];
		long state = seed;
		for (int i = 0; i < out.length; i++) {
			state += 0x9E3779B97F4A7C15L;
			long z = state;
			z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
			z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
			out[i] = z ^ (z >>> 31);
		}
		return out;
	}

	static byte[] random(int length, long seed) {
		byte[] data = new byte[length];
		new Random(seed).nextBytes(data);
		return data;
	}

	/** Text-like data: few distinct byte values, long runs. */
	static byte[] lowEntropy(int length, long seed) {
		Random random = new Random(seed);
		byte[] data = new byte[length];
		int i = 0;
		while (i < length) {
			byte value = (byte) ('a' + random.nextInt(4));
			int run = 1 + random.nextInt(40);
			for (int j = 0; j < run && i < length; j++) {
				data[i++] = value;
			}
		}
		return data;
	}
}
