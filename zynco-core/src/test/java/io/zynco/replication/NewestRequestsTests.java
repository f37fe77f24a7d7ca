package io.zynco.replication;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NewestRequestsTests {

	private final NewestRequests requests = new NewestRequests();

	@Test
	void anOlderRequestsAnswerIsDroppedOnceANewerOneArrived() {
		assertThat(this.requests.record(1, "fares", 10)).isTrue();
		assertThat(this.requests.record(1, "fares", 12)).isTrue();
		// the answer to 10 finished encoding after 12 arrived: it must not replace 12's
		assertThat(this.requests.isNewest(1, "fares", 10)).isFalse();
		assertThat(this.requests.isNewest(1, "fares", 12)).isTrue();
	}

	@Test
	void aRequestOlderThanOneAlreadySeenIsStaleOnArrival() {
		assertThat(this.requests.record(1, "fares", 12)).isTrue();
		assertThat(this.requests.record(1, "fares", 11)).isFalse();
		assertThat(this.requests.isNewest(1, "fares", 12)).isTrue();
		// the same request again (a resent one) stays the newest
		assertThat(this.requests.record(1, "fares", 12)).isTrue();
	}

	@Test
	void membersAndStatesAreKeptApart() {
		this.requests.record(1, "fares", 12);
		this.requests.record(1, "rules", 5);
		this.requests.record(2, "fares", 3);
		assertThat(this.requests.isNewest(1, "rules", 5)).isTrue();
		assertThat(this.requests.isNewest(2, "fares", 3)).isTrue();
		assertThat(this.requests.isNewest(1, "fares", 3)).isFalse();
	}

	@Test
	void aMemberThatLeftIsForgotten() {
		this.requests.record(1, "fares", 12);
		this.requests.forget(1);
		assertThat(this.requests.record(1, "fares", 2)).isTrue();
		assertThat(this.requests.isNewest(1, "fares", 2)).isTrue();
	}

}
