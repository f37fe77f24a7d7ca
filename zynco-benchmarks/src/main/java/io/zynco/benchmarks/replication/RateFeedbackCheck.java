package io.zynco.benchmarks.replication;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

import io.zynco.protocol.ControlMessage;
import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.replication.transfer.RateController;
import io.zynco.replication.transfer.TransferOutput;
import io.zynco.replication.transfer.TransferReceiver;
import io.zynco.replication.transfer.TransferResult;
import io.zynco.replication.transfer.TransferSender;
import io.zynco.replication.transfer.TransferSpec;

/**
 * Closed-loop check of the transfer engine's rate control, without network or node: one
 * {@link TransferSender} with the node's settings and R real {@link TransferReceiver}s on a
 * virtual clock (1 ms ticks, like the node loop). Each receiver sits behind a model of a
 * socket buffer drained by a CPU-bound loop ({@code --capacity} MiB/s, {@code --buffer} MiB;
 * what arrives on a full buffer is dropped), optionally with random loss. NACKs and acks
 * go back after {@code --rtt-ms}. It prints, per receiver count, how often the controller cut
 * and raised the rate, where the rate ended, and how many bytes the sender sent per payload
 * byte. This isolates the controller: with R = 1 the loss reaches it; with R = 3 it shows
 * whether it still does. Each case runs twice: receivers that do not measure their queue (the
 * controller hears only losses), and receivers that measure it as Linux's {@code SO_MEMINFO}
 * lets a node do and report it with every NACK and every 5 ms, with the node's fast increase
 * while every queue stays under a quarter full ({@code NodeTransports}' settings, for a
 * socket buffer of half {@code --buffer}, as the kernel doubles what is asked).
 *
 * <pre>
 * java -cp zynco-benchmarks/target/benchmarks.jar io.zynco.benchmarks.replication.RateFeedbackCheck [--mib 128] [--capacity 150]
 *     [--buffer 32] [--loss 0] [--rtt-ms 0.2] [--jitter-ms 3] [--capacity-jitter 0] [--stall-ms 0]
 *     [--pause-ms 0] [--pause-every-ms 100] [--increase-factor F]
 * </pre>
 */
public final class RateFeedbackCheck {

	private static final long MS = 1_000_000L;

	private RateFeedbackCheck() {
	}

	private record Queued(int sequence, int count, int offset, int length, long due) {
	}

	private static final class Receiver {

		final long id;

		TransferReceiver transfer;

		final ArrayDeque<Queued> queue = new ArrayDeque<>();

		long queuedBytes;

		long dropped;

		long credit;

		long stallUntil;

		long nextPauseAt;

		Receiver(long id) {
			this.id = id;
		}

	}

	public static void main(String[] argv) {
		Locale.setDefault(Locale.ROOT);
		Args args = Args.parse(argv);
		int mib = args.getInt("mib", 128);
		double capacity = args.getDouble("capacity", 150) * 1048576 / 1000; // bytes per ms
		long buffer = (long) (args.getDouble("buffer", 32) * 1048576);
		double loss = args.getDouble("loss", 0);
		long rtt = (long) (args.getDouble("rtt-ms", 0.2) * MS);
		long jitter = (long) (args.getDouble("jitter-ms", 3) * MS);
		double wobble = args.getDouble("capacity-jitter", 0);
		long stall = (long) (args.getDouble("stall-ms", 0) * MS);
		long pause = (long) (args.getDouble("pause-ms", 0) * MS);
		long pauseEvery = (long) (args.getDouble("pause-every-ms", 100) * MS);
		double increaseFactor = args.getDouble("increase-factor", RateController.Config.defaults().increaseFactor());
		System.out.printf("payload %d MiB in 59,940-byte packets; each receiver drains %.0f MiB/s from a %.0f MiB buffer,"
				+ " random loss %.1f %%, feedback delay %.1f ms + uniform 0..%.1f ms (receivers' loops are not in step);"
				+ " rate 200 MiB/s initial, 2 GiB/s max%n", mib, capacity * 1000 / 1048576, buffer / 1048576.0, loss * 100,
				rtt / 1e6, jitter / 1e6);
		System.out.printf("(each receiver's drain varies uniformly by +-%.0f %% per ms; every receiver's loop stalls for the"
				+ " first %.0f ms, plus up to the feedback jitter)%n", wobble * 100, stall / 1e6);
		System.out.printf("rate increase per uncongested 10 ms: x%.3f + 1 MiB/s%n", increaseFactor);
		if (pause > 0) {
			System.out.printf("every receiver's loop also stands still for %.0f ms every %.0f ms (at its own phase), as"
					+ " when other processes take the cores%n", pause / 1e6, pauseEvery / 1e6);
		}
		System.out.printf("%-3s %-9s %9s %9s %10s %10s %10s %10s %10s %10s %9s%n", "R", "queue", "virtual s",
				"decreases", "increases", "rate end", "rate min", "rate max", "drops", "sent/payld", "NACKs");
		for (int r : new int[] { 1, 2, 3 }) {
			for (boolean measured : new boolean[] { false, true }) {
				run(r, mib, capacity, buffer, loss, rtt, jitter, wobble, stall, pause, pauseEvery, increaseFactor,
						measured);
			}
		}
	}

	private static void run(int receiverCount, int mib, double capacity, long buffer, double loss, long rtt,
			long jitter, double wobble, long stall, long pause, long pauseEvery, double increaseFactor,
			boolean measured) {
		byte[] payload = new byte[mib << 20];
		new SplittableRandom(1).nextBytes(payload);
		SplittableRandom random = new SplittableRandom(7);
		int packetPayload = 60_000 - 60;
		long now = 1_000 * MS;
		RateController.Config defaults = RateController.Config.defaults();
		// the node's settings (NodeTransports) for a socket buffer of half the modelled one
		int socketBuffer = (int) (buffer / 2);
		RateController.Config rateConfig = defaults
			.withRates(200L << 20, Math.min(defaults.minRate(), 200L << 20), 2L << 30)
			.withIncrease(increaseFactor, defaults.increaseStep())
			.withLowBufferBytes(socketBuffer / 2);
		if (measured) {
			rateConfig = rateConfig.withHeadroom(socketBuffer / 4 * 3, 1.1);
		}
		RateController rate = RateController.create(rateConfig, now);
		TransferSender.Config config = TransferSender.Config.defaults()
			.withPacketPayload(packetPayload)
			.withDeadline(Duration.ofSeconds(120))
			.withMulticastRepairs(true, 2, 0.5)
			.withPacketOverhead(28 + 64);
		List<Receiver> receivers = new ArrayList<>();
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < receiverCount; i++) {
			Receiver to = new Receiver(100 + i);
			// the loop of every receiver stalls at the start (allocating the payload), ending at
			// slightly different moments
			to.stallUntil = now + stall + ((stall > 0 && jitter > 0) ? random.nextLong(jitter) : 0);
			to.nextPauseAt = now + ((pause > 0) ? random.nextLong(pauseEvery) : Long.MAX_VALUE / 2);
			receivers.add(to);
			ids.add(100L + i);
		}
		ArrayDeque<Object[]> feedback = new ArrayDeque<>(); // {due, Receiver, ControlMessage}
		long[] clock = { now };
		TransferSender[] holder = new TransferSender[1];
		TransferOutput output = new TransferOutput() {

			private void deliver(Receiver to, int sequence, int count, int offset, int length) {
				if (loss > 0 && random.nextDouble() < loss) {
					return;
				}
				if (to.queuedBytes + length > buffer) {
					to.dropped++;
					return;
				}
				to.queue.add(new Queued(sequence, count, offset, length, clock[0]));
				to.queuedBytes += length;
			}

			@Override
			public boolean sendToAll(long transferId, int sequence, int count, byte[] b, int offset, int length,
					boolean repair) {
				receivers.forEach((to) -> deliver(to, sequence, count, offset, length));
				return true;
			}

			@Override
			public boolean sendTo(long memberId, long transferId, int sequence, int count, byte[] b, int offset,
					int length, boolean repair) {
				receivers.stream().filter((to) -> to.id == memberId).forEach((to) -> deliver(to, sequence, count,
						offset, length));
				return true;
			}

			@Override
			public boolean sendControl(long memberId, ControlMessage message) {
				if (message instanceof TransferBegin begin) {
					for (Receiver to : receivers) {
						if (to.id == memberId) {
							to.transfer = TransferReceiver.accept(1, begin, TransferReceiver.Config.defaults()
								.withMaxTotalBytes(Integer.MAX_VALUE - 64), clock[0]);
						}
					}
				}
				return true;
			}

		};
		TransferSender sender = TransferSender.start(new TransferSpec(1, TransferBegin.DELTA, "bench", 0, 1, 0, payload),
				ids, config, rate, output, now);
		holder[0] = sender;
		long rateMin = Long.MAX_VALUE;
		long rateMax = 0;
		long nacks = 0;
		long start = now;
		for (int tick = 0; tick < 600_000 && !sender.isDone(); tick++) {
			now += MS;
			clock[0] = now;
			sender.tick(now);
			rateMin = Math.min(rateMin, rate.rate());
			rateMax = Math.max(rateMax, rate.rate());
			for (Receiver to : receivers) {
				if (now >= to.nextPauseAt) {
					to.stallUntil = Math.max(to.stallUntil, now + pause);
					to.nextPauseAt = now + pauseEvery;
				}
				if (now < to.stallUntil) {
					continue;
				}
				double c = capacity * ((wobble > 0) ? 1 + wobble * (2 * random.nextDouble() - 1) : 1);
				to.credit = Math.min(to.credit + (long) c, (long) capacity * 2);
				while (!to.queue.isEmpty() && to.credit >= to.queue.peek().length()) {
					Queued q = to.queue.poll();
					to.queuedBytes -= q.length();
					to.credit -= q.length();
					if (to.transfer != null && !to.transfer.isComplete()) {
						to.transfer.onData(q.sequence(), q.count(), payload, q.offset(), q.length(), now);
						if (to.transfer.isComplete()) {
							feedback.add(new Object[] { now + rtt, to,
									new ControlMessage.TransferAck(1, true, "") });
						}
					}
				}
				if (to.transfer != null && !to.transfer.isComplete()) {
					int free = measured ? (int) (socketBuffer * Math.max(0, 1 - (double) to.queuedBytes / buffer)) : -1;
					Optional<Nack> nack = to.transfer.tick(now, free);
					if (nack.isEmpty() && measured) {
						nack = to.transfer.bufferReport(now, free);
					}
					if (nack.isPresent()) {
						nacks++;
						long delay = rtt + ((jitter > 0) ? random.nextLong(jitter) : 0);
						feedback.add(new Object[] { now + delay, to, nack.get() });
					}
				}
			}
			List<Object[]> due = new ArrayList<>();
			long current = now;
			feedback.removeIf((f) -> {
				if ((long) f[0] <= current) {
					due.add(f);
					return true;
				}
				return false;
			});
			due.sort((a, b) -> Long.compare((long) a[0], (long) b[0]));
			for (Object[] f : due) {
				Receiver from = (Receiver) f[1];
				if (f[2] instanceof Nack nack) {
					sender.onNack(from.id, nack, now);
				}
				else {
					sender.onAck(from.id, (ControlMessage.TransferAck) f[2], now);
				}
			}
		}
		long drops = receivers.stream().mapToLong((to) -> to.dropped).sum();
		String sent;
		if (sender.isDone()) {
			TransferResult result = sender.result();
			sent = String.format("%.2f", result.bytesSent() / (double) payload.length);
		}
		else {
			sent = "not done";
		}
		System.out.printf("%-3d %-9s %9.2f %9d %10d %10.0f %10.0f %10.0f %10d %10s %9d%n", receiverCount,
				measured ? "measured" : "unknown", (now - start) / 1e9, rate.decreases(), rate.increases(), rate.rate() / 1048576.0, rateMin / 1048576.0,
				rateMax / 1048576.0, drops, sent, nacks);
	}

}
