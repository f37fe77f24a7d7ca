package io.zynco.sample.fares;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

import io.zynco.state.StateView;

/**
 * Builds {@link RouteIndex route indexes} for the {@link FareBook} instances, each from the
 * last one built (a singleton shared by every version's {@code FareBook}). The starter builds
 * the instance for a new version on a worker thread while the cluster prepares the switch;
 * this is where that build gets cheap: a 1% repricing reuses the index after a diff of a few
 * milliseconds instead of re-reading a million keys.
 */
@Component
public class RouteIndexer {

	private final AtomicLong fullBuilds = new AtomicLong();

	private final AtomicLong incrementalBuilds = new AtomicLong();

	private RouteIndex last = RouteIndex.EMPTY;

	/** The route index of this version of {@code fares}. */
	public synchronized RouteIndex indexOf(StateView<String, Fare> fares) {
		if (this.last.snapshot() == fares.snapshot()) {
			return this.last;
		}
		if (this.last.snapshot() == null) {
			this.fullBuilds.incrementAndGet();
		}
		else {
			this.incrementalBuilds.incrementAndGet();
		}
		this.last = this.last.update(fares.snapshot());
		return this.last;
	}

	/** How many indexes were built from scratch. */
	public long fullBuilds() {
		return this.fullBuilds.get();
	}

	/** How many indexes were derived from the previous one. */
	public long incrementalBuilds() {
		return this.incrementalBuilds.get();
	}

}
