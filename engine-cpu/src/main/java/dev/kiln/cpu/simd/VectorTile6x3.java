package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.MicroKernel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 6 rows by 3 vectors of accumulators (18 registers) on the preferred species: per depth
 * step, 3 B loads, 6 broadcasts of A and 18 fused multiply-adds. For AVX-512's 32 registers; spills on AVX2.
 * One of the tile shapes {@link VectorKernels} chooses from.
 */
final class VectorTile6x3 implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 6, NR = 3 * L;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public String name() {
        return "vector " + S.vectorBitSize() + "-bit " + MR + "x" + NR;
    }

    @Override
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, MemorySegment src, long srcOff, long srcLd,
                        MemorySegment dst, long dstOff, long dstLd) {
        long rowBytes = srcLd * Float.BYTES, c0 = srcOff * Float.BYTES;
        FloatVector c00 = FloatVector.fromMemorySegment(S, src, c0, NATIVE);
        FloatVector c01 = FloatVector.fromMemorySegment(S, src, c0 + 1L * L * Float.BYTES, NATIVE);
        FloatVector c02 = FloatVector.fromMemorySegment(S, src, c0 + 2L * L * Float.BYTES, NATIVE);
        FloatVector c10 = FloatVector.fromMemorySegment(S, src, c0 + 1 * rowBytes, NATIVE);
        FloatVector c11 = FloatVector.fromMemorySegment(S, src, c0 + 1 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c12 = FloatVector.fromMemorySegment(S, src, c0 + 1 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        FloatVector c20 = FloatVector.fromMemorySegment(S, src, c0 + 2 * rowBytes, NATIVE);
        FloatVector c21 = FloatVector.fromMemorySegment(S, src, c0 + 2 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c22 = FloatVector.fromMemorySegment(S, src, c0 + 2 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        FloatVector c30 = FloatVector.fromMemorySegment(S, src, c0 + 3 * rowBytes, NATIVE);
        FloatVector c31 = FloatVector.fromMemorySegment(S, src, c0 + 3 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c32 = FloatVector.fromMemorySegment(S, src, c0 + 3 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        FloatVector c40 = FloatVector.fromMemorySegment(S, src, c0 + 4 * rowBytes, NATIVE);
        FloatVector c41 = FloatVector.fromMemorySegment(S, src, c0 + 4 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c42 = FloatVector.fromMemorySegment(S, src, c0 + 4 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        FloatVector c50 = FloatVector.fromMemorySegment(S, src, c0 + 5 * rowBytes, NATIVE);
        FloatVector c51 = FloatVector.fromMemorySegment(S, src, c0 + 5 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c52 = FloatVector.fromMemorySegment(S, src, c0 + 5 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR, ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            c02 = b2.fma(a0, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            c12 = b2.fma(a1, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            c22 = b2.fma(a2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            c32 = b2.fma(a3, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
            c42 = b2.fma(a4, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = b0.fma(a5, c50);
            c51 = b1.fma(a5, c51);
            c52 = b2.fma(a5, c52);
        }
        rowBytes = dstLd * Float.BYTES;
        c0 = dstOff * Float.BYTES;
        c00.intoMemorySegment(dst, c0, NATIVE);
        c01.intoMemorySegment(dst, c0 + 1L * L * Float.BYTES, NATIVE);
        c02.intoMemorySegment(dst, c0 + 2L * L * Float.BYTES, NATIVE);
        c10.intoMemorySegment(dst, c0 + 1 * rowBytes, NATIVE);
        c11.intoMemorySegment(dst, c0 + 1 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c12.intoMemorySegment(dst, c0 + 1 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        c20.intoMemorySegment(dst, c0 + 2 * rowBytes, NATIVE);
        c21.intoMemorySegment(dst, c0 + 2 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c22.intoMemorySegment(dst, c0 + 2 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        c30.intoMemorySegment(dst, c0 + 3 * rowBytes, NATIVE);
        c31.intoMemorySegment(dst, c0 + 3 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c32.intoMemorySegment(dst, c0 + 3 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        c40.intoMemorySegment(dst, c0 + 4 * rowBytes, NATIVE);
        c41.intoMemorySegment(dst, c0 + 4 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c42.intoMemorySegment(dst, c0 + 4 * rowBytes + 2L * L * Float.BYTES, NATIVE);
        c50.intoMemorySegment(dst, c0 + 5 * rowBytes, NATIVE);
        c51.intoMemorySegment(dst, c0 + 5 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c52.intoMemorySegment(dst, c0 + 5 * rowBytes + 2L * L * Float.BYTES, NATIVE);
    }
}
