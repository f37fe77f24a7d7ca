package io.zynco.state.internal;

/**
 * Sorts an index permutation by (unsigned hash, key bytes), keeping equal keys in input order
 * (a merge sort, so it is stable). Not allocation-free, but O(n log n) without boxing.
 * Stateless and thread-safe.
 */
final class Sorting {

	private Sorting() {
	}

	static void sort(int[] order, long[] hashes, byte[][] slabs, long[] spans) {
		int n = order.length;
		if (n < 2) {
			return;
		}
		int[] buffer = new int[n];
		mergeSort(order, buffer, 0, n, hashes, slabs, spans);
	}

	private static void mergeSort(int[] a, int[] tmp, int from, int to, long[] hashes, byte[][] slabs, long[] spans) {
		int n = to - from;
		if (n <= 24) {
			for (int i = from + 1; i < to; i++) {
				int x = a[i];
				int j = i - 1;
				while (j >= from && compare(a[j], x, hashes, slabs, spans) > 0) {
					a[j + 1] = a[j];
					j--;
				}
				a[j + 1] = x;
			}
			return;
		}
		int mid = (from + to) >>> 1;
		mergeSort(a, tmp, from, mid, hashes, slabs, spans);
		mergeSort(a, tmp, mid, to, hashes, slabs, spans);
		if (compare(a[mid - 1], a[mid], hashes, slabs, spans) <= 0) {
			return;
		}
		System.arraycopy(a, from, tmp, from, n);
		int i = from;
		int j = mid;
		int k = from;
		while (i < mid && j < to) {
			a[k++] = (compare(tmp[j], tmp[i], hashes, slabs, spans) < 0) ? tmp[j++] : tmp[i++];
		}
		while (i < mid) {
			a[k++] = tmp[i++];
		}
		while (j < to) {
			a[k++] = tmp[j++];
		}
	}

	private static int compare(int x, int y, long[] hashes, byte[][] slabs, long[] spans) {
		return EntryBlobs.compare(hashes[x], slabs[x], Slabs.offset(spans[x]), hashes[y], slabs[y],
				Slabs.offset(spans[y]));
	}

}
