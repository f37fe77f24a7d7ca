package io.zynco.state;

import java.util.Objects;
import java.util.regex.Pattern;

import io.zynco.state.internal.Trie;

/**
 * What a state is: its name, how its keys and values are encoded, and its segment count.
 * The name and segment count must be the same on every node. Thread-safe (immutable).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class StateType<K, V> {

	private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

	private final String name;

	private final Codec<K> keyCodec;

	private final Codec<V> valueCodec;

	private final int segmentBits;

	private StateType(String name, Codec<K> keyCodec, Codec<V> valueCodec, int segmentBits) {
		this.name = checkName(name);
		this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
		this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
		if (segmentBits < 0 || segmentBits > Trie.MAX_SEGMENT_BITS) {
			throw new IllegalArgumentException("segment bits of state '" + name + "' must be within 0.."
					+ Trie.MAX_SEGMENT_BITS + " but was " + segmentBits);
		}
		this.segmentBits = segmentBits;
	}

	/** A state type with the default 1,024 segments. */
	public static <K, V> StateType<K, V> of(String name, Codec<K> keyCodec, Codec<V> valueCodec) {
		return new StateType<>(name, keyCodec, valueCodec, Snapshot.DEFAULT_SEGMENT_BITS);
	}

	/** The same type with {@code 2^segmentBits} segments. */
	public StateType<K, V> withSegmentBits(int segmentBits) {
		return new StateType<>(this.name, this.keyCodec, this.valueCodec, segmentBits);
	}

	/**
	 * Checks a state name: 1 to 63 characters of lower-case letters, digits, '.', '_' or '-',
	 * starting with a letter or digit.
	 */
	public static String checkName(String name) {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("state name '" + name
					+ "' is invalid: use 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
		}
		return name;
	}

	public String name() {
		return this.name;
	}

	public Codec<K> keyCodec() {
		return this.keyCodec;
	}

	public Codec<V> valueCodec() {
		return this.valueCodec;
	}

	public int segmentBits() {
		return this.segmentBits;
	}

	/** An empty snapshot of this type. */
	public Snapshot emptySnapshot() {
		return Snapshot.empty(this.segmentBits);
	}

	/** A typed read view over a snapshot of this type. */
	public StateView<K, V> view(Snapshot snapshot) {
		return new StateView<>(this, snapshot);
	}

	/** A typed builder for a snapshot loaded from scratch. */
	public TypedBuilder builder() {
		return new TypedBuilder(Snapshot.builder(this.segmentBits));
	}

	/** A typed editor of a snapshot of this type. */
	public TypedEditor edit(Snapshot base) {
		return new TypedEditor(base.edit());
	}

	@Override
	public String toString() {
		return "StateType[" + this.name + ", segments=" + (1 << this.segmentBits) + "]";
	}

	/** Typed front of {@link Snapshot.Builder}. Not thread-safe; use once. */
	public final class TypedBuilder {

		private final Snapshot.Builder builder;

		private TypedBuilder(Snapshot.Builder builder) {
			this.builder = builder;
		}

		public TypedBuilder put(K key, V value) {
			this.builder.put(StateType.this.keyCodec.encode(key), StateType.this.valueCodec.encode(value));
			return this;
		}

		public Snapshot build() {
			return this.builder.build();
		}

	}

	/** Typed front of {@link Snapshot.Editor}. Not thread-safe; use once. */
	public final class TypedEditor {

		private final Snapshot.Editor editor;

		private TypedEditor(Snapshot.Editor editor) {
			this.editor = editor;
		}

		public TypedEditor put(K key, V value) {
			this.editor.put(StateType.this.keyCodec.encode(key), StateType.this.valueCodec.encode(value));
			return this;
		}

		public TypedEditor remove(K key) {
			this.editor.remove(StateType.this.keyCodec.encode(key));
			return this;
		}

		public Edit commit() {
			return this.editor.commit();
		}

	}

}
