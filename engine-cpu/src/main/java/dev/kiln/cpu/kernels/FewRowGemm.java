package dev.kiln.cpu.kernels;

import dev.kiln.cpu.CpuThreadPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GEMM for a few rows of output, read straight from the operands without packing: a decoding step
 * multiplies one row by every weight matrix, and {@link PackedGemm} packed the whole weight (a
 * transposing copy when it is stored {@code [n x k]}, as a Linear's is) for that one row, which cost
 * more than the product.
 *
 * <p>Bit-identical to {@link PackedGemm} with any {@link MicroKernel}: each C element starts from
 * {@code +0} (or from C when accumulating) and takes one {@code Math.fma} per depth step in
 * increasing {@code p}, exactly the micro-kernel contract (the packed path's depth blocks restart
 * from the stored float partial, which is the same chain). So which path a product takes, like the
 * thread count, never changes a bit. Speed comes from running {@value #COLS} columns of a row as
 * independent chains, which hides the FMA latency; columns are split between threads in fixed
 * chunks, which cannot change a bit either since no element depends on the split.
 */
public final class FewRowGemm {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED; // no per-access alignment check
    /** Columns computed together: independent FMA chains in flight. */
    private static final int COLS = 8;

    private FewRowGemm() {}

    /**
     * Whether this path is the faster one for an {@code m x n x k} product (measured, docs/benchmarks.md):
     * scalar chains lose to the packed vector kernels once two rows share the packing, and to the
     * packed path of a non-transposed B (whose packing is a plain copy) already at one row; against the
     * scalar micro-kernel, whose 4-row tiles waste most of their work on one or two rows, they win up to two.
     *
     * @param kernel the micro-kernel the packed path would use
     * @param m      rows of C
     * @param n      columns of C
     * @param k      depth
     * @param transB B is stored {@code [n x k]}
     * @return true to call {@link #gemm}
     */
    public static boolean applies(MicroKernel kernel, int m, int n, int k, boolean transB) {
        if (m <= 0 || n <= 0 || k <= 0) return false;
        if (kernel instanceof ScalarMicroKernel) return m <= 2;
        return m == 1 && transB;
    }

    /**
     * {@code C (+)= op(A) op(B)} for row-major operands at element offsets, as {@link Gemm#gemm};
     * any {@code m >= 1}, {@code n >= 1}, {@code k >= 1}. Runs in parallel over column chunks when the product is large enough.
     */
    public static void gemm(CpuThreadPool pool, int m, int n, int k, boolean transA, boolean transB,
                            MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment c, long cOff, boolean accumulate) {
        // A(i, p) = a[aOff + i*ai + p*ap]; B(p, j) = b[bOff + p*bp + j*bj].
        long ai = transA ? 1 : k, ap = transA ? m : 1, bp = transB ? 1 : n, bj = transB ? k : 1;
        int threads = pool.inRegion() ? 1 : pool.threads();
        int blocks = (n + COLS - 1) / COLS;
        int tasks = threads == 1 || (long) m * n * k < PackedGemm.PARALLEL_MIN_FMAS ? 1 : Math.min(threads, blocks);
        if (tasks == 1) {
            columns(0, n, m, k, a, aOff, ai, ap, b, bOff, bp, bj, c, cOff, n, accumulate);
            return;
        }
        pool.parallelFor(tasks, t -> {
            int from = (int) ((long) blocks * t / tasks) * COLS, to = Math.min(n, (int) ((long) blocks * (t + 1) / tasks) * COLS);
            columns(from, to, m, k, a, aOff, ai, ap, b, bOff, bp, bj, c, cOff, n, accumulate);
        });
    }

    /** Columns [j0, j1) of every row. */
    private static void columns(int j0, int j1, int m, int k, MemorySegment a, long aOff, long ai, long ap,
                                MemorySegment b, long bOff, long bp, long bj, MemorySegment c, long cOff, long ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            long aRow = aOff + i * ai, cRow = cOff + i * ldc;
            int j = j0;
            for (; j + COLS <= j1; j += COLS) block(k, a, aRow, ap, b, bOff + j * bj, bp, bj, c, cRow + j, accumulate);
            for (; j < j1; j++) one(k, a, aRow, ap, b, bOff + j * bj, bp, c, cRow + j, accumulate);
        }
    }

    /** Eight adjacent elements of one row of C. */
    private static void block(int k, MemorySegment a, long aAt, long ap, MemorySegment b, long bAt, long bp, long bj,
                              MemorySegment c, long cAt, boolean accumulate) {
        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f, c4 = 0f, c5 = 0f, c6 = 0f, c7 = 0f;
        if (accumulate) {
            c0 = c.getAtIndex(F, cAt);
            c1 = c.getAtIndex(F, cAt + 1);
            c2 = c.getAtIndex(F, cAt + 2);
            c3 = c.getAtIndex(F, cAt + 3);
            c4 = c.getAtIndex(F, cAt + 4);
            c5 = c.getAtIndex(F, cAt + 5);
            c6 = c.getAtIndex(F, cAt + 6);
            c7 = c.getAtIndex(F, cAt + 7);
        }
        long b0 = bAt, b1 = b0 + bj, b2 = b1 + bj, b3 = b2 + bj, b4 = b3 + bj, b5 = b4 + bj, b6 = b5 + bj, b7 = b6 + bj;
        for (int p = 0; p < k; p++) {
            float av = a.getAtIndex(F, aAt + p * ap);
            long q = p * bp;
            c0 = Math.fma(av, b.getAtIndex(F, b0 + q), c0);
            c1 = Math.fma(av, b.getAtIndex(F, b1 + q), c1);
            c2 = Math.fma(av, b.getAtIndex(F, b2 + q), c2);
            c3 = Math.fma(av, b.getAtIndex(F, b3 + q), c3);
            c4 = Math.fma(av, b.getAtIndex(F, b4 + q), c4);
            c5 = Math.fma(av, b.getAtIndex(F, b5 + q), c5);
            c6 = Math.fma(av, b.getAtIndex(F, b6 + q), c6);
            c7 = Math.fma(av, b.getAtIndex(F, b7 + q), c7);
        }
        c.setAtIndex(F, cAt, c0);
        c.setAtIndex(F, cAt + 1, c1);
        c.setAtIndex(F, cAt + 2, c2);
        c.setAtIndex(F, cAt + 3, c3);
        c.setAtIndex(F, cAt + 4, c4);
        c.setAtIndex(F, cAt + 5, c5);
        c.setAtIndex(F, cAt + 6, c6);
        c.setAtIndex(F, cAt + 7, c7);
    }

    /** One element of C (the columns left over after whole blocks). */
    private static void one(int k, MemorySegment a, long aAt, long ap, MemorySegment b, long bAt, long bp,
                            MemorySegment c, long cAt, boolean accumulate) {
        float acc = accumulate ? c.getAtIndex(F, cAt) : 0f;
        for (int p = 0; p < k; p++) acc = Math.fma(a.getAtIndex(F, aAt + p * ap), b.getAtIndex(F, bAt + p * bp), acc);
        c.setAtIndex(F, cAt, acc);
    }
}
