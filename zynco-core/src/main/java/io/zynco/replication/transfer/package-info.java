/**
 * The transport-agnostic transfer engine: moves one encoded delta or snapshot (a
 * {@code byte[]}) from a sender to a set of receivers over lossy datagrams with reliable
 * feedback.
 *
 * <ul>
 * <li>{@link io.zynco.replication.transfer.TransferSender} cuts the payload into packets,
 * paces them with a {@link io.zynco.replication.transfer.RateController}, repairs what
 * receivers NACK (by multicast when several miss a packet, by unicast otherwise), and drops
 * receivers still incomplete at the deadline.</li>
 * <li>{@link io.zynco.replication.transfer.TransferReceiver} reassembles the packets of one
 * incoming transfer into a preallocated array and schedules NACKs for what is missing.</li>
 * </ul>
 *
 * Nothing here does I/O or reads a clock: output goes through
 * {@link io.zynco.replication.transfer.TransferOutput}, input arrives by method calls, and time
 * is passed in as {@code nowNanos}. Every type is confined to one thread, the node loop, and is
 * not thread-safe. The algorithm is described in docs/replication.md, section "Transfer
 * engine".
 */
package io.zynco.replication.transfer;
