package io.zynco.blob;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import io.zynco.blob.BlobDeltaException.Reason;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import static io.zynco.blob.FastCdcTests.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class BlobDeltaTests {

	private static final FastCdc SMALL = FastCdc.of(64, 256, 1024);

	private static final int HEADER = 56;
	private static final int ENTRY = 13;

	@Test
	void oneByteInsertionIntoSixtyFourMebibyteBlobChangesAtMostThreeChunks() {
		byte[] content = random(64 << 20, 64);
		BlobSnapshot base = BlobSnapshot.of(content, FastCdc.defaults());
		int at = 40_000_123;
		byte[] inserted = new byte[content.length + 1];
		System.arraycopy(content, 0, inserted, 0, at);
		inserted[at] = 0x5A;
		System.arraycopy(content, at, inserted, at + 1, content.length - at);
		content = null;

		BlobSnapshot target = base.withContent(inserted);

		List<Long> before = fingerprints(base);
		List<Long> after = fingerprints(target);
		Set<Long> removed = new HashSet<>(before);
		after.forEach(removed::remove);
		Set<Long> added = new HashSet<>(after);
		before.forEach(added::remove);
		assertThat(added).hasSizeBetween(1, 3);
		assertThat(removed).hasSizeBetween(1, 3);
		assertThat(after.size() - before.size()).isBetween(-2, 2);

		BlobDelta delta = BlobDelta.between(base, target);
		assertThat(delta.literalChunkCount()).isEqualTo(added.size());
		assertThat(delta.literalBytes()).isLessThanOrEqualTo(3L * FastCdc.DEFAULT_MAX_SIZE);
		byte[] encoded = delta.encode();
		assertThat(encoded).hasSize((int) delta.encodedSize());
		assertThat((long) encoded.length).isLessThan(1 << 20).isLessThan(inserted.length / 64);

		BlobSnapshot applied = BlobDelta.decode(encoded).apply(base);
		assertThat(applied.rootFingerprint()).isEqualTo(target.rootFingerprint());
		assertThat(Arrays.mismatch(applied.toByteArray(), inserted)).isEqualTo(-1);
		long sharedWithBase = applied.chunks().stream()
				.filter(chunk -> base.chunks().stream().anyMatch(chunk::sharesStorageWith))
				.count();
		assertThat(sharedWithBase).isEqualTo(applied.chunkCount() - delta.literalChunkCount());
	}

	@Test
	void roundTripThroughEncodingReproducesTheTarget() {
		byte[] content = random(20_000, 1);
		BlobSnapshot base = BlobSnapshot.of(content, SMALL);
		byte[] edited = edit(content);
		BlobSnapshot target = base.withContent(edited);

		BlobDelta decoded = BlobDelta.decode(BlobDelta.between(base, target).encode());
		BlobSnapshot applied = decoded.apply(base);

		assertThat(applied.toByteArray()).isEqualTo(edited);
		assertThat(applied.rootFingerprint()).isEqualTo(target.rootFingerprint()).isEqualTo(decoded.targetRoot());
		assertThat(decoded.baseRoot()).isEqualTo(base.rootFingerprint());
		assertThat(decoded.targetSize()).isEqualTo(edited.length);
		assertThat(decoded.chunker()).isEqualTo(SMALL);
		assertThat(applied.chunker()).isEqualTo(SMALL);
		assertThat(decoded.chunkCount()).isEqualTo(target.chunkCount());
	}

	@Test
	void deltaBetweenEqualContentCarriesNoBytes() {
		BlobSnapshot base = BlobSnapshot.of(random(20_000, 2), SMALL);
		BlobDelta delta = BlobDelta.between(base, base.withContent(base.toByteArray()));
		assertThat(delta.literalChunkCount()).isZero();
		assertThat(delta.literalBytes()).isZero();
		assertThat(delta.baseRoot()).isEqualTo(delta.targetRoot());
		assertThat(delta.encodedSize()).isEqualTo(60 + 13L * base.chunkCount());
	}

	@Test
	void repeatedNewChunkIsCarriedOnce() {
		byte[] block = random(4_000, 3);
		byte[] repeated = new byte[block.length * 8];
		for (int i = 0; i < 8; i++) {
			System.arraycopy(block, 0, repeated, i * block.length, block.length);
		}
		BlobSnapshot base = BlobSnapshot.empty(SMALL);
		BlobSnapshot target = base.withContent(repeated);

		BlobDelta delta = BlobDelta.decode(BlobDelta.between(base, target).encode());

		assertThat(delta.literalBytes()).isLessThan(2L * block.length);
		assertThat(delta.literalChunkCount()).isLessThan(target.chunkCount());
		assertThat(delta.apply(base).toByteArray()).isEqualTo(repeated);
	}

	@Test
	void deltaToAndFromTheEmptyBlobRoundTrips() {
		BlobSnapshot empty = BlobSnapshot.empty(SMALL);
		BlobSnapshot full = BlobSnapshot.of(random(5_000, 4), SMALL);
		assertThat(BlobDelta.decode(BlobDelta.between(empty, full).encode()).apply(empty).toByteArray())
				.isEqualTo(full.toByteArray());
		BlobDelta toEmpty = BlobDelta.decode(BlobDelta.between(full, empty).encode());
		assertThat(toEmpty.encodedSize()).isEqualTo(60);
		assertThat(toEmpty.apply(full).size()).isZero();
	}

	@Test
	void rejectsApplyOntoTheWrongBase() {
		byte[] content = random(20_000, 5);
		BlobSnapshot base = BlobSnapshot.of(content, SMALL);
		BlobDelta delta = BlobDelta.between(base, base.withContent(edit(content)));
		byte[] otherContent = content.clone();
		otherContent[10] ^= 1;
		BlobSnapshot other = BlobSnapshot.of(otherContent, SMALL);

		assertReason(() -> delta.apply(other), Reason.BASE_MISMATCH);
		assertReason(() -> BlobDelta.decode(delta.encode()).apply(other), Reason.BASE_MISMATCH);
		assertReason(() -> delta.apply(BlobSnapshot.empty(SMALL)), Reason.BASE_MISMATCH);
		assertThatThrownBy(() -> delta.apply(other)).hasMessageContaining(String.format("%016x", base.rootFingerprint()));
	}

	@Test
	void encodingFollowsTheDocumentedLayout() {
		BlobSnapshot base = BlobSnapshot.of(random(3_000, 6), SMALL);
		BlobSnapshot target = base.withContent(edit(base.toByteArray()));
		BlobDelta delta = BlobDelta.between(base, target);
		ByteBuffer encoded = ByteBuffer.wrap(delta.encode());

		assertThat(Arrays.copyOf(encoded.array(), 4)).isEqualTo("ZYBD".getBytes(StandardCharsets.US_ASCII));
		assertThat(encoded.get(4)).isEqualTo((byte) 1);
		assertThat(encoded.get(5)).isZero();
		assertThat(encoded.getShort(6)).isZero();
		assertThat(encoded.getInt(8)).isEqualTo(64);
		assertThat(encoded.getInt(12)).isEqualTo(256);
		assertThat(encoded.getInt(16)).isEqualTo(1024);
		assertThat(encoded.getInt(20)).isEqualTo(target.chunkCount());
		assertThat(encoded.getLong(24)).isEqualTo(base.rootFingerprint());
		assertThat(encoded.getLong(32)).isEqualTo(target.rootFingerprint());
		assertThat(encoded.getLong(40)).isEqualTo(target.size());
		assertThat(encoded.getLong(48)).isEqualTo(delta.literalBytes());
		assertThat(encoded.getLong(HEADER)).isEqualTo(target.chunk(0).fingerprint());
		assertThat(encoded.getInt(HEADER + 8)).isEqualTo(target.chunk(0).length());
		assertThat(encoded.capacity()).isEqualTo(60 + ENTRY * target.chunkCount() + (int) delta.literalBytes());
		CRC32C crc = new CRC32C();
		crc.update(encoded.array(), 0, encoded.capacity() - 4);
		assertThat(encoded.getInt(encoded.capacity() - 4)).isEqualTo((int) crc.getValue());
	}

	@Test
	void decodesFromARangeOrBufferWithoutMovingIt() {
		BlobSnapshot base = BlobSnapshot.of(random(3_000, 7), SMALL);
		byte[] encoded = BlobDelta.between(base, base.withContent(edit(base.toByteArray()))).encode();
		byte[] padded = new byte[encoded.length + 20];
		System.arraycopy(encoded, 0, padded, 7, encoded.length);

		assertThat(BlobDelta.decode(padded, 7, encoded.length).encode()).isEqualTo(encoded);
		ByteBuffer buffer = ByteBuffer.allocateDirect(padded.length).put(padded).position(7).limit(7 + encoded.length);
		assertThat(BlobDelta.decode(buffer).encode()).isEqualTo(encoded);
		assertThat(buffer.position()).isEqualTo(7);
	}

	@Test
	void rejectsEverySingleByteCorruption() {
		byte[] encoded = smallEncodedDelta();
		assertThat(encoded.length).isBetween(300, 3_000);
		for (int position = 0; position < encoded.length; position++) {
			for (int flip = 1; flip < 256; flip++) {
				byte[] corrupted = encoded.clone();
				corrupted[position] ^= (byte) flip;
				int at = position;
				int with = flip;
				assertThatThrownBy(() -> BlobDelta.decode(corrupted))
						.as("byte %d xor %d", at, with)
						.isInstanceOf(BlobDeltaException.class);
			}
		}
	}

	@Test
	void rejectsEveryTruncationAndTrailingBytes() {
		byte[] encoded = smallEncodedDelta();
		for (int length = 0; length < encoded.length; length++) {
			int at = length;
			assertThatThrownBy(() -> BlobDelta.decode(encoded, 0, at))
					.as("truncated to %d bytes", at)
					.isInstanceOf(BlobDeltaException.class);
		}
		assertReason(() -> BlobDelta.decode(Arrays.copyOf(encoded, 30)), Reason.TRUNCATED);
		assertReason(() -> BlobDelta.decode(Arrays.copyOf(encoded, encoded.length - 1)), Reason.TRUNCATED);
		assertReason(() -> BlobDelta.decode(Arrays.copyOf(encoded, encoded.length + 1)), Reason.MALFORMED);
	}

	@Test
	void namesTheReasonForBadMagicVersionAndChecksum() {
		byte[] encoded = smallEncodedDelta();
		assertReason(() -> BlobDelta.decode(with(encoded, b -> b.put(0, (byte) 'X'))), Reason.BAD_MAGIC);
		assertReason(() -> BlobDelta.decode(with(encoded, b -> b.put(4, (byte) 2))), Reason.UNSUPPORTED_VERSION);
		assertReason(() -> BlobDelta.decode(with(encoded, b -> b.put(b.capacity() - 1, (byte) 0x55))),
				Reason.CHECKSUM_MISMATCH);
		byte[] corruptLiteral = encoded.clone();
		corruptLiteral[corruptLiteral.length - 10] ^= 1;
		assertReason(() -> BlobDelta.decode(corruptLiteral), Reason.CHECKSUM_MISMATCH);
	}

	@Test
	void rejectsOutOfRangeFieldsEvenWithAValidChecksum() {
		byte[] encoded = smallEncodedDelta();
		int count = ByteBuffer.wrap(encoded).getInt(20);
		int firstLiteral = firstEntryWithSource(encoded, 1);
		int firstKnown = firstEntryWithSource(encoded, 0);

		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putInt(20, Integer.MAX_VALUE))), Reason.TRUNCATED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putInt(20, -1))), Reason.TRUNCATED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putLong(48, Long.MAX_VALUE))), Reason.TRUNCATED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putLong(48, Long.MIN_VALUE))), Reason.TRUNCATED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.put(5, (byte) 1))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putShort(6, (short) 1))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putInt(12, 1000))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putInt(16, 0))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putLong(40, -1))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putLong(40, b.getLong(40) + 1))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putInt(entry(0) + 8, 0))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.putInt(entry(0) + 8, 1025))), Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.put(entry(count - 1) + 12, (byte) 2))),
				Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.put(entry(firstLiteral) + 12, (byte) 0))),
				Reason.MALFORMED);
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.put(entry(firstKnown) + 12, (byte) 1))),
				Reason.MALFORMED);
		int literalStart = HEADER + ENTRY * count;
		assertReason(() -> BlobDelta.decode(resealed(encoded, b -> b.put(literalStart, (byte) (b.get(literalStart) ^ 1)))),
				Reason.CHUNK_MISMATCH);
	}

	@Test
	void neverAppliesADeltaWhoseTargetRootOrChunkReferencesAreWrong() {
		BlobSnapshot base = BlobSnapshot.of(random(3_000, 8), SMALL);
		byte[] encoded = BlobDelta.between(base, base.withContent(edit(base.toByteArray()))).encode();
		int firstKnown = firstEntryWithSource(encoded, 0);

		BlobDelta wrongTarget = BlobDelta.decode(resealed(encoded, b -> b.putLong(32, b.getLong(32) ^ 1)));
		assertReason(() -> wrongTarget.apply(base), Reason.TARGET_MISMATCH);

		BlobDelta unknownChunk = BlobDelta.decode(
				resealed(encoded, b -> b.putLong(entry(firstKnown), b.getLong(entry(firstKnown)) ^ 1)));
		assertReason(() -> unknownChunk.apply(base), Reason.MALFORMED);
	}

	/** A delta of a few hundred bytes with both known and literal chunks. */
	private static byte[] smallEncodedDelta() {
		byte[] content = random(1_500, 9);
		BlobSnapshot base = BlobSnapshot.of(content, SMALL);
		byte[] edited = content.clone();
		Arrays.fill(edited, 700, 705, (byte) 1);
		BlobDelta delta = BlobDelta.between(base, base.withContent(edited));
		assertThat(delta.literalChunkCount()).isBetween(1, delta.chunkCount() - 1);
		return delta.encode();
	}

	/** Overwrites, inserts and deletes a few bytes at scattered places. */
	private static byte[] edit(byte[] content) {
		byte[] edited = content.clone();
		edited[content.length / 3] ^= 0x11;
		byte[] grown = new byte[edited.length + 3];
		int at = content.length / 2;
		System.arraycopy(edited, 0, grown, 0, at);
		grown[at] = 1;
		grown[at + 1] = 2;
		grown[at + 2] = 3;
		System.arraycopy(edited, at, grown, at + 3, edited.length - at);
		int cut = grown.length * 4 / 5;
		byte[] shrunk = new byte[grown.length - 7];
		System.arraycopy(grown, 0, shrunk, 0, cut);
		System.arraycopy(grown, cut + 7, shrunk, cut, grown.length - cut - 7);
		return shrunk;
	}

	private static int entry(int index) {
		return HEADER + ENTRY * index;
	}

	private static int firstEntryWithSource(byte[] encoded, int source) {
		int count = ByteBuffer.wrap(encoded).getInt(20);
		for (int i = 0; i < count; i++) {
			if (encoded[entry(i) + 12] == source) {
				return i;
			}
		}
		throw new AssertionError("no chunk with source " + source);
	}

	private static byte[] with(byte[] encoded, Consumer<ByteBuffer> change) {
		byte[] copy = encoded.clone();
		change.accept(ByteBuffer.wrap(copy));
		return copy;
	}

	/** Applies {@code change} and writes a matching CRC32C, as a buggy or hostile sender would. */
	private static byte[] resealed(byte[] encoded, Consumer<ByteBuffer> change) {
		byte[] copy = with(encoded, change);
		CRC32C crc = new CRC32C();
		crc.update(copy, 0, copy.length - 4);
		ByteBuffer.wrap(copy).putInt(copy.length - 4, (int) crc.getValue());
		return copy;
	}

	private static void assertReason(ThrowingCallable call, Reason reason) {
		BlobDeltaException thrown = catchThrowableOfType(BlobDeltaException.class, call);
		assertThat(thrown).as("expected a BlobDeltaException with reason %s", reason).isNotNull();
		assertThat(thrown.reason()).as(thrown.getMessage()).isEqualTo(reason);
	}

	private static List<Long> fingerprints(BlobSnapshot blob) {
		return blob.chunks().stream().map(BlobChunk::fingerprint).toList();
	}
}
