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
    public void compute(int kc, float[] a, int aOff, float[] b, int bOff, MemorySegment c, long cOff, long ldc, boolean load, float[] init, int initOff) {
        long rowBytes = ldc * Float.BYTES, c0 = cOff * Float.BYTES;
        FloatVector z = FloatVector.zero(S);
        FloatVector i0 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 0]);
        FloatVector i1 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 1]);
        FloatVector i2 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 2]);
        FloatVector i3 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 3]);
        FloatVector i4 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 4]);
        FloatVector i5 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 5]);
        FloatVector i6 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 6]);
        FloatVector i7 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 7]);
        FloatVector i8 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 8]);
        FloatVector i9 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 9]);
        FloatVector i10 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 10]);
        FloatVector i11 = load || init == null ? z : FloatVector.broadcast(S, init[initOff + 11]);
        FloatVector c00 = load ? FloatVector.fromMemorySegment(S, c, c0, NATIVE) : i0;
        FloatVector c01 = load ? FloatVector.fromMemorySegment(S, c, c0 + 1L * L * Float.BYTES, NATIVE) : i0;
        FloatVector c10 = load ? FloatVector.fromMemorySegment(S, c, c0 + 1 * rowBytes, NATIVE) : i1;
        FloatVector c11 = load ? FloatVector.fromMemorySegment(S, c, c0 + 1 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i1;
        FloatVector c20 = load ? FloatVector.fromMemorySegment(S, c, c0 + 2 * rowBytes, NATIVE) : i2;
        FloatVector c21 = load ? FloatVector.fromMemorySegment(S, c, c0 + 2 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i2;
        FloatVector c30 = load ? FloatVector.fromMemorySegment(S, c, c0 + 3 * rowBytes, NATIVE) : i3;
        FloatVector c31 = load ? FloatVector.fromMemorySegment(S, c, c0 + 3 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i3;
        FloatVector c40 = load ? FloatVector.fromMemorySegment(S, c, c0 + 4 * rowBytes, NATIVE) : i4;
        FloatVector c41 = load ? FloatVector.fromMemorySegment(S, c, c0 + 4 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i4;
        FloatVector c50 = load ? FloatVector.fromMemorySegment(S, c, c0 + 5 * rowBytes, NATIVE) : i5;
        FloatVector c51 = load ? FloatVector.fromMemorySegment(S, c, c0 + 5 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i5;
        FloatVector c60 = load ? FloatVector.fromMemorySegment(S, c, c0 + 6 * rowBytes, NATIVE) : i6;
        FloatVector c61 = load ? FloatVector.fromMemorySegment(S, c, c0 + 6 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i6;
        FloatVector c70 = load ? FloatVector.fromMemorySegment(S, c, c0 + 7 * rowBytes, NATIVE) : i7;
        FloatVector c71 = load ? FloatVector.fromMemorySegment(S, c, c0 + 7 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i7;
        FloatVector c80 = load ? FloatVector.fromMemorySegment(S, c, c0 + 8 * rowBytes, NATIVE) : i8;
        FloatVector c81 = load ? FloatVector.fromMemorySegment(S, c, c0 + 8 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i8;
        FloatVector c90 = load ? FloatVector.fromMemorySegment(S, c, c0 + 9 * rowBytes, NATIVE) : i9;
        FloatVector c91 = load ? FloatVector.fromMemorySegment(S, c, c0 + 9 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i9;
        FloatVector c100 = load ? FloatVector.fromMemorySegment(S, c, c0 + 10 * rowBytes, NATIVE) : i10;
        FloatVector c101 = load ? FloatVector.fromMemorySegment(S, c, c0 + 10 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i10;
        FloatVector c110 = load ? FloatVector.fromMemorySegment(S, c, c0 + 11 * rowBytes, NATIVE) : i11;
        FloatVector c111 = load ? FloatVector.fromMemorySegment(S, c, c0 + 11 * rowBytes + 1L * L * Float.BYTES, NATIVE) : i11;
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
        c00.intoMemorySegment(c, c0, NATIVE);
        c01.intoMemorySegment(c, c0 + 1L * L * Float.BYTES, NATIVE);
        c10.intoMemorySegment(c, c0 + 1 * rowBytes, NATIVE);
        c11.intoMemorySegment(c, c0 + 1 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c20.intoMemorySegment(c, c0 + 2 * rowBytes, NATIVE);
        c21.intoMemorySegment(c, c0 + 2 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c30.intoMemorySegment(c, c0 + 3 * rowBytes, NATIVE);
        c31.intoMemorySegment(c, c0 + 3 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c40.intoMemorySegment(c, c0 + 4 * rowBytes, NATIVE);
        c41.intoMemorySegment(c, c0 + 4 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c50.intoMemorySegment(c, c0 + 5 * rowBytes, NATIVE);
        c51.intoMemorySegment(c, c0 + 5 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c60.intoMemorySegment(c, c0 + 6 * rowBytes, NATIVE);
        c61.intoMemorySegment(c, c0 + 6 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c70.intoMemorySegment(c, c0 + 7 * rowBytes, NATIVE);
        c71.intoMemorySegment(c, c0 + 7 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c80.intoMemorySegment(c, c0 + 8 * rowBytes, NATIVE);
        c81.intoMemorySegment(c, c0 + 8 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c90.intoMemorySegment(c, c0 + 9 * rowBytes, NATIVE);
        c91.intoMemorySegment(c, c0 + 9 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c100.intoMemorySegment(c, c0 + 10 * rowBytes, NATIVE);
        c101.intoMemorySegment(c, c0 + 10 * rowBytes + 1L * L * Float.BYTES, NATIVE);
        c110.intoMemorySegment(c, c0 + 11 * rowBytes, NATIVE);
        c111.intoMemorySegment(c, c0 + 11 * rowBytes + 1L * L * Float.BYTES, NATIVE);
    }
}
