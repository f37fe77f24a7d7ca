package io.zynco.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.zynco.protocol.ControlMessage.Abort;
import io.zynco.protocol.ControlMessage.CatchUpChunk;
import io.zynco.protocol.ControlMessage.CatchUpRequest;
import io.zynco.protocol.ControlMessage.Commit;
import io.zynco.protocol.ControlMessage.Heartbeat;
import io.zynco.protocol.ControlMessage.HeartbeatAck;
import io.zynco.protocol.ControlMessage.Hello;
import io.zynco.protocol.ControlMessage.HelloAuth;
import io.zynco.protocol.ControlMessage.Nack;
import io.zynco.protocol.ControlMessage.Pin;
import io.zynco.protocol.ControlMessage.Prepare;
import io.zynco.protocol.ControlMessage.Prepared;
import io.zynco.protocol.ControlMessage.ProbeReply;
import io.zynco.protocol.ControlMessage.ProbeRequest;
import io.zynco.protocol.ControlMessage.PublishChunk;
import io.zynco.protocol.ControlMessage.PublishRequest;
import io.zynco.protocol.ControlMessage.PublishResult;
import io.zynco.protocol.ControlMessage.StateStatus;
import io.zynco.protocol.ControlMessage.SwitchRequest;
import io.zynco.protocol.ControlMessage.SwitchResult;
import io.zynco.protocol.ControlMessage.Switched;
import io.zynco.protocol.ControlMessage.TransferAck;
import io.zynco.protocol.ControlMessage.TransferBegin;
import io.zynco.protocol.ControlMessage.TransferDrop;
import io.zynco.protocol.ControlMessage.View;
import io.zynco.protocol.ControlMessage.ViewRequest;
import io.zynco.testing.Seeds;

/**
 * Control messages for codec tests: one fixed sample of every type, and random ones (every
 * type, random field values including nulls where the codec allows them, multi-byte UTF-8,
 * empty and long lists).
 */
public final class ControlMessageSamples {

	private static final String[] WORDS = { "", "fares", "zone-ä", "日本語", "emoji \uD83D\uDE80", "a/b:c",
			"x".repeat(300) };

	private ControlMessageSamples() {
	}

	public static MemberInfo member(long id) {
		return new MemberInfo(id, "node-" + id, 1_700_000_000_000L + id, "127.0.0.1", 7000 + (int) (id & 0xFF),
				9000 + (int) (id & 0xFF));
	}

	/** One message of every type, with non-trivial values. */
	public static List<ControlMessage> all() {
		byte[] nonce = new byte[16];
		for (int i = 0; i < nonce.length; i++) {
			nonce[i] = (byte) (i * 17);
		}
		byte[] mac = new byte[32];
		for (int i = 0; i < mac.length; i++) {
			mac[i] = (byte) (255 - i);
		}
		List<StateVersion> targets = List.of(new StateVersion("fares", 12, 0xCAFEBABEL),
				new StateVersion("zones", 3, -1L));
		return List.of(new Hello(MessageTypes.PROTOCOL_VERSION, "prod-eu", member(42), nonce), new HelloAuth(mac),
				new Heartbeat(7, 123_456_789L, -99L, true, 5,
						List.of(new StateStatus("fares", 12, 0xABCDL, 13), new StateStatus("zones", -1, 0, -1))),
				new HeartbeatAck(7, 123_456_789L), new View(42, List.of(member(42), member(-3), member(Long.MAX_VALUE))),
				new ViewRequest(), new ProbeRequest(1, 77), new ProbeReply(1, 77, -1),
				new TransferBegin(99, TransferBegin.DELTA, "fares", 11, 12, 0x1234L, 1_000_000L, 700, 1412, 30_000L),
				new Nack(99, new int[] { 0, 5, 9, 10, 600, 700 }, 1 << 20), new TransferAck(99, true, null),
				new TransferDrop(99, "too slow"), new Prepare(5, targets, false), new Prepared(5, false, "missing fares@12"),
				new Commit(5), new Abort(5, "member left"), new Switched(5), new PublishRequest(8, new byte[] { 1, 2, 3 }),
				new PublishResult(8, true, 13, null), new PublishChunk(8, 1 << 20, 40_000_000L, false, new byte[] { 4, 5 }),
				new SwitchRequest(9, targets, true),
				new SwitchResult(9, true, 6, null), new Pin("fares", 12, true),
				new CatchUpRequest(10, "fares", 0, 0, 12, 4096),
				new CatchUpChunk(10, TransferBegin.SNAPSHOT, "fares", 12, 0x77L, 0, false, true, null, new byte[300]));
	}

	/** A random message of a random type. */
	public static ControlMessage random(SplittableRandom random) {
		int type = random.nextInt(25);
		return switch (type) {
			case 0 -> new Hello(MessageTypes.PROTOCOL_VERSION, string(random, false), randomMember(random),
					Seeds.bytes(random, 16));
			case 1 -> new HelloAuth(Seeds.bytes(random, 32));
			case 2 -> {
				List<StateStatus> states = new ArrayList<>();
				int n = count(random);
				for (int i = 0; i < n; i++) {
					states.add(new StateStatus(string(random, true), random.nextLong(), random.nextLong(),
							random.nextLong()));
				}
				yield new Heartbeat(random.nextLong(), random.nextLong(), random.nextLong(), random.nextBoolean(),
						random.nextLong(), states);
			}
			case 3 -> new HeartbeatAck(random.nextLong(), random.nextLong());
			case 4 -> {
				List<MemberInfo> members = new ArrayList<>();
				int n = count(random);
				for (int i = 0; i < n; i++) {
					members.add(randomMember(random));
				}
				yield new View(random.nextLong(), members);
			}
			case 5 -> new ViewRequest();
			case 6 -> new ProbeRequest(random.nextLong(), random.nextLong());
			case 7 -> new ProbeReply(random.nextLong(), random.nextLong(), random.nextLong());
			case 8 -> new TransferBegin(random.nextLong(), (byte) random.nextInt(256), string(random, true),
					random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong(), random.nextInt(),
					random.nextInt(), random.nextLong());
			case 9 -> {
				int[] ranges = new int[2 * count(random)];
				for (int i = 0; i < ranges.length; i++) {
					ranges[i] = random.nextInt();
				}
				yield new Nack(random.nextLong(), ranges, random.nextInt());
			}
			case 10 -> new TransferAck(random.nextLong(), random.nextBoolean(), string(random, true));
			case 11 -> new TransferDrop(random.nextLong(), string(random, true));
			case 12 -> new Prepare(random.nextLong(), targets(random), random.nextBoolean());
			case 13 -> new Prepared(random.nextLong(), random.nextBoolean(), string(random, true));
			case 14 -> new Commit(random.nextLong());
			case 15 -> new Abort(random.nextLong(), string(random, true));
			case 16 -> new Switched(random.nextLong());
			case 17 -> new PublishRequest(random.nextLong(), Seeds.bytes(random, random.nextInt(2000)));
			case 18 -> new PublishResult(random.nextLong(), random.nextBoolean(), random.nextLong(),
					string(random, true));
			case 19 -> new SwitchRequest(random.nextLong(), targets(random), random.nextBoolean());
			case 20 -> new SwitchResult(random.nextLong(), random.nextBoolean(), random.nextLong(),
					string(random, true));
			case 21 -> new Pin(string(random, true), random.nextLong(), random.nextBoolean());
			case 22 -> new CatchUpRequest(random.nextLong(), string(random, true), random.nextLong(),
					random.nextLong(), random.nextLong(), random.nextLong());
			case 23 -> new PublishChunk(random.nextLong(), random.nextLong(), random.nextLong(), random.nextBoolean(),
					Seeds.bytes(random, random.nextInt(2000)));
			default -> new CatchUpChunk(random.nextLong(), (byte) random.nextInt(256), string(random, true),
					random.nextLong(), random.nextLong(), random.nextLong(), random.nextBoolean(),
					random.nextBoolean(), string(random, true),
					random.nextInt(4) == 0 ? null : Seeds.bytes(random, random.nextInt(3000)));
		};
	}

	private static int count(SplittableRandom random) {
		return (random.nextInt(4) == 0) ? 0 : random.nextInt(20);
	}

	private static List<StateVersion> targets(SplittableRandom random) {
		List<StateVersion> targets = new ArrayList<>();
		int n = count(random);
		for (int i = 0; i < n; i++) {
			targets.add(new StateVersion(string(random, true), random.nextLong(), random.nextLong()));
		}
		return targets;
	}

	private static MemberInfo randomMember(SplittableRandom random) {
		return new MemberInfo(random.nextLong(), string(random, false), random.nextLong(), string(random, false),
				random.nextInt(65536), random.nextInt(65536));
	}

	/** A random string: a fixed word, random code points (multi-byte ones too), or null. */
	static String string(SplittableRandom random, boolean nullable) {
		int pick = random.nextInt(10);
		if (nullable && pick == 0) {
			return null;
		}
		if (pick < 4) {
			return WORDS[random.nextInt(WORDS.length)];
		}
		StringBuilder text = new StringBuilder();
		int length = random.nextInt(40);
		for (int i = 0; i < length; i++) {
			int kind = random.nextInt(4);
			int codePoint = switch (kind) {
				case 0 -> 0x20 + random.nextInt(0x5F);
				case 1 -> 0xA0 + random.nextInt(0x700);
				case 2 -> 0x3000 + random.nextInt(0x5000);
				default -> 0x1F300 + random.nextInt(0x300);
			};
			text.appendCodePoint(codePoint);
		}
		return text.toString();
	}

}
