package io.zynco.transport;

/** How data packets reach members. */
public enum TransportMode {

	/** One UDP multicast send per packet reaches every member. */
	MULTICAST,

	/** One UDP unicast send per member per packet (clouds, Kubernetes). */
	UNICAST,

	/** Probe multicast at start; fall back to unicast if the probe does not come back. */
	AUTO

}
