package io.zynco.blob;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import com.dynatrace.hash4j.hashing.Hashing;
import org.junit.jupiter.api.Test;

import static io.zynco.blob.FastCdcTests.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobSnapshotTests {

	private static final FastCdc SMALL = FastCdc.of(64, 256, 1024);

	@Test
	void holdsTheContentItWasMadeFrom() throws IOException {
		byte[] content = random(100_000, 1);
		BlobSnapshot blob = BlobSnapshot.of(content, SMALL);

		assertThat(blob.size()).isEqualTo(content.length);
		assertThat(blob.toByteArray()).isEqualTo(content);
		try (InputStream in = blob.openStream()) {
			assertThat(in.readAllBytes()).isEqualTo(content);
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		blob.writeTo(out);
		assertThat(out.toByteArray()).isEqualTo(content);
	}

	@Test
	void streamReadsSingleBytesSkipsAndTransfers() throws IOException {
		byte[] content = random(5_000, 2);
		BlobSnapshot blob = BlobSnapshot.of(content, SMALL);
		try (InputStream in = blob.openStream()) {
			assertThat(in.read()).isEqualTo(content[0] & 0xFF);
			assertThat(in.skip(2_000)).isEqualTo(2_000);
			assertThat(in.read()).isEqualTo(content[2_001] & 0xFF);
			byte[] some = new byte[1_500];
			assertThat(in.readNBytes(some, 0, some.length)).isEqualTo(1_500);
			assertThat(some).isEqualTo(Arrays.copyOfRange(content, 2_002, 3_502));
			ByteArrayOutputStream rest = new ByteArrayOutputStream();
			assertThat(in.transferTo(rest)).isEqualTo(content.length - 3_502);
			assertThat(rest.toByteArray()).isEqualTo(Arrays.copyOfRange(content, 3_502, content.length));
			assertThat(in.read()).isEqualTo(-1);
			assertThat(in.read(some, 0, 10)).isEqualTo(-1);
			assertThat(in.skip(10)).isZero();
		}
	}

	@Test
	void chunksAreContiguousAndFingerprintedWithXxh3() {
		byte[] content = random(30_000, 3);
		BlobSnapshot blob = BlobSnapshot.of(content, SMALL);
		List<BlobChunk> chunks = blob.chunks();

		assertThat(chunks).hasSize(blob.chunkCount());
		long offset = 0;
		for (BlobChunk chunk : chunks) {
			assertThat(chunk.offset()).isEqualTo(offset);
			assertThat(chunk.copyBytes())
					.isEqualTo(Arrays.copyOfRange(content, (int) offset, (int) offset + chunk.length()));
			assertThat(chunk.fingerprint())
					.isEqualTo(Hashing.xxh3_64().hashBytesToLong(content, (int) offset, chunk.length()));
			offset += chunk.length();
		}
		assertThat(offset).isEqualTo(content.length);
		assertThatThrownBy(() -> blob.chunk(blob.chunkCount())).isInstanceOf(IndexOutOfBoundsException.class);
	}

	@Test
	void rootIsXxh3OverBigEndianChunkFingerprintsAndLengths() {
		BlobSnapshot blob = BlobSnapshot.of(random(300_000, 4), SMALL);
		ByteBuffer entries = ByteBuffer.allocate(12 * blob.chunkCount());
		for (BlobChunk chunk : blob.chunks()) {
			entries.putLong(chunk.fingerprint()).putInt(chunk.length());
		}
		assertThat(blob.chunkCount()).isGreaterThan(256);
		assertThat(blob.rootFingerprint()).isEqualTo(Hashing.xxh3_64().hashBytesToLong(entries.array()));
	}

	@Test
	void equalContentHasEqualRootAndDifferentContentDoesNot() {
		byte[] content = random(50_000, 5);
		BlobSnapshot first = BlobSnapshot.of(content, SMALL);
		assertThat(BlobSnapshot.of(content.clone(), SMALL).rootFingerprint()).isEqualTo(first.rootFingerprint());

		content[25_000] ^= 1;
		assertThat(BlobSnapshot.of(content, SMALL).rootFingerprint()).isNotEqualTo(first.rootFingerprint());
	}

	@Test
	void isNotChangedByLaterWritesToTheCallersArray() {
		byte[] content = random(10_000, 6);
		byte[] copy = content.clone();
		BlobSnapshot blob = BlobSnapshot.of(content, SMALL);
		Arrays.fill(content, (byte) 0);
		blob.chunk(0).copyBytes()[0] ^= 1;
		assertThat(blob.toByteArray()).isEqualTo(copy);
		assertThat(blob.chunk(0).asReadOnlyBuffer().isReadOnly()).isTrue();
	}

	@Test
	void newVersionSharesTheByteArraysOfUnchangedChunks() {
		byte[] content = random(200_000, 7);
		BlobSnapshot base = BlobSnapshot.of(content, SMALL);
		byte[] edited = content.clone();
		Arrays.fill(edited, 100_000, 100_010, (byte) 42);

		BlobSnapshot next = base.withContent(edited);

		assertThat(next.toByteArray()).isEqualTo(edited);
		assertThat(next.chunker()).isEqualTo(SMALL);
		long notShared = next.chunks().stream()
				.filter(chunk -> base.chunks().stream().noneMatch(chunk::sharesStorageWith))
				.count();
		assertThat(notShared).isBetween(1L, 3L);
		for (BlobChunk chunk : next.chunks()) {
			boolean inBase = base.chunks().stream().anyMatch(chunk::sameContentAs);
			boolean shared = base.chunks().stream().anyMatch(chunk::sharesStorageWith);
			assertThat(shared).as("%s", chunk).isEqualTo(inBase);
		}
		assertThat(base.withContent(content).chunks())
				.allSatisfy(chunk -> assertThat(base.chunks()).anyMatch(chunk::sharesStorageWith));
		assertThat(base.withContent(content).rootFingerprint()).isEqualTo(base.rootFingerprint());
	}

	@Test
	void emptyBlobHasNoChunkAndNoBytes() throws IOException {
		BlobSnapshot empty = BlobSnapshot.empty(SMALL);
		assertThat(empty.size()).isZero();
		assertThat(empty.chunkCount()).isZero();
		assertThat(empty.chunks()).isEmpty();
		assertThat(empty.toByteArray()).isEmpty();
		assertThat(empty.openStream().read()).isEqualTo(-1);
		assertThat(BlobSnapshot.of(new byte[0], SMALL).rootFingerprint()).isEqualTo(empty.rootFingerprint());
		assertThat(BlobSnapshot.empty().chunker()).isEqualTo(FastCdc.defaults());
	}
}
