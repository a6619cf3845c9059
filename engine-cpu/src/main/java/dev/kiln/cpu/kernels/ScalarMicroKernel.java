package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The reference {@link MicroKernel} in plain Java ({@link Math#fma}), used when the Vector API
 * is absent: a 4 x 16 tile held in a local array that C2 can keep in registers or vectorise along
 * the columns. Same contract, hence the same bits, as the vector kernels.
 */
public final class ScalarMicroKernel implements MicroKernel {
    private static final int MR = 4, NR = 16;
    private final ThreadLocal<float[]> tile = ThreadLocal.withInitial(() -> new float[MR * NR]);

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
        float[] acc = tile.get();
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < NR; j++) acc[r * NR + j] = src.getAtIndex(JAVA_FLOAT, srcOff + r * srcLd + j);
        }
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * MR, bi = bOff + p * NR;
            for (int r = 0; r < MR; r++) {
                float av = a[ai + r];
                int row = r * NR;
                for (int j = 0; j < NR; j++) acc[row + j] = Math.fma(av, b[bi + j], acc[row + j]);
            }
        }
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < NR; j++) dst.setAtIndex(JAVA_FLOAT, dstOff + r * dstLd + j, acc[r * NR + j]);
        }
    }

    @Override
    public String name() {
        return "scalar " + MR + "x" + NR;
    }
}
