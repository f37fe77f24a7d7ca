package io.zynco.protocol;

/**
 * One state at one version with its root fingerprint: the unit of a cluster view.
 * Thread-safe (immutable).
 *
 * @param state the state's name
 * @param version the version number
 * @param root the version's root fingerprint
 */
public record StateVersion(String state, long version, long root) {
}
