package io.zynco.state;

import java.util.Objects;

import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link Codec} that writes values as JSON with Jackson 3. Jackson is an optional
 * dependency of zynco-core: add {@code tools.jackson.core:jackson-databind} to use this class.
 *
 * <p>The default mapper sorts properties and map entries so that equal values encode to
 * equal bytes, which the fingerprints need. Thread-safe (Jackson mappers are).
 *
 * @param <T> the type encoded
 */
public final class JsonCodec<T> implements Codec<T> {

	private static final class DefaultMapper {

		static final JsonMapper INSTANCE = JsonMapper.builder()
			.enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
			.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
			.build();

	}

	private final JsonMapper mapper;

	private final Class<T> type;

	private JsonCodec(JsonMapper mapper, Class<T> type) {
		this.mapper = Objects.requireNonNull(mapper, "mapper");
		this.type = Objects.requireNonNull(type, "type");
	}

	/** A codec with a deterministic default mapper. */
	public static <T> JsonCodec<T> of(Class<T> type) {
		return new JsonCodec<>(DefaultMapper.INSTANCE, type);
	}

	/** A codec with the caller's mapper, which must encode deterministically. */
	public static <T> JsonCodec<T> of(JsonMapper mapper, Class<T> type) {
		return new JsonCodec<>(mapper, type);
	}

	@Override
	public byte[] encode(T value) {
		return this.mapper.writeValueAsBytes(value);
	}

	@Override
	public T decode(byte[] buffer, int offset, int length) {
		return this.mapper.readValue(buffer, offset, length, this.type);
	}

	@Override
	public String toString() {
		return "JsonCodec[" + this.type.getName() + "]";
	}

}
