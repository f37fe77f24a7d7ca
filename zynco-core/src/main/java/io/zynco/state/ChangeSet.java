package io.zynco.state;

import java.util.Objects;

import io.zynco.state.internal.ChangeArrays;
import io.zynco.state.internal.EntryBlobs;
import io.zynco.state.internal.Hashes;
import io.zynco.state.internal.Slabs;

/**
 * Effective changes between two snapshots: puts of new or changed entries and removes of
 * gone keys, each key at most once, in engine order (unsigned key hash, then key bytes).
 * Thread-safe (immutable).
 */
public final class ChangeSet {

	/** No change. */
	public static final ChangeSet EMPTY = new ChangeSet(ChangeArrays.EMPTY);

	private final ChangeArrays arrays;

	ChangeSet(ChangeArrays arrays) {
		this.arrays = arrays;
	}

	/** A change set from arbitrary operations; a key given twice keeps the last. */
	public static Builder builder() {
		return new Builder();
	}

	ChangeArrays arrays() {
		return this.arrays;
	}

	public int size() {
		return this.arrays.size();
	}

	public boolean isEmpty() {
		return this.arrays.size() == 0;
	}

	/** Number of puts. */
	public int puts() {
		int puts = 0;
		for (int i = 0; i < this.arrays.size(); i++) {
			if (this.arrays.isPut(i)) {
				puts++;
			}
		}
		return puts;
	}

	/** Number of removes. */
	public int removes() {
		return size() - puts();
	}

	/** Key and value bytes carried by the changes (removes carry their key). */
	public long payloadBytes() {
		long bytes = 0;
		for (int i = 0; i < this.arrays.size(); i++) {
			int offset = this.arrays.offset(i);
			bytes += offset + this.arrays.length(i) - EntryBlobs.keyOffset(this.arrays.slab(i), offset);
		}
		return bytes;
	}

	/** Visits every change in order without copying. */
	public void forEach(ChangeVisitor visitor) {
		for (int i = 0; i < this.arrays.size(); i++) {
			// the visitor may be a bean's builder: a yield point per change
			Yield.point();
			byte[] slab = this.arrays.slab(i);
			int offset = this.arrays.offset(i);
			int keyLength = EntryBlobs.keyLength(slab, offset);
			int keyOffset = offset + EntryBlobs.varintSize(keyLength);
			int valueOffset = keyOffset + keyLength;
			visitor.visit(this.arrays.isPut(i), slab, keyOffset, keyLength, valueOffset,
					offset + this.arrays.length(i) - valueOffset);
		}
	}

	@Override
	public String toString() {
		return "ChangeSet[puts=" + puts() + ", removes=" + removes() + "]";
	}

	/** Receives changes during {@link #forEach(ChangeVisitor)}. */
	@FunctionalInterface
	public interface ChangeVisitor {

		/**
		 * One change; for a remove the value length is 0. Do not modify or keep the buffer.
		 */
		void visit(boolean put, byte[] buffer, int keyOffset, int keyLength, int valueOffset, int valueLength);

	}

	/** Collects operations in any order. Not thread-safe; use once. */
	public static final class Builder {

		private final Slabs.Stager stager = new Slabs.Stager();

		private final ChangeArrays.Appender raw = new ChangeArrays.Appender(16);

		private Builder() {
		}

		public Builder put(byte[] key, byte[] value) {
			Objects.requireNonNull(key, "key");
			Objects.requireNonNull(value, "value");
			long span = this.stager.entry(key, 0, key.length, value, 0, value.length);
			this.raw.append(Hashes.keyHash(key, 0, key.length), this.stager.slab(), span, ChangeArrays.PUT);
			return this;
		}

		public Builder remove(byte[] key) {
			Objects.requireNonNull(key, "key");
			long span = this.stager.entry(key, 0, key.length, key, 0, 0);
			this.raw.append(Hashes.keyHash(key, 0, key.length), this.stager.slab(), span, ChangeArrays.REMOVE);
			return this;
		}

		public ChangeSet build() {
			return new ChangeSet(ChangeArrays.sortAndMerge(this.raw.build()));
		}

	}

}
