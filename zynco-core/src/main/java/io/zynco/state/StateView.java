package io.zynco.state;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A typed, read-only view of one snapshot. Values are decoded on every read, so callers that
 * read the same entry often should build their own index (a {@code @ZyncoState} bean is the
 * place for that). Thread-safe (immutable).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class StateView<K, V> {

	private final StateType<K, V> type;

	private final Snapshot snapshot;

	StateView(StateType<K, V> type, Snapshot snapshot) {
		this.type = Objects.requireNonNull(type, "type");
		this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
		if (snapshot.segmentBits() != type.segmentBits()) {
			throw new IllegalArgumentException("snapshot has " + snapshot.segmentCount() + " segments but "
					+ type + " expects " + (1 << type.segmentBits()));
		}
	}

	public StateType<K, V> type() {
		return this.type;
	}

	public Snapshot snapshot() {
		return this.snapshot;
	}

	/** The value for the key, or {@code null}. */
	public V get(K key) {
		return this.snapshot.get(this.type.keyCodec().encode(key), this.type.valueCodec());
	}

	public boolean containsKey(K key) {
		return this.snapshot.containsKey(this.type.keyCodec().encode(key));
	}

	public long size() {
		return this.snapshot.size();
	}

	public long rootFingerprint() {
		return this.snapshot.rootFingerprint();
	}

	/** Decodes and visits every entry, in key-hash order (not key order). */
	public void forEach(BiConsumer<? super K, ? super V> action) {
		Codec<K> kc = this.type.keyCodec();
		Codec<V> vc = this.type.valueCodec();
		this.snapshot.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength) -> action
			.accept(kc.decode(buffer, keyOffset, keyLength), vc.decode(buffer, valueOffset, valueLength)));
	}

}
