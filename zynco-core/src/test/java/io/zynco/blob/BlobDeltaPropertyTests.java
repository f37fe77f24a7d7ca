package io.zynco.blob;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Delta and fingerprint laws over random small blobs and random edits, with small chunks. */
class BlobDeltaPropertyTests {

	private static final FastCdc SMALL = FastCdc.of(64, 256, 1024);

	enum Kind { INSERT, DELETE, OVERWRITE }

	/** One edit; {@code position} is taken modulo the blob's length (plus one for an insertion). */
	record Edit(Kind kind, int position, byte[] bytes, int length) {

		byte[] applyTo(byte[] content) {
			ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + bytes.length);
			switch (kind) {
				case INSERT -> {
					int at = position % (content.length + 1);
					out.write(content, 0, at);
					out.write(bytes, 0, bytes.length);
					out.write(content, at, content.length - at);
				}
				case DELETE -> {
					if (content.length == 0) {
						return content;
					}
					int at = position % content.length;
					int n = Math.min(length, content.length - at);
					out.write(content, 0, at);
					out.write(content, at + n, content.length - at - n);
				}
				case OVERWRITE -> {
					byte[] copy = content.clone();
					if (content.length > 0) {
						int at = position % content.length;
						System.arraycopy(bytes, 0, copy, at, Math.min(bytes.length, content.length - at));
					}
					return copy;
				}
			}
			return out.toByteArray();
		}
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds300")
	void encodedDeltaAppliedToBaseReproducesTarget(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		byte[] content = blobs(random);
		List<Edit> edits = edits(random);
		byte[] edited = content;
		for (Edit edit : edits) {
			edited = edit.applyTo(edited);
		}
		BlobSnapshot base = BlobSnapshot.of(content, SMALL);
		BlobSnapshot target = base.withContent(edited);

		BlobDelta delta = BlobDelta.between(base, target);
		byte[] encoded = delta.encode();
		BlobSnapshot applied = BlobDelta.decode(encoded).apply(base);

		assertThat(applied.toByteArray()).isEqualTo(edited);
		assertThat(applied.rootFingerprint()).isEqualTo(target.rootFingerprint());
		assertThat(applied.size()).isEqualTo(edited.length);
		assertThat(encoded).hasSize((int) delta.encodedSize());
		assertThat(delta.literalBytes()).isLessThanOrEqualTo(edited.length);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds200")
	void unchangedChunksAreSharedAndOnlyNewChunksAreCarried(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		byte[] content = blobs(random);
		List<Edit> edits = edits(random);
		byte[] edited = content;
		for (Edit edit : edits) {
			edited = edit.applyTo(edited);
		}
		BlobSnapshot base = BlobSnapshot.of(content, SMALL);
		BlobSnapshot target = base.withContent(edited);
		BlobDelta delta = BlobDelta.between(base, target);

		long newChunkBytes = 0;
		Set<Long> seen = new HashSet<>();
		for (BlobChunk chunk : target.chunks()) {
			boolean inBase = base.chunks().stream().anyMatch(chunk::sameContentAs);
			assertThat(base.chunks().stream().anyMatch(chunk::sharesStorageWith)).isEqualTo(inBase);
			if (!inBase && seen.add(chunk.fingerprint())) {
				newChunkBytes += chunk.length();
			}
		}
		assertThat(delta.literalBytes()).isEqualTo(newChunkBytes);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds200")
	void equalContentHasEqualRootAndUnequalContentHasUnequalRoot(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		byte[] content = blobs(random);
		List<Edit> edits = edits(random);
		byte[] edited = content;
		for (Edit edit : edits) {
			edited = edit.applyTo(edited);
		}
		BlobSnapshot first = BlobSnapshot.of(content, SMALL);
		BlobSnapshot second = BlobSnapshot.of(edited, SMALL);
		assertThat(first.rootFingerprint() == second.rootFingerprint()).isEqualTo(Arrays.equals(content, edited));
		assertThat(first.withContent(edited).rootFingerprint()).isEqualTo(second.rootFingerprint());
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds100")
	void deltaIsRejectedOnAnyOtherBase(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		byte[] content = blobs(random);
		byte[] other = blobs(random);
		BlobSnapshot base = BlobSnapshot.of(content, SMALL);
		BlobSnapshot otherBase = BlobSnapshot.of(other, SMALL);
		BlobDelta delta = BlobDelta.decode(BlobDelta.between(base, otherBase).encode());
		if (Arrays.equals(content, other)) {
			assertThat(delta.apply(otherBase).toByteArray()).isEqualTo(other);
		} else {
			BlobDeltaException thrown = catchThrowableOfType(BlobDeltaException.class, () -> delta.apply(otherBase));
			assertThat(thrown.reason()).isEqualTo(BlobDeltaException.Reason.BASE_MISMATCH);
		}
	}

	static LongStream seeds300() {
		return Seeds.of(300);
	}

	static LongStream seeds200() {
		return Seeds.of(200);
	}

	static LongStream seeds100() {
		return Seeds.of(100);
	}

	/** A blob of 0 to 12,000 random bytes, sizes uniformly distributed. */
	static byte[] blobs(SplittableRandom random) {
		return Seeds.bytes(random, random.nextInt(12_001));
	}

	/** Up to 6 random insertions, deletions and overwrites. */
	static List<Edit> edits(SplittableRandom random) {
		int n = random.nextInt(7);
		List<Edit> edits = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
			edits.add(new Edit(kind, random.nextInt(Integer.MAX_VALUE), Seeds.bytes(random, 1 + random.nextInt(700)),
					1 + random.nextInt(2_000)));
		}
		return edits;
	}
}
