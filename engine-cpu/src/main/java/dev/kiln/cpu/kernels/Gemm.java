package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.MatmulSpec;
import java.lang.foreign.MemorySegment;

/**
 * Blocked row-major GEMM, {@code C[m x n] (+)= op(A)[m x k] @ op(B)[k x n]} in float.
 *
 * <p>The output is cut into tiles (the unit of parallel work); for each tile, panels of A and B
 * are packed into contiguous arrays one k-block at a time and handed to the {@link MicroKernel}
 * chosen by {@link MicroKernels}, which streams through cache-resident, unit-stride data. Every
 * output element is accumulated in one float, over k in increasing order, whatever the tile sizes
 * or thread count: results are bit-identical for any split.
 */
public final class Gemm {
    private static final int MB = 64, NB = 256, KB = 256;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Gemm() {}

    /** Batched GEMM per {@link MatmulSpec}, over whole storages. */
    public static void matmul(CpuThreadPool pool, MatmulSpec s, MemorySegment a, MemorySegment b, MemorySegment c) {
        long aStride = s.aBatched() ? (long) s.m() * s.k() : 0, bStride = s.bBatched() ? (long) s.k() * s.n() : 0;
        long cStride = (long) s.m() * s.n();
        run(pool, s.batch(), s.m(), s.n(), s.k(), s.transA(), s.transB(), a, 0, aStride, b, 0, bStride, c, 0, cStride, s.accumulate());
    }

    /**
     * One GEMM on element offsets of larger segments (matrices stored densely, row-major).
     *
     * @param accumulate {@code C += op(A) op(B)} instead of overwriting C
     */
    public static void gemm(CpuThreadPool pool, int m, int n, int k, boolean transA, boolean transB,
                            MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment c, long cOff, boolean accumulate) {
        run(pool, 1, m, n, k, transA, transB, a, aOff, 0, b, bOff, 0, c, cOff, 0, accumulate);
    }

    private static void run(CpuThreadPool pool, int batch, int m, int n, int k, boolean transA, boolean transB,
                            MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride,
                            MemorySegment c, long cOff, long cStride, boolean accumulate) {
        if (m == 0 || n == 0) return;
        // Smaller tiles when there are too few to occupy every thread (tiling never changes results).
        int mb = MB, nb = NB;
        int want = pool.inRegion() ? 1 : pool.threads() * 2;
        while ((long) batch * ceilDiv(m, mb) * ceilDiv(n, nb) < want && (nb > 32 || mb > 8)) {
            if (nb > 32) nb /= 2;
            else mb /= 2;
        }
        int tilesM = ceilDiv(m, mb), tilesN = ceilDiv(n, nb);
        int tiles = tilesM * tilesN;
        final int fmb = mb, fnb = nb;
        pool.parallelFor(Math.toIntExact((long) batch * tiles), t -> {
            int bi = t / tiles, tile = t % tiles;
            int i0 = (tile / tilesN) * fmb, j0 = (tile % tilesN) * fnb;
            tile(m, n, k, transA, transB, i0, Math.min(m, i0 + fmb), j0, Math.min(n, j0 + fnb),
                    a, aOff + bi * aStride, b, bOff + bi * bStride, c, cOff + bi * cStride, accumulate);
        });
    }

    private static void tile(int m, int n, int k, boolean transA, boolean transB, int i0, int i1, int j0, int j1,
                             MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment c, long cOff, boolean accumulate) {
        int rows = i1 - i0, cols = j1 - j0;
        Scratch s = SCRATCH.get();
        MicroKernel kernel = MicroKernels.get();
        float[] acc = s.acc(rows * cols);
        java.util.Arrays.fill(acc, 0, rows * cols, 0f);
        for (int p0 = 0; p0 < k; p0 += KB) {
            int depth = Math.min(KB, k - p0);
            float[] ap = s.a(rows * depth), bp = s.b(depth * cols);
            packA(a, aOff, m, k, transA, i0, rows, p0, depth, ap);
            packB(b, bOff, n, k, transB, j0, cols, p0, depth, bp);
            kernel.multiplyAdd(ap, bp, acc, rows, depth, cols);
        }
        for (int i = 0; i < rows; i++) {
            long row = cOff + (long) (i0 + i) * n + j0;
            for (int j = 0; j < cols; j++) {
                float v = acc[i * cols + j];
                c.setAtIndex(JAVA_FLOAT, row + j, accumulate ? c.getAtIndex(JAVA_FLOAT, row + j) + v : v);
            }
        }
    }

    /** op(A)[i0.., p0..] into {@code dst[rows x depth]}; A is stored [k x m] when transposed. */
    private static void packA(MemorySegment a, long off, int m, int k, boolean trans, int i0, int rows, int p0, int depth, float[] dst) {
        if (!trans) {
            // Rows of op(A) are contiguous in memory: one bulk copy each.
            for (int i = 0; i < rows; i++) {
                MemorySegment.copy(a, JAVA_FLOAT, (off + (long) (i0 + i) * k + p0) * Float.BYTES, dst, i * depth, depth);
            }
            return;
        }
        // Read along memory (i fastest) and scatter into the packed rows.
        for (int p = 0; p < depth; p++) {
            long src = off + (long) (p0 + p) * m + i0;
            for (int i = 0; i < rows; i++) dst[i * depth + p] = a.getAtIndex(JAVA_FLOAT, src + i);
        }
    }

    /** op(B)[p0.., j0..] into {@code dst[depth x cols]}; B is stored [n x k] when transposed. */
    private static void packB(MemorySegment b, long off, int n, int k, boolean trans, int j0, int cols, int p0, int depth, float[] dst) {
        if (!trans) {
            for (int p = 0; p < depth; p++) {
                MemorySegment.copy(b, JAVA_FLOAT, (off + (long) (p0 + p) * n + j0) * Float.BYTES, dst, p * cols, cols);
            }
            return;
        }
        for (int j = 0; j < cols; j++) {
            long src = off + (long) (j0 + j) * k + p0;
            for (int p = 0; p < depth; p++) dst[p * cols + j] = b.getAtIndex(JAVA_FLOAT, src + p);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        private float[] a = new float[0], b = new float[0], acc = new float[0];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        float[] acc(int size) {
            if (acc.length < size) acc = new float[size];
            return acc;
        }
    }
}
