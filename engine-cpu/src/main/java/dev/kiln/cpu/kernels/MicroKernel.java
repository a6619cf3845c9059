package dev.kiln.cpu.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The innermost GEMM step: one {@code mr x nr} tile of C from an A panel and a B panel packed by
 * {@link PackedGemm}. A panel holds, for each depth step {@code p}, the {@code mr} values of A's
 * rows ({@code a[aOff + p*mr + r]}); a B panel the {@code nr} values of B's columns
 * ({@code b[bOff + p*nr + j]}).
 *
 * <p>Contract shared by every implementation, so they are interchangeable bit for bit: each C
 * element starts from its stored value ({@code load}), else from its row's {@code init} value (+0
 * when {@code init} is null), and is updated once per depth
 * step, in increasing {@code p}, as {@code c = fma(a, b, c)} (one rounding). Cutting the depth into
 * blocks and reloading C in between therefore gives the same bits as one pass over all of it.
 */
public interface MicroKernel {
    /** Rows of the register tile. */
    int mr();

    /** Columns of the register tile. */
    int nr();

    /**
     * Computes the tile at element offset {@code cOff} of {@code c} (rows {@code ldc} floats apart),
     * over {@code kc} depth steps, and stores it there. Row {@code r} starts from
     * {@code init[initOff + r]} unless {@code load} (a fused per-row bias).
     */
    void compute(int kc, float[] a, int aOff, float[] b, int bOff, MemorySegment c, long cOff, long ldc, boolean load,
                 float[] init, int initOff);

    /** Short name for logs ("scalar 4x16", "vector 512-bit 8x32"). */
    String name();
}
