package dev.kiln.cpu.kernels;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.MatmulSpec;
import java.lang.foreign.MemorySegment;

/**
 * Row-major batched GEMM for the backend's {@code matmul}: {@code C (+)= op(A) op(B)} per batch
 * entry, through {@link PackedGemm} with the chosen {@link MicroKernel}, or through {@link FewRowGemm}
 * (the same bits, without packing) for the one-row products of decoding. Batch entries run in
 * parallel when there are enough of them, otherwise each GEMM splits its tiles; either way every
 * output is bit-identical whatever the thread count.
 */
public final class Gemm {
    private Gemm() {}

    /** Batched GEMM per {@link MatmulSpec}, over whole storages. */
    public static void matmul(CpuThreadPool pool, MatmulSpec s, MemorySegment a, MemorySegment b, MemorySegment c) {
        long aStride = s.aBatched() ? (long) s.m() * s.k() : 0, bStride = s.bBatched() ? (long) s.k() * s.n() : 0;
        long cStride = (long) s.m() * s.n();
        java.util.function.IntConsumer one = bi -> gemm(pool, s.m(), s.n(), s.k(), s.transA(), s.transB(),
                a, bi * aStride, b, bi * bStride, c, bi * cStride, s.accumulate());
        // Whole products per task when there are enough of them, or when each is too small to split
        // (an attention head's [T, D] @ [D, T]); otherwise each product splits its own tiles.
        boolean small = (long) s.m() * s.n() * s.k() < PackedGemm.PARALLEL_MIN_FMAS;
        if (s.batch() > 1 && (s.batch() >= pool.threads() || small)) pool.parallelFor(s.batch(), one);
        else for (int bi = 0; bi < s.batch(); bi++) one.accept(bi);
    }

    /**
     * One GEMM on element offsets of larger segments (matrices stored densely, row-major).
     *
     * @param accumulate {@code C += op(A) op(B)} instead of overwriting C
     */
    public static void gemm(CpuThreadPool pool, int m, int n, int k, boolean transA, boolean transB,
                            MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment c, long cOff, boolean accumulate) {
        MicroKernel kernel = MicroKernels.get();
        if (FewRowGemm.applies(kernel, m, n, k, transB)) { // same bits, without packing B for one row
            FewRowGemm.gemm(pool, m, n, k, transA, transB, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        PackedGemm.gemm(pool, kernel, m, n, k, DenseOperand.a(a, aOff, m, k, transA), DenseOperand.b(b, bOff, n, k, transB),
                c, cOff, n, accumulate, null);
    }
}
