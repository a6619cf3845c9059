package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.TopkSpec;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * topk along the middle axis of {@code [outer, dim, inner]}, and its backward. Each element of a
 * line becomes one {@code long} key (an order-preserving encoding of the value in the high 32
 * bits, the index in the low 32), so "smaller key first" is exactly {@link TopkSpec}'s order, ties
 * by index included. Small k keeps the k best keys in a bounded max-heap ({@code O(dim log k)});
 * large k sorts the whole line. Each line is one task's, so the result does not depend on threads.
 */
public final class Topk {
    /** Above {@code dim / SORT_RATIO} selected elements a full sort is cheaper than the heap. */
    private static final int SORT_RATIO = 8;

    private Topk() {}

    /** The k selected values and INT64 indices of each line, in order. */
    public static void forward(CpuThreadPool pool, TopkSpec s, MemorySegment x, MemorySegment values, MemorySegment indices) {
        int dim = s.dim(), inner = s.inner(), k = s.k();
        if (k == 0) return;
        pool.parallelRange((long) s.outer() * inner, Math.max(1, Elementwise.GRAIN / dim), (st, e) -> {
            long[] keys = new long[dim];
            long[] heap = new long[k];
            for (long line = st; line < e; line++) {
                long o = line / inner, i = line % inner;
                long in = o * dim * inner + i, out = o * k * inner + i;
                for (int j = 0; j < dim; j++) keys[j] = key(x.getAtIndex(JAVA_FLOAT, in + (long) j * inner), j, s.largest());
                long[] best;
                if ((long) k * SORT_RATIO >= dim) {
                    Arrays.sort(keys);
                    best = keys;
                } else {
                    best = smallest(keys, k, heap);
                }
                for (int j = 0; j < k; j++) {
                    int idx = (int) best[j];  // low 32 bits: the index
                    long at = out + (long) j * inner;
                    values.setAtIndex(JAVA_FLOAT, at, x.getAtIndex(JAVA_FLOAT, in + (long) idx * inner));
                    indices.setAtIndex(JAVA_LONG, at, idx);
                }
            }
        });
    }

    /** {@code gx = 0} except {@code gx[o, indices[o, j, i], i] = gy[o, j, i]}. */
    public static void backward(CpuThreadPool pool, TopkSpec s, MemorySegment gy, MemorySegment indices, MemorySegment gx) {
        int dim = s.dim(), inner = s.inner(), k = s.k();
        pool.parallelRange(s.outer(), Math.max(1, Elementwise.GRAIN / Math.max(1, (long) dim * inner)), (st, e) -> {
            for (long o = st; o < e; o++) {
                long in = o * dim * inner, out = o * k * inner;
                gx.asSlice(in * Float.BYTES, (long) dim * inner * Float.BYTES).fill((byte) 0);
                for (long t = 0; t < (long) k * inner; t++) {
                    long idx = indices.getAtIndex(JAVA_LONG, out + t);
                    gx.setAtIndex(JAVA_FLOAT, in + idx * inner + t % inner, gy.getAtIndex(JAVA_FLOAT, out + t));
                }
            }
        });
    }

    /**
     * The sort key of value v at index j: ascending keys give descending values when
     * {@code largest} (else ascending), NaN above every number, -0.0 equal to 0.0, then ascending j.
     */
    static long key(float v, int j, boolean largest) {
        if (v == 0f) v = 0f;  // -0.0 ties with 0.0
        int bits = Float.floatToIntBits(v);  // canonical NaN: above +inf in this order
        int ordered = bits < 0 ? bits ^ 0x7fffffff : bits;
        int high = largest ? ~ordered : ordered;
        return ((long) high << 32) | j;
    }

    /** The k smallest keys, ascending, kept in a bounded max-heap ({@code heap} has room for k). */
    private static long[] smallest(long[] keys, int k, long[] heap) {
        System.arraycopy(keys, 0, heap, 0, k);
        for (int i = k / 2 - 1; i >= 0; i--) siftDown(heap, i, k);
        for (int j = k; j < keys.length; j++) {
            if (keys[j] < heap[0]) {
                heap[0] = keys[j];
                siftDown(heap, 0, k);
            }
        }
        Arrays.sort(heap, 0, k);
        return heap;
    }

    private static void siftDown(long[] h, int i, int n) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, top = i;
            if (l < n && h[l] > h[top]) top = l;
            if (r < n && h[r] > h[top]) top = r;
            if (top == i) return;
            long t = h[i];
            h[i] = h[top];
            h[top] = t;
            i = top;
        }
    }
}
