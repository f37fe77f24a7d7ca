package io.zynco.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens {@link DataPacket}s: authenticates header and payload, and optionally
 * encrypts the payload.
 *
 * <ul>
 * <li>{@link Mode#NONE}: the tag is 16 zero bytes and nothing is checked. Only for tests and
 * trusted loopback setups; it must be chosen explicitly, never by default.</li>
 * <li>{@link Mode#HMAC_SHA256}: the tag is the first 16 bytes of HMAC-SHA256 over header and
 * payload, under a key derived from the cluster secret.</li>
 * <li>{@link Mode#AES_GCM}: the payload is encrypted with AES-256-GCM, the header is the
 * associated data, the tag is the 16-byte GCM tag. Each sender has its own key,
 * {@code HKDF-Expand(PRK, "zynco-data-v1 aes-256-gcm" | senderId, 32)}, and the 12-byte nonce
 * is {@code low 32 bits of the sender id | packet counter (8)}: since a sender's counter only
 * increases, a nonce is never used twice under one key. This relies on member ids being fresh
 * per process start (they are random), and the data channel additionally starts its counter
 * at the wall-clock time in nanoseconds so that even a reused id would not repeat a
 * counter.</li>
 * </ul>
 * Keys come from HKDF-SHA256 (RFC 5869) with {@code PRK = HMAC-SHA256("zynco-data-salt-v1",
 * secret)}. The cluster secret itself never keys a packet MAC or cipher.
 *
 * <p>
 * Thread-safe: the {@link Mac} and {@link Cipher} instances are kept per thread (in practice
 * the node loop's) and reused for every packet.
 */
public final class PacketAuthenticator {

	/** How packets are protected; the wire id is carried in every packet header. */
	public enum Mode {

		/** No protection (tests, trusted loopback only). */
		NONE(0),

		/** HMAC-SHA256 truncated to 128 bits over header and payload. */
		HMAC_SHA256(1),

		/** AES-256-GCM: encrypted payload, authenticated header. */
		AES_GCM(2);

		private final byte wireId;

		Mode(int wireId) {
			this.wireId = (byte) wireId;
		}

		/** The value of the packet header's auth-mode byte. */
		public byte wireId() {
			return this.wireId;
		}

	}

	/** Smallest cluster secret accepted, in bytes. */
	public static final int MIN_SECRET_LENGTH = 16;

	private static final byte[] SALT = "zynco-data-salt-v1".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] HMAC_INFO = "zynco-data-v1 hmac-sha256".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] AES_INFO = "zynco-data-v1 aes-256-gcm".getBytes(StandardCharsets.US_ASCII);

	private static final int GCM_TAG_BITS = DataPacket.TAG_LENGTH * 8;

	private static final int KEY_CACHE_SLOTS = 256;

	private static final PacketAuthenticator NONE = new PacketAuthenticator(Mode.NONE, null);

	private final Mode mode;

	/** HMAC mode: the packet MAC key; AES mode: the HKDF pseudo-random key. */
	private final SecretKeySpec key;

	private final ThreadLocal<PerThread> perThread;

	private PacketAuthenticator(Mode mode, SecretKeySpec key) {
		this.mode = mode;
		this.key = key;
		this.perThread = ThreadLocal.withInitial(this::newPerThread);
	}

	/** No authentication at all: only for tests and trusted loopback setups. */
	public static PacketAuthenticator none() {
		return NONE;
	}

	/** HMAC-SHA256 (truncated to 128 bits) under a key derived from the cluster secret. */
	public static PacketAuthenticator hmacSha256(byte[] clusterSecret) {
		byte[] prk = extract(clusterSecret);
		byte[] key = expand(prk, HMAC_INFO, null);
		PacketAuthenticator authenticator = new PacketAuthenticator(Mode.HMAC_SHA256, new SecretKeySpec(key, "HmacSHA256"));
		Arrays.fill(prk, (byte) 0);
		Arrays.fill(key, (byte) 0);
		return authenticator;
	}

	/** AES-256-GCM with per-sender keys derived from the cluster secret. */
	public static PacketAuthenticator aesGcm(byte[] clusterSecret) {
		byte[] prk = extract(clusterSecret);
		PacketAuthenticator authenticator = new PacketAuthenticator(Mode.AES_GCM, new SecretKeySpec(prk, "HmacSHA256"));
		Arrays.fill(prk, (byte) 0);
		return authenticator;
	}

	/** The authenticator of a mode; {@code clusterSecret} is ignored for {@link Mode#NONE}. */
	public static PacketAuthenticator of(Mode mode, byte[] clusterSecret) {
		return switch (mode) {
			case NONE -> none();
			case HMAC_SHA256 -> hmacSha256(clusterSecret);
			case AES_GCM -> aesGcm(clusterSecret);
		};
	}

	public Mode mode() {
		return this.mode;
	}

	/**
	 * Seals a packet whose header (with this mode's wire id) and payload are written: writes
	 * the tag after the payload and, with AES-GCM, encrypts the payload in place.
	 */
	public void seal(DataPacket packet) {
		byte[] b = packet.buffer();
		int tagOffset = packet.tagOffset();
		switch (this.mode) {
			case NONE -> Arrays.fill(b, tagOffset, tagOffset + DataPacket.TAG_LENGTH, (byte) 0);
			case HMAC_SHA256 -> {
				PerThread state = this.perThread.get();
				state.mac.update(b, packet.offset(), DataPacket.HEADER_LENGTH + packet.payloadLength());
				doFinal(state.mac, state.macOut);
				System.arraycopy(state.macOut, 0, b, tagOffset, DataPacket.TAG_LENGTH);
			}
			case AES_GCM -> {
				PerThread state = this.perThread.get();
				try {
					state.initGcm(Cipher.ENCRYPT_MODE, packet);
					state.cipher.updateAAD(b, packet.offset(), DataPacket.HEADER_LENGTH);
					int written = state.cipher.doFinal(b, packet.payloadOffset(), packet.payloadLength(), b,
							packet.payloadOffset());
					if (written != packet.payloadLength() + DataPacket.TAG_LENGTH) {
						throw new IllegalStateException("AES-GCM wrote " + written + " bytes");
					}
				}
				catch (GeneralSecurityException ex) {
					throw new IllegalStateException("AES-GCM encryption failed", ex);
				}
			}
		}
	}

	/**
	 * Opens a structurally valid packet (see {@link DataPacket#validate}): checks its tag and,
	 * with AES-GCM, decrypts the payload in place.
	 * @return whether the packet is authentic; if not, the payload bytes are unspecified
	 */
	public boolean open(DataPacket packet) {
		return open(packet, packet.buffer(), packet.payloadOffset());
	}

	/**
	 * Opens a structurally valid packet (see {@link DataPacket#validate}) into an array:
	 * checks its tag and writes the payload, decrypted with AES-GCM, to {@code target} at
	 * {@code targetOffset}; unless that is the payload's own place, the packet's bytes are left
	 * as they are. Decrypting out of place is what the JDK's AES-GCM does fastest: on JDK 25
	 * with AVX-512 an in-place decrypt of a 60 KB payload costs about 2.4 times as much
	 * (benchmarks.md, session 10).
	 * @return whether the packet is authentic; if not, the target's bytes in the payload's
	 * range are unspecified
	 * @throws IndexOutOfBoundsException if the payload does not fit in {@code target}
	 */
	public boolean open(DataPacket packet, byte[] target, int targetOffset) {
		byte[] b = packet.buffer();
		int payloadLength = packet.payloadLength();
		if (packet.authMode() != this.mode.wireId || payloadLength < 0
				|| (long) packet.payloadOffset() + payloadLength + DataPacket.TAG_LENGTH > b.length) {
			return false;
		}
		Objects.checkFromIndexSize(targetOffset, payloadLength, target.length);
		if (this.mode == Mode.AES_GCM) {
			PerThread state = this.perThread.get();
			try {
				state.initGcm(Cipher.DECRYPT_MODE, packet);
				state.cipher.updateAAD(b, packet.offset(), DataPacket.HEADER_LENGTH);
				state.cipher.doFinal(b, packet.payloadOffset(), payloadLength + DataPacket.TAG_LENGTH, target,
						targetOffset);
				return true;
			}
			catch (GeneralSecurityException ex) {
				return false;
			}
		}
		boolean authentic = true;
		if (this.mode == Mode.HMAC_SHA256) {
			PerThread state = this.perThread.get();
			state.mac.update(b, packet.offset(), DataPacket.HEADER_LENGTH + payloadLength);
			doFinal(state.mac, state.macOut);
			int tagOffset = packet.tagOffset();
			int diff = 0;
			for (int i = 0; i < DataPacket.TAG_LENGTH; i++) {
				diff |= state.macOut[i] ^ b[tagOffset + i];
			}
			authentic = diff == 0;
		}
		// NONE or HMAC: the payload is plain text; move it unless it is opened in its place
		if (authentic && (target != b || targetOffset != packet.payloadOffset())) {
			System.arraycopy(b, packet.payloadOffset(), target, targetOffset, payloadLength);
		}
		return authentic;
	}

	private static void doFinal(Mac mac, byte[] out) {
		try {
			mac.doFinal(out, 0);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA256 failed", ex);
		}
	}

	private PerThread newPerThread() {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			if (this.key != null) {
				mac.init(this.key);
			}
			Cipher cipher = (this.mode == Mode.AES_GCM) ? Cipher.getInstance("AES/GCM/NoPadding") : null;
			return new PerThread(mac, cipher);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("this JVM lacks HmacSHA256 or AES/GCM/NoPadding", ex);
		}
	}

	@Override
	public String toString() {
		return "PacketAuthenticator[" + this.mode + "]";
	}

	// ---------------------------------------------------------------- HKDF (RFC 5869)

	private static byte[] extract(byte[] clusterSecret) {
		Objects.requireNonNull(clusterSecret, "clusterSecret");
		if (clusterSecret.length < MIN_SECRET_LENGTH) {
			throw new IllegalArgumentException("the cluster secret must have at least " + MIN_SECRET_LENGTH
					+ " bytes (32 random bytes recommended), not " + clusterSecret.length);
		}
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(SALT, "HmacSHA256"));
			return mac.doFinal(clusterSecret);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("this JVM lacks HmacSHA256", ex);
		}
	}

	/** One-block HKDF-Expand: {@code T(1) = HMAC(PRK, info | suffix | 0x01)}, 32 bytes. */
	private static byte[] expand(byte[] prk, byte[] info, byte[] suffix) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(prk, "HmacSHA256"));
			mac.update(info);
			if (suffix != null) {
				mac.update(suffix);
			}
			mac.update((byte) 1);
			return mac.doFinal();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("this JVM lacks HmacSHA256", ex);
		}
	}

	/** The per-sender AES key (AES mode), as a test hook for the derivation. */
	byte[] senderKey(long senderId) {
		PerThread state = this.perThread.get();
		return state.aesKey(senderId).getEncoded();
	}

	/** Per-thread JCE objects and scratch arrays. */
	private final class PerThread {

		final Mac mac;

		final Cipher cipher;

		final byte[] macOut = new byte[32];

		final byte[] nonce = new byte[12];

		final byte[] senderBytes = new byte[8];

		/** Direct-mapped cache of per-sender AES keys: no allocation when a sender hits. */
		final long[] cachedSenders = new long[KEY_CACHE_SLOTS];

		final SecretKeySpec[] cachedKeys = new SecretKeySpec[KEY_CACHE_SLOTS];

		PerThread(Mac mac, Cipher cipher) {
			this.mac = mac;
			this.cipher = cipher;
		}

		void initGcm(int cipherMode, DataPacket packet) throws GeneralSecurityException {
			long senderId = packet.senderId();
			long counter = packet.counter();
			byte[] n = this.nonce;
			n[0] = (byte) (senderId >>> 24);
			n[1] = (byte) (senderId >>> 16);
			n[2] = (byte) (senderId >>> 8);
			n[3] = (byte) senderId;
			for (int i = 0; i < 8; i++) {
				n[4 + i] = (byte) (counter >>> (56 - 8 * i));
			}
			this.cipher.init(cipherMode, aesKey(senderId), new GCMParameterSpec(GCM_TAG_BITS, n));
		}

		SecretKeySpec aesKey(long senderId) {
			int slot = (int) ((senderId * 0x9E3779B97F4A7C15L) >>> 56) & (KEY_CACHE_SLOTS - 1);
			SecretKeySpec cached = this.cachedKeys[slot];
			if (cached != null && this.cachedSenders[slot] == senderId) {
				return cached;
			}
			for (int i = 0; i < 8; i++) {
				this.senderBytes[i] = (byte) (senderId >>> (56 - 8 * i));
			}
			// this.mac is keyed with the PRK in AES mode
			this.mac.update(AES_INFO);
			this.mac.update(this.senderBytes);
			this.mac.update((byte) 1);
			doFinal(this.mac, this.macOut);
			SecretKeySpec key = new SecretKeySpec(this.macOut, 0, 32, "AES");
			Arrays.fill(this.macOut, (byte) 0);
			this.cachedSenders[slot] = senderId;
			this.cachedKeys[slot] = key;
			return key;
		}

	}

}
