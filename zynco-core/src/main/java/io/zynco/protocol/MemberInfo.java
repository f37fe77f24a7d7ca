package io.zynco.protocol;

import java.util.Objects;

/**
 * Who a cluster member is and where to reach it. The {@code id} is random per process start;
 * {@code startedAtMillis} orders members by age (the oldest live member coordinates, ties
 * broken by id). Thread-safe (immutable).
 *
 * @param id random 64-bit member id, unique per process start
 * @param name operator-facing node name
 * @param startedAtMillis wall-clock start time, used to rank members by age
 * @param host address other members use for both channels (an IP literal)
 * @param controlPort TCP port of the control channel
 * @param dataPort UDP port for unicast data and NACK-triggered repairs
 */
public record MemberInfo(long id, String name, long startedAtMillis, String host, int controlPort, int dataPort) {

	public MemberInfo {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(host, "host");
		if (controlPort < 0 || controlPort > 65535 || dataPort < 0 || dataPort > 65535) {
			throw new IllegalArgumentException("ports must be within 0..65535");
		}
	}

	/** Whether this member is older than {@code other} (and so ranks before it as coordinator). */
	public boolean olderThan(MemberInfo other) {
		if (this.startedAtMillis != other.startedAtMillis) {
			return this.startedAtMillis < other.startedAtMillis;
		}
		return Long.compareUnsigned(this.id, other.id) < 0;
	}

	@Override
	public String toString() {
		return this.name + "(" + Long.toHexString(this.id) + "@" + this.host + ":" + this.controlPort + ")";
	}

}
