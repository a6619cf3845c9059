package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.MicroKernel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4 rows by 2 vectors of accumulators (8 registers) on the preferred species: per depth
 * step, 2 B loads, 4 broadcasts of A and 8 fused multiply-adds. Fits AVX2's 16 registers with room for the operands.
 * One of the tile shapes {@link VectorKernels} chooses from.
 */
final class VectorTile4x2 implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 4, NR = 2 * L;
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
    }
}
