package io.zynco.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class DeltaTests {

	private static byte[] b(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static Snapshot base() {
		Snapshot.Builder builder = Snapshot.builder(3);
		for (int i = 0; i < 200; i++) {
			builder.put(b("key-" + i), b("value-" + i));
		}
		return builder.build();
	}

	private static Delta smallDelta(Snapshot base) {
		Edit edit = base.edit().put(b("key-1"), b("one")).remove(b("key-2")).put(b("new"), b("entry")).commit();
		return Delta.of("fares", 4, 5, edit);
	}

	@Test
	void everySingleByteCorruptionIsRejected() {
		Snapshot base = base();
		byte[] encoded = smallDelta(base).encode();
		for (int i = 0; i < encoded.length; i++) {
			for (int flip : new int[] { 0x01, 0x80, 0xFF, 0x5A }) {
				byte[] corrupt = encoded.clone();
				corrupt[i] ^= (byte) flip;
				int position = i;
				assertThatExceptionOfType(DeltaFormatException.class).as("byte %d xor %x", position, flip)
					.isThrownBy(() -> Delta.decode(corrupt));
			}
		}
	}

	@Test
	void withoutTheChecksumEverySingleByteCorruptionIsStillRefusedByTheFieldsOrTheRoot() {
		Snapshot base = base();
		Delta original = smallDelta(base);
		byte[] encoded = original.encode();
		int trailer = encoded.length - 4;
		int byFields = 0;
		int byAnnouncement = 0;
		int byRoot = 0;
		for (int i = 0; i < trailer; i++) {
			for (int flip : new int[] { 0x01, 0x80, 0xFF, 0x5A }) {
				byte[] corrupt = encoded.clone();
				corrupt[i] ^= (byte) flip;
				Delta decoded;
				try {
					decoded = Delta.decodeOwnedAuthenticated(corrupt, null, 1);
				}
				catch (DeltaFormatException expected) {
					byFields++;
					continue;
				}
				if (!decoded.stateName().equals(original.stateName()) || decoded.baseVersion() != original.baseVersion()
						|| decoded.targetVersion() != original.targetVersion()
						|| decoded.targetRoot() != original.targetRoot()) {
					byAnnouncement++; // a node compares these with the transfer's announcement
					continue;
				}
				int position = i;
				assertThatExceptionOfType(DeltaMismatchException.class).as("byte %d xor %x", position, flip)
					.isThrownBy(() -> decoded.applyTo(base));
				byRoot++;
			}
		}
		assertThat(byFields).isPositive();
		assertThat(byAnnouncement).isPositive();
		assertThat(byRoot).isPositive();
		// the trailer is not read at all: a corrupt checksum changes nothing
		byte[] badChecksum = encoded.clone();
		badChecksum[trailer] ^= 0x01;
		assertThat(Delta.decodeOwnedAuthenticated(badChecksum.clone(), null, 1).applyTo(base).rootFingerprint())
			.isEqualTo(original.targetRoot());
		assertThatThrownBy(() -> Delta.decodeOwned(badChecksum, null, 1)).isInstanceOf(DeltaFormatException.class)
			.extracting((ex) -> ((DeltaFormatException) ex).reason())
			.isEqualTo(DeltaFormatException.Reason.BAD_CHECKSUM);
	}

	/** Decodes with a streaming decoder told about the bytes in random steps, as packets arrive. */
	private static Delta streamed(byte[] encoded, Random random, boolean checksum) {
		Delta.StreamingDecoder decoder = Delta.streamingDecoder(encoded);
		int available = 0;
		while (available < encoded.length) {
			available = Math.min(encoded.length, available + 1 + random.nextInt((random.nextInt(4) == 0) ? 4 : 600));
			decoder.advance(available);
		}
		return decoder.finish(checksum);
	}

	@Test
	void aStreamingDecoderGivesWhatDecodeGivesWhateverTheStepsItIsFed() {
		Random random = new Random(21);
		Snapshot base = base();
		for (int round = 0; round < 200; round++) {
			Snapshot.Editor edit = base.edit();
			int changes = random.nextInt(300);
			for (int i = 0; i < changes; i++) {
				String key = "key-" + random.nextInt(400);
				if (random.nextInt(5) == 0) {
					edit.remove(b(key));
				}
				else {
					byte[] value = new byte[random.nextInt((random.nextInt(10) == 0) ? 3000 : 40)];
					random.nextBytes(value);
					edit.put(b(key), value);
				}
			}
			Delta delta = Delta.of("fares", 4, 5, edit.commit());
			byte[] encoded = delta.encode();
			Delta result = streamed(encoded.clone(), random, true);
			assertThat(result.encode()).isEqualTo(encoded);
			assertThat(result.applyTo(base).rootFingerprint()).isEqualTo(delta.targetRoot());
		}
		// the whole delta at once, and a parsed count that only grows
		byte[] encoded = smallDelta(base).encode();
		Delta.StreamingDecoder decoder = Delta.streamingDecoder(encoded.clone());
		decoder.advance(0);
		assertThat(decoder.parsedChanges()).isZero();
		assertThat(decoder.finish(true).encode()).isEqualTo(encoded);
		assertThat(decoder.parsedChanges()).isEqualTo(3);
	}

	@Test
	void aStreamingDecoderRefusesWhatDecodeRefusesAndKeepsRefusing() {
		Snapshot base = base();
		Snapshot.Editor edit = base.edit();
		for (int i = 0; i < 60; i += 3) {
			edit.put(b("key-" + i), b("a new value for key " + i));
			edit.remove(b("key-" + (i + 1)));
		}
		// longer than the longest header, so that it is parsed in steps
		byte[] encoded = Delta.of("fares", 4, 5, edit.commit()).encode();
		assertThat(encoded.length).isGreaterThan(800);
		Random random = new Random(22);
		for (int i = 0; i < encoded.length; i++) {
			for (int flip : new int[] { 0x01, 0x80, 0xFF, 0x5A }) {
				byte[] corrupt = encoded.clone();
				corrupt[i] ^= (byte) flip;
				Delta expected;
				try {
					expected = Delta.decodeOwnedAuthenticated(corrupt.clone(), null, 1);
				}
				catch (DeltaFormatException ex) {
					expected = null;
				}
				int position = i;
				if (expected == null) {
					assertThatExceptionOfType(DeltaFormatException.class).as("byte %d xor %x", position, flip)
						.isThrownBy(() -> streamed(corrupt, random, false));
				}
				else {
					assertThat(streamed(corrupt, random, false).encode()).as("byte %d xor %x", position, flip)
						.isEqualTo(expected.encode());
				}
				// with the checksum, every corruption is refused, as by decodeOwned
				assertThatExceptionOfType(DeltaFormatException.class).as("byte %d xor %x", position, flip)
					.isThrownBy(() -> streamed(corrupt.clone(), random, true));
			}
		}
		byte[] badMagic = encoded.clone();
		badMagic[0] ^= 1;
		Delta.StreamingDecoder decoder = Delta.streamingDecoder(badMagic);
		DeltaFormatException first = catchThrowableOfType(DeltaFormatException.class,
				() -> decoder.advance(badMagic.length));
		assertThat(first.reason()).isEqualTo(DeltaFormatException.Reason.BAD_MAGIC);
		assertThatExceptionOfType(DeltaFormatException.class).isThrownBy(() -> decoder.advance(badMagic.length))
			.isSameAs(first);
		assertThatExceptionOfType(DeltaFormatException.class).isThrownBy(() -> decoder.finish(false)).isSameAs(first);
	}

	@Test
	void everyTruncationIsRejected() {
		byte[] encoded = smallDelta(base()).encode();
		for (int length = 0; length < encoded.length; length++) {
			byte[] truncated = Arrays.copyOf(encoded, length);
			assertThatExceptionOfType(DeltaFormatException.class).isThrownBy(() -> Delta.decode(truncated));
		}
		byte[] extended = Arrays.copyOf(encoded, encoded.length + 1);
		assertThatExceptionOfType(DeltaFormatException.class).isThrownBy(() -> Delta.decode(extended));
	}

	@Test
	void wellChecksummedButMalformedInputIsRejectedByItsFields() {
		byte[] encoded = smallDelta(base()).encode();
		// a huge change count, re-checksummed so only the field checks can catch it
		int countOffset = 8 + "fares".length() + 5 * 8;
		byte[] forged = encoded.clone();
		ByteBuffer.wrap(forged).putInt(countOffset, Integer.MAX_VALUE);
		rechecksum(forged);
		assertThatThrownBy(() -> Delta.decode(forged)).isInstanceOf(DeltaFormatException.class)
			.extracting((ex) -> ((DeltaFormatException) ex).reason())
			.isEqualTo(DeltaFormatException.Reason.TRUNCATED);
		// an unknown change kind
		byte[] kind = encoded.clone();
		kind[countOffset + 4] = 9;
		rechecksum(kind);
		assertThatThrownBy(() -> Delta.decode(kind)).isInstanceOf(DeltaFormatException.class)
			.extracting((ex) -> ((DeltaFormatException) ex).reason())
			.isEqualTo(DeltaFormatException.Reason.BAD_FIELD);
	}

	@Test
	void aMalformedVarintIsRejectedNamingItsFieldAndChange() {
		byte[] encoded = smallDelta(base()).encode();
		int firstChange = 8 + "fares".length() + 5 * 8 + 4;
		// the first varint of change 0 (its entry length, or its key length for a removal) runs
		// over 5 bytes; re-checksummed so that the varint check, not the CRC, catches it
		byte[] forged = encoded.clone();
		Arrays.fill(forged, firstChange + 1, firstChange + 6, (byte) 0xFF);
		rechecksum(forged);
		assertThatThrownBy(() -> Delta.decode(forged)).isInstanceOf(DeltaFormatException.class)
			.hasMessageMatching(".*the (entry|key) length of change 0 is longer than 5 bytes.*")
			.extracting((ex) -> ((DeltaFormatException) ex).reason())
			.isEqualTo(DeltaFormatException.Reason.BAD_FIELD);
	}

	@Test
	void randomGarbageIsRejected() {
		Random random = new Random(11);
		for (int i = 0; i < 10_000; i++) {
			byte[] garbage = new byte[random.nextInt(300)];
			random.nextBytes(garbage);
			if (garbage.length >= 4 && random.nextBoolean()) {
				ByteBuffer.wrap(garbage).putInt(0, Delta.MAGIC);
				if (garbage.length > 4) {
					garbage[4] = Delta.FORMAT_VERSION;
				}
				rechecksum(garbage);
			}
			try {
				Delta.decode(garbage);
			}
			catch (DeltaFormatException expected) {
				continue;
			}
			throw new AssertionError("garbage of " + garbage.length + " bytes was accepted");
		}
	}

	private static void rechecksum(byte[] bytes) {
		if (bytes.length < 4) {
			return;
		}
		CRC32C crc = new CRC32C();
		crc.update(bytes, 0, bytes.length - 4);
		ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
	}

	@Test
	void applyingOntoTheWrongBaseIsRejected() {
		Snapshot base = base();
		Delta delta = smallDelta(base);
		Snapshot other = base.edit().put(b("key-3"), b("drift")).commit().snapshot();
		assertThatThrownBy(() -> delta.applyTo(other)).isInstanceOf(DeltaMismatchException.class)
			.hasMessageContaining("expects base root")
			.extracting((ex) -> ((DeltaMismatchException) ex).check())
			.isEqualTo(DeltaMismatchException.Check.BASE_ROOT);
		assertThatThrownBy(() -> delta.applyTo(Snapshot.empty(4))).isInstanceOf(DeltaMismatchException.class)
			.extracting((ex) -> ((DeltaMismatchException) ex).check())
			.isEqualTo(DeltaMismatchException.Check.SEGMENTS);
	}

	@Test
	void aResultThatMissesTheTargetRootIsNeverReturned() {
		Snapshot base = base();
		Snapshot target = base.edit().put(b("key-1"), b("one")).commit().snapshot();
		Snapshot elsewhere = base.edit().put(b("key-1"), b("two")).commit().snapshot();
		// the header promises 'target' but the changes produce 'elsewhere'
		Delta lying = Delta.of("fares", 1, base, 2, target, base.diff(elsewhere));
		assertThatThrownBy(() -> Delta.decode(lying.encode()).applyTo(base)).isInstanceOf(DeltaMismatchException.class)
			.extracting((ex) -> ((DeltaMismatchException) ex).check())
			.isEqualTo(DeltaMismatchException.Check.TARGET_ROOT);
	}

	@Test
	void encodingCostsAtMostSixteenBytesPerChangeBeyondThePayload() {
		Snapshot base = base();
		Delta delta = smallDelta(base);
		long overhead = delta.encodedLength() - delta.changes().payloadBytes();
		long header = Delta.MIN_ENCODED_LENGTH + "fares".length();
		assertThat(overhead - header).isLessThanOrEqualTo(16L * delta.changes().size());
	}

	@Test
	void versionsMustIncrease() {
		Snapshot base = base();
		assertThatThrownBy(() -> Delta.diff("fares", 5, base, 5, base)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("later one");
	}

}
