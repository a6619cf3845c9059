package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The reference {@link MicroKernel} in plain Java ({@link Math#fma}), used when the Vector API
 * is absent: a 4 x 16 tile computed as four 4 x 4 blocks, each held in sixteen local
 * accumulators that C2 keeps in registers for the whole depth loop (an accumulator array would be
 * loaded and stored at every step). Same contract, hence the same bits, as the vector kernels.
 */
public final class ScalarMicroKernel implements MicroKernel {
    private static final int MR = 4, NR = 16;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, MemorySegment src, long srcOff, long srcLd,
                        MemorySegment dst, long dstOff, long dstLd) {
        for (int j = 0; j < NR; j += 4) block(kc, a, aOff, b, bOff + j, src, srcOff + j, srcLd, dst, dstOff + j, dstLd);
    }

    /** Rows 0-3, columns j..j+3 of the tile ({@code bOff}, {@code srcOff} and {@code dstOff} already moved to column j). */
    private static void block(int kc, float[] a, int aOff, float[] b, int bOff, MemorySegment src, long srcOff, long srcLd,
                              MemorySegment dst, long dstOff, long dstLd) {
        long s0 = srcOff, s1 = s0 + srcLd, s2 = s1 + srcLd, s3 = s2 + srcLd;
        float c00 = src.getAtIndex(JAVA_FLOAT, s0), c01 = src.getAtIndex(JAVA_FLOAT, s0 + 1), c02 = src.getAtIndex(JAVA_FLOAT, s0 + 2), c03 = src.getAtIndex(JAVA_FLOAT, s0 + 3);
        float c10 = src.getAtIndex(JAVA_FLOAT, s1), c11 = src.getAtIndex(JAVA_FLOAT, s1 + 1), c12 = src.getAtIndex(JAVA_FLOAT, s1 + 2), c13 = src.getAtIndex(JAVA_FLOAT, s1 + 3);
        float c20 = src.getAtIndex(JAVA_FLOAT, s2), c21 = src.getAtIndex(JAVA_FLOAT, s2 + 1), c22 = src.getAtIndex(JAVA_FLOAT, s2 + 2), c23 = src.getAtIndex(JAVA_FLOAT, s2 + 3);
        float c30 = src.getAtIndex(JAVA_FLOAT, s3), c31 = src.getAtIndex(JAVA_FLOAT, s3 + 1), c32 = src.getAtIndex(JAVA_FLOAT, s3 + 2), c33 = src.getAtIndex(JAVA_FLOAT, s3 + 3);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += MR, bi += NR) {
            float a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
            float b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
            c00 = Math.fma(a0, b0, c00);
            c01 = Math.fma(a0, b1, c01);
            c02 = Math.fma(a0, b2, c02);
            c03 = Math.fma(a0, b3, c03);
            c10 = Math.fma(a1, b0, c10);
            c11 = Math.fma(a1, b1, c11);
            c12 = Math.fma(a1, b2, c12);
            c13 = Math.fma(a1, b3, c13);
            c20 = Math.fma(a2, b0, c20);
            c21 = Math.fma(a2, b1, c21);
            c22 = Math.fma(a2, b2, c22);
            c23 = Math.fma(a2, b3, c23);
            c30 = Math.fma(a3, b0, c30);
            c31 = Math.fma(a3, b1, c31);
            c32 = Math.fma(a3, b2, c32);
            c33 = Math.fma(a3, b3, c33);
        }
        long d0 = dstOff, d1 = d0 + dstLd, d2 = d1 + dstLd, d3 = d2 + dstLd;
        store(dst, d0, c00, c01, c02, c03);
        store(dst, d1, c10, c11, c12, c13);
        store(dst, d2, c20, c21, c22, c23);
        store(dst, d3, c30, c31, c32, c33);
    }

    private static void store(MemorySegment dst, long at, float v0, float v1, float v2, float v3) {
        dst.setAtIndex(JAVA_FLOAT, at, v0);
        dst.setAtIndex(JAVA_FLOAT, at + 1, v1);
        dst.setAtIndex(JAVA_FLOAT, at + 2, v2);
        dst.setAtIndex(JAVA_FLOAT, at + 3, v3);
    }

    @Override
    public String name() {
        return "scalar " + MR + "x" + NR;
    }
}
