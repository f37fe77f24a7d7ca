package io.zynco.replication;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.zynco.protocol.ControlMessage.PublishChunk;
import io.zynco.replication.PublishUploads.Outcome;
import io.zynco.testing.Seeds;

import static org.assertj.core.api.Assertions.assertThat;

class PublishUploadsTests {

	private static final long A = 1;

	private static final long B = 2;

	private final PublishUploads uploads = new PublishUploads(10_000_000);

	private static byte[] delta(int length) {
		return Seeds.bytes(new SplittableRandom(length), length);
	}

	private static PublishChunk piece(long requestId, byte[] delta, int from, int to) {
		return new PublishChunk(requestId, from, delta.length, to == delta.length, Arrays.copyOfRange(delta, from, to));
	}

	@Test
	void assemblesPiecesInOrderIntoTheWholeDelta() {
		byte[] delta = delta(3_500_000);
		assertThat(this.uploads.accept(A, piece(7, delta, 0, 1_000_000), 0)).isInstanceOf(Outcome.Pending.class);
		assertThat(this.uploads.accept(A, piece(7, delta, 1_000_000, 2_000_000), 1)).isInstanceOf(Outcome.Pending.class);
		assertThat(this.uploads.accept(A, piece(7, delta, 2_000_000, 3_000_000), 2)).isInstanceOf(Outcome.Pending.class);
		assertThat(this.uploads.heldBytes()).as("grown with what arrived").isBetween(3_000_000L, 3_500_000L);
		Outcome last = this.uploads.accept(A, piece(7, delta, 3_000_000, 3_500_000), 3);
		assertThat(last).isInstanceOfSatisfying(Outcome.Complete.class, (complete) -> {
			assertThat(complete.requestId()).isEqualTo(7);
			assertThat(complete.delta()).isEqualTo(delta);
		});
		assertThat(this.uploads.size()).isZero();
	}

	@Test
	void keepsOneUploadPerMemberApart() {
		byte[] a = delta(2_000_001);
		byte[] b = delta(2_000_002);
		this.uploads.accept(A, piece(1, a, 0, 1_000_000), 0);
		this.uploads.accept(B, piece(1, b, 0, 1_000_000), 0);
		this.uploads.accept(A, piece(1, a, 1_000_000, 2_000_000), 0);
		assertThat(this.uploads.accept(B, piece(1, b, 1_000_000, 2_000_002), 0))
			.isInstanceOfSatisfying(Outcome.Complete.class, (c) -> assertThat(c.delta()).isEqualTo(b));
		assertThat(this.uploads.accept(A, piece(1, a, 2_000_000, 2_000_001), 0))
			.isInstanceOfSatisfying(Outcome.Complete.class, (c) -> assertThat(c.delta()).isEqualTo(a));
	}

	@Test
	void aNewUploadFromTheSameMemberReplacesAnUnfinishedOne() {
		byte[] first = delta(2_000_000);
		byte[] second = delta(1_500_000);
		this.uploads.accept(A, piece(1, first, 0, 1_000_000), 0);
		this.uploads.accept(A, piece(2, second, 0, 1_000_000), 0);
		assertThat(this.uploads.accept(A, piece(1, first, 1_000_000, 2_000_000), 0))
			.isInstanceOf(Outcome.Ignored.class);
		assertThat(this.uploads.accept(A, piece(2, second, 1_000_000, 1_500_000), 0))
			.isInstanceOfSatisfying(Outcome.Complete.class, (c) -> assertThat(c.delta()).isEqualTo(second));
	}

	@Test
	void refusesPiecesOutOfOrderOrInconsistentAndDropsTheUpload() {
		byte[] delta = delta(3_000_000);
		PublishChunk[] bad = { piece(5, delta, 2_000_000, 3_000_000), // a gap
				new PublishChunk(5, 1_000_000, 3_000_001, false, new byte[10]), // another total
				new PublishChunk(5, 1_000_000, 3_000_000, true, new byte[10]), // "last" too early
				new PublishChunk(5, 1_000_000, 3_000_000, false, new byte[2_000_000]), // reaches the end, not last
				new PublishChunk(5, 1_000_000, 3_000_000, false, new byte[2_000_001]), // past the end
				new PublishChunk(5, 1_000_000, 3_000_000, false, new byte[0]) }; // empty, not last
		for (PublishChunk chunk : bad) {
			this.uploads.accept(A, piece(5, delta, 0, 1_000_000), 0);
			Outcome outcome = this.uploads.accept(A, chunk, 0);
			assertThat(outcome).as("%s", chunk).isInstanceOfSatisfying(Outcome.Refused.class, (refused) -> {
				assertThat(refused.requestId()).isEqualTo(5);
				assertThat(refused.tag()).isEqualTo("publish-chunk-out-of-order");
				assertThat(refused.answer()).startsWith("[INVALID]");
			});
			assertThat(this.uploads.size()).as("the upload is dropped").isZero();
		}
	}

	@Test
	void refusesATotalAboveTheLimitWithoutAllocatingIt() {
		Outcome outcome = this.uploads.accept(A, new PublishChunk(3, 0, 10_000_001, false, new byte[10]), 0);
		assertThat(outcome).isInstanceOfSatisfying(Outcome.Refused.class,
				(refused) -> assertThat(refused.tag()).isEqualTo("publish-too-large"));
		assertThat(this.uploads.accept(A, new PublishChunk(3, 0, 0, true, new byte[0]), 0))
			.isInstanceOf(Outcome.Refused.class);
		assertThat(this.uploads.accept(A, new PublishChunk(3, 0, -1, false, new byte[1]), 0))
			.isInstanceOf(Outcome.Refused.class);
		// a total within the limit that no piece backs holds only the first piece's room
		assertThat(this.uploads.accept(A, new PublishChunk(4, 0, 9_999_999, false, new byte[10]), 0))
			.isInstanceOf(Outcome.Pending.class);
		assertThat(this.uploads.heldBytes()).isEqualTo(1 << 20);
	}

	@Test
	void ignoresPiecesOfNoUpload() {
		assertThat(this.uploads.accept(B, new PublishChunk(9, 1_000_000, 2_000_000, false, new byte[10]), 0))
			.isInstanceOfSatisfying(Outcome.Ignored.class,
					(ignored) -> assertThat(ignored.tag()).isEqualTo("publish-chunk-unexpected"));
	}

	@Test
	void forgetsUploadsOfMembersGoneOrSilentForTooLong() {
		byte[] delta = delta(2_000_000);
		this.uploads.accept(A, piece(1, delta, 0, 1_000_000), 0);
		this.uploads.accept(B, piece(1, delta, 0, 1_000_000), 500);
		assertThat(this.uploads.expire((member) -> true, 1_000, 1_000)).isZero();
		assertThat(this.uploads.expire((member) -> true, 1_001, 1_000)).as("A silent for too long").isOne();
		assertThat(this.uploads.expire((member) -> member != B, 1_001, 1_000)).as("B left").isOne();
		assertThat(this.uploads.size()).isZero();
	}

}
