package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.ArgReduceSpec;
import java.lang.foreign.MemorySegment;

/**
 * Max or min with its index along the middle axis of {@code [outer, dim, inner]}. Each outer slab
 * is walked row by row (contiguous in memory for every inner position), keeping a running best per
 * inner position; each line is owned by one task, so the result does not depend on the threads.
 */
public final class ArgReduce {
    private ArgReduce() {}

    /** Values (when {@code values} is not null) and INT64 indices of the winners, per {@link ArgReduceSpec}. */
    public static void forward(CpuThreadPool pool, ArgReduceSpec s, MemorySegment x, MemorySegment values, MemorySegment indices) {
        int dim = s.dim(), inner = s.inner();
        boolean max = s.max();
        if (inner == 1) {
            pool.parallelRange(s.outer(), Math.max(1, Elementwise.GRAIN / dim), (st, e) -> {
                for (long o = st; o < e; o++) {
                    long base = o * dim;
                    int best = 0;
                    float bv = x.getAtIndex(JAVA_FLOAT, base);
                    for (int j = 1; j < dim && bv == bv; j++) {  // stops at the first NaN: it wins
                        float v = x.getAtIndex(JAVA_FLOAT, base + j);
                        if (max ? (v > bv || v != v) : (v < bv || v != v)) {
                            bv = v;
                            best = j;
                        }
                    }
                    if (values != null) values.setAtIndex(JAVA_FLOAT, o, bv);
                    indices.setAtIndex(JAVA_LONG, o, best);
                }
            });
            return;
        }
        // Inner runs: a task owns whole [dim, inner] slabs (or, for few slabs, runs of inner positions).
        long work = (long) s.outer() * inner;
        pool.parallelRange(work, Math.max(1, Elementwise.GRAIN / dim), (st, e) -> {
            long line = st;
            while (line < e) {
                long o = line / inner;
                int i0 = (int) (line % inner), i1 = (int) Math.min(inner, i0 + (e - line));
                int len = i1 - i0;
                long base = o * dim * inner + i0;
                float[] bv = new float[len];
                long[] bi = new long[len];
                MemorySegment.copy(x, JAVA_FLOAT, base * Float.BYTES, bv, 0, len);
                for (int j = 1; j < dim; j++) {
                    long row = base + (long) j * inner;
                    for (int t = 0; t < len; t++) {
                        float v = x.getAtIndex(JAVA_FLOAT, row + t), b = bv[t];
                        // Replace when strictly better, or when v is the line's first NaN.
                        if (b == b && (max ? (v > b || v != v) : (v < b || v != v))) {
                            bv[t] = v;
                            bi[t] = j;
                        }
                    }
                }
                long out = o * inner + i0;
                if (values != null) MemorySegment.copy(bv, 0, values, JAVA_FLOAT, out * Float.BYTES, len);
                MemorySegment.copy(bi, 0, indices, JAVA_LONG, out * Long.BYTES, len);
                line += len;
            }
        });
    }
}
