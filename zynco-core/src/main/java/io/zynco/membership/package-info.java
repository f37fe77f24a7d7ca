/**
 * Transport-agnostic cluster membership: the member table, heartbeats, round-trip times, the
 * dynamic failure timeout, suspicion with indirect probes, the view digest and its repair, and
 * the coordinator (the oldest live member).
 *
 * <p>{@link io.zynco.membership.Membership} is driven by the node: control-channel events in,
 * {@link io.zynco.membership.Membership#tick(long)} for periodic work, and a
 * {@link io.zynco.membership.MembershipOutput} for what it asks the transport to do. It is
 * confined to the node loop thread and never reads the system clock. The algorithm is
 * described in docs/replication.md, section "Membership algorithm".
 */
package io.zynco.membership;
