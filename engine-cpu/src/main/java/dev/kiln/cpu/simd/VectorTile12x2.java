package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.MicroKernel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 12 rows by 2 vectors of accumulators (24 registers) on the preferred species: per depth
 * step, 2 B loads, 12 broadcasts of A and 24 fused multiply-adds. For AVX-512's 32 registers; spills on AVX2.
 * One of the tile shapes {@link VectorKernels} chooses from.
 */
final class VectorTile12x2 implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 12, NR = 2 * L;
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
        FloatVector c10 = FloatVector.fromMemorySegment(S, src, c0 + 1 * rowBytes, NATIVE);
        FloatVector c11 = FloatVector.fromMemorySegment(S, src, c0 + 1 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c20 = FloatVector.fromMemorySegment(S, src, c0 + 2 * rowBytes, NATIVE);
        FloatVector c21 = FloatVector.fromMemorySegment(S, src, c0 + 2 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c30 = FloatVector.fromMemorySegment(S, src, c0 + 3 * rowBytes, NATIVE);
        FloatVector c31 = FloatVector.fromMemorySegment(S, src, c0 + 3 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c40 = FloatVector.fromMemorySegment(S, src, c0 + 4 * rowBytes, NATIVE);
        FloatVector c41 = FloatVector.fromMemorySegment(S, src, c0 + 4 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c50 = FloatVector.fromMemorySegment(S, src, c0 + 5 * rowBytes, NATIVE);
        FloatVector c51 = FloatVector.fromMemorySegment(S, src, c0 + 5 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c60 = FloatVector.fromMemorySegment(S, src, c0 + 6 * rowBytes, NATIVE);
        FloatVector c61 = FloatVector.fromMemorySegment(S, src, c0 + 6 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c70 = FloatVector.fromMemorySegment(S, src, c0 + 7 * rowBytes, NATIVE);
        FloatVector c71 = FloatVector.fromMemorySegment(S, src, c0 + 7 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c80 = FloatVector.fromMemorySegment(S, src, c0 + 8 * rowBytes, NATIVE);
        FloatVector c81 = FloatVector.fromMemorySegment(S, src, c0 + 8 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c90 = FloatVector.fromMemorySegment(S, src, c0 + 9 * rowBytes, NATIVE);
        FloatVector c91 = FloatVector.fromMemorySegment(S, src, c0 + 9 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c100 = FloatVector.fromMemorySegment(S, src, c0 + 10 * rowBytes, NATIVE);
        FloatVector c101 = FloatVector.fromMemorySegment(S, src, c0 + 10 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        FloatVector c110 = FloatVector.fromMemorySegment(S, src, c0 + 11 * rowBytes, NATIVE);
        FloatVector c111 = FloatVector.fromMemorySegment(S, src, c0 + 11 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR, ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = b0.fma(a5, c50);
            c51 = b1.fma(a5, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = b0.fma(a6, c60);
            c61 = b1.fma(a6, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = b0.fma(a7, c70);
            c71 = b1.fma(a7, c71);
            FloatVector a8 = FloatVector.broadcast(S, a[ai + 8]);
            c80 = b0.fma(a8, c80);
            c81 = b1.fma(a8, c81);
            FloatVector a9 = FloatVector.broadcast(S, a[ai + 9]);
            c90 = b0.fma(a9, c90);
            c91 = b1.fma(a9, c91);
            FloatVector a10 = FloatVector.broadcast(S, a[ai + 10]);
            c100 = b0.fma(a10, c100);
            c101 = b1.fma(a10, c101);
            FloatVector a11 = FloatVector.broadcast(S, a[ai + 11]);
            c110 = b0.fma(a11, c110);
            c111 = b1.fma(a11, c111);
        }
        rowBytes = dstLd * Float.BYTES;
        c0 = dstOff * Float.BYTES;
        c00.intoMemorySegment(dst, c0, NATIVE);
        c01.intoMemorySegment(dst, c0 + 1L * L * Float.BYTES, NATIVE);
        c10.intoMemorySegment(dst, c0 + 1 * rowBytes, NATIVE);
        c11.intoMemorySegment(dst, c0 + 1 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c20.intoMemorySegment(dst, c0 + 2 * rowBytes, NATIVE);
        c21.intoMemorySegment(dst, c0 + 2 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c30.intoMemorySegment(dst, c0 + 3 * rowBytes, NATIVE);
        c31.intoMemorySegment(dst, c0 + 3 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c40.intoMemorySegment(dst, c0 + 4 * rowBytes, NATIVE);
        c41.intoMemorySegment(dst, c0 + 4 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c50.intoMemorySegment(dst, c0 + 5 * rowBytes, NATIVE);
        c51.intoMemorySegment(dst, c0 + 5 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c60.intoMemorySegment(dst, c0 + 6 * rowBytes, NATIVE);
        c61.intoMemorySegment(dst, c0 + 6 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c70.intoMemorySegment(dst, c0 + 7 * rowBytes, NATIVE);
        c71.intoMemorySegment(dst, c0 + 7 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c80.intoMemorySegment(dst, c0 + 8 * rowBytes, NATIVE);
        c81.intoMemorySegment(dst, c0 + 8 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c90.intoMemorySegment(dst, c0 + 9 * rowBytes, NATIVE);
        c91.intoMemorySegment(dst, c0 + 9 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c100.intoMemorySegment(dst, c0 + 10 * rowBytes, NATIVE);
        c101.intoMemorySegment(dst, c0 + 10 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c110.intoMemorySegment(dst, c0 + 11 * rowBytes, NATIVE);
        c111.intoMemorySegment(dst, c0 + 11 * rowBytes + 1L * L * Float.BYTES, NATIVE);
    }
}
