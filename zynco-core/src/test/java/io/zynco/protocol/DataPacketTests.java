package io.zynco.protocol;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DataPacketTests {

	private static final int MAX = 1472;

	private static byte[] packet(int payloadLength) {
		byte[] buffer = new byte[DataPacket.OVERHEAD + payloadLength];
		new DataPacket().wrap(buffer, 0)
			.writeHeader(MessageTypes.DATA, PacketAuthenticator.Mode.HMAC_SHA256.wireId(), 0x1122334455667788L, 42,
					-7L, 3, 10, payloadLength);
		return buffer;
	}

	@Test
	void writesTheDocumentedLayout() {
		byte[] bytes = packet(5);
		ByteBuffer raw = ByteBuffer.wrap(bytes);
		assertThat(raw.getShort(0)).isEqualTo((short) 0x5A59);
		assertThat(bytes[2]).isEqualTo((byte) MessageTypes.PROTOCOL_VERSION);
		assertThat(bytes[3]).isEqualTo(MessageTypes.DATA);
		assertThat(bytes[4]).isZero();
		assertThat(bytes[5]).isEqualTo((byte) 1);
		assertThat(raw.getShort(6)).isZero();
		assertThat(raw.getLong(8)).isEqualTo(0x1122334455667788L);
		assertThat(raw.getLong(16)).isEqualTo(42);
		assertThat(raw.getLong(24)).isEqualTo(-7L);
		assertThat(raw.getInt(32)).isEqualTo(3);
		assertThat(raw.getInt(36)).isEqualTo(10);
		assertThat(raw.getInt(40)).isEqualTo(5);
		assertThat(DataPacket.HEADER_LENGTH).isEqualTo(44);
		assertThat(DataPacket.OVERHEAD).isEqualTo(60);
	}

	@Test
	void readsBackEveryFieldAtAnOffset() {
		byte[] buffer = new byte[200];
		DataPacket writer = new DataPacket().wrap(buffer, 17);
		writer.writeHeader(MessageTypes.DATA_REPAIR, (byte) 2, -1L, Long.MAX_VALUE, 5, Integer.MAX_VALUE, -1, 100);
		DataPacket packet = new DataPacket().wrap(buffer, 17);
		assertThat(packet.magic()).isEqualTo(DataPacket.MAGIC);
		assertThat(packet.version()).isEqualTo(MessageTypes.PROTOCOL_VERSION);
		assertThat(packet.type()).isEqualTo(MessageTypes.DATA_REPAIR);
		assertThat(packet.flags()).isZero();
		assertThat(packet.authMode()).isEqualTo((byte) 2);
		assertThat(packet.reserved()).isZero();
		assertThat(packet.senderId()).isEqualTo(-1L);
		assertThat(packet.counter()).isEqualTo(Long.MAX_VALUE);
		assertThat(packet.transferId()).isEqualTo(5);
		assertThat(packet.sequence()).isEqualTo(Integer.MAX_VALUE);
		assertThat(packet.count()).isEqualTo(-1);
		assertThat(packet.payloadLength()).isEqualTo(100);
		assertThat(packet.payloadOffset()).isEqualTo(17 + 44);
		assertThat(packet.tagOffset()).isEqualTo(17 + 44 + 100);
		assertThat(packet.frameLength()).isEqualTo(160);
		assertThat(packet.validate(160, MAX)).isNull();
	}

	@Test
	void validatesStructure() {
		DataPacket packet = new DataPacket();
		assertThat(packet.wrap(packet(0), 0).validate(DataPacket.OVERHEAD, MAX)).isNull();
		assertThat(packet.wrap(packet(0), 0).validate(DataPacket.OVERHEAD - 1, MAX)).isEqualTo(RejectReason.TRUNCATED);
		assertThat(packet.wrap(packet(MAX), 0).validate(MAX + DataPacket.OVERHEAD, MAX)).isEqualTo(RejectReason.TOO_LONG);
		assertThat(packet.wrap(packet(4), 0).validate(DataPacket.OVERHEAD + 3, MAX)).isEqualTo(RejectReason.BAD_LENGTH);
		assertThat(validateWith(0, (byte) 0x5B)).isEqualTo(RejectReason.BAD_MAGIC);
		assertThat(validateWith(2, (byte) 2)).isEqualTo(RejectReason.BAD_VERSION);
		for (byte type : new byte[] { 0, 5, 42, -1 }) {
			assertThat(validateWith(3, type)).isEqualTo(RejectReason.BAD_TYPE);
		}
		assertThat(validateWith(4, (byte) 1)).isEqualTo(RejectReason.BAD_FIELD);
		assertThat(validateWith(7, (byte) 1)).isEqualTo(RejectReason.BAD_FIELD);
		// counter 0 and negative counters are never sent
		byte[] zero = packet(4);
		ByteBuffer.wrap(zero).putLong(DataPacket.COUNTER_OFFSET, 0);
		assertThat(packet.wrap(zero, 0).validate(zero.length, MAX)).isEqualTo(RejectReason.BAD_FIELD);
		for (byte type : new byte[] { MessageTypes.DATA, MessageTypes.DATA_REPAIR, MessageTypes.PROBE,
				MessageTypes.ANNOUNCE }) {
			assertThat(validateWith(3, type)).isNull();
		}
	}

	private static RejectReason validateWith(int offset, byte value) {
		byte[] bytes = packet(4);
		bytes[offset] = value;
		return new DataPacket().wrap(bytes, 0).validate(bytes.length, MAX);
	}

}
