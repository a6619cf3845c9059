package dev.kiln.cpu.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The innermost GEMM step: one {@code mr x nr} tile of C from an A panel and a B panel packed by
 * {@link PackedGemm}. A panel holds, for each depth step {@code p}, the {@code mr} values of A's
 * rows ({@code a[aOff + p*mr + r]}); a B panel the {@code nr} values of B's columns
 * ({@code b[bOff + p*nr + j]}).
 *
 * <p>Contract shared by every implementation, so they are interchangeable bit for bit: each C
 * element starts from its value in {@code src} (the previous partial sum, a bias, or +0) and is
 * updated once per depth step, in increasing {@code p}, as {@code c = fma(a, b, c)} (one rounding),
 * then written to {@code dst}. Cutting the depth into blocks and restarting from the stored partial
 * therefore gives the same bits as one pass over all of it. The kernel has no data-dependent
 * branches (C2 would otherwise deoptimise it when a new case first appears).
 */
public interface MicroKernel {
    /** Rows of the register tile. */
    int mr();

    /** Columns of the register tile. */
    int nr();

    /**
     * Computes one tile over {@code kc} depth steps: starts from the tile at element {@code srcOff} of
     * {@code src} (rows {@code srcLd} apart), stores the result at {@code dstOff} of {@code dst} (rows
     * {@code dstLd} apart). {@code src} and {@code dst} may be the same tile.
     */
    void compute(int kc, float[] a, int aOff, float[] b, int bOff, MemorySegment src, long srcOff, long srcLd,
                 MemorySegment dst, long dstOff, long dstLd);

    /** Short name for logs ("scalar 4x16", "vector 512-bit 8x32"). */
    String name();
}
