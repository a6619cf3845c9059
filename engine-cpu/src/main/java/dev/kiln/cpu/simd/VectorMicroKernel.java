package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.MicroKernel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MicroKernel} on the Vector API: 4 rows by 2 vectors of accumulators stay in registers
 * while the depth loop streams one packed B row and four A values per step. Products and sums are
 * separate operations (no FMA) to match the scalar kernel bit for bit; column and row tails fall
 * back to the same arithmetic one vector or one element at a time.
 *
 * <p>The only package of the backend that imports {@code jdk.incubator.vector}; loaded reflectively.
 */
public final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    /** Public for reflective construction. */
    public VectorMicroKernel() {}

    @Override
    public String name() {
        return "vector " + SPECIES.vectorBitSize() + "-bit";
    }

    @Override
    public void multiplyAdd(float[] a, float[] b, float[] acc, int rows, int depth, int cols) {
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            int j = 0;
            for (; j + 2 * L <= cols; j += 2 * L) block4x2(a, b, acc, i, j, depth, cols);
            for (; j + L <= cols; j += L) {
                for (int r = 0; r < 4; r++) row1(a, b, acc, i + r, j, depth, cols);
            }
            for (; j < cols; j++) {
                for (int r = 0; r < 4; r++) scalar(a, b, acc, i + r, j, depth, cols);
            }
        }
        for (; i < rows; i++) {
            int j = 0;
            for (; j + L <= cols; j += L) row1(a, b, acc, i, j, depth, cols);
            for (; j < cols; j++) scalar(a, b, acc, i, j, depth, cols);
        }
    }

    private static void block4x2(float[] a, float[] b, float[] acc, int i, int j, int depth, int cols) {
        int c0 = i * cols + j, c1 = c0 + cols, c2 = c1 + cols, c3 = c2 + cols;
        FloatVector s00 = FloatVector.fromArray(SPECIES, acc, c0), s01 = FloatVector.fromArray(SPECIES, acc, c0 + L);
        FloatVector s10 = FloatVector.fromArray(SPECIES, acc, c1), s11 = FloatVector.fromArray(SPECIES, acc, c1 + L);
        FloatVector s20 = FloatVector.fromArray(SPECIES, acc, c2), s21 = FloatVector.fromArray(SPECIES, acc, c2 + L);
        FloatVector s30 = FloatVector.fromArray(SPECIES, acc, c3), s31 = FloatVector.fromArray(SPECIES, acc, c3 + L);
        int a0 = i * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth;
        for (int p = 0; p < depth; p++) {
            int bRow = p * cols + j;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bRow), b1 = FloatVector.fromArray(SPECIES, b, bRow + L);
            float v0 = a[a0 + p], v1 = a[a1 + p], v2 = a[a2 + p], v3 = a[a3 + p];
            s00 = s00.add(b0.mul(v0));
            s01 = s01.add(b1.mul(v0));
            s10 = s10.add(b0.mul(v1));
            s11 = s11.add(b1.mul(v1));
            s20 = s20.add(b0.mul(v2));
            s21 = s21.add(b1.mul(v2));
            s30 = s30.add(b0.mul(v3));
            s31 = s31.add(b1.mul(v3));
        }
        s00.intoArray(acc, c0);
        s01.intoArray(acc, c0 + L);
        s10.intoArray(acc, c1);
        s11.intoArray(acc, c1 + L);
        s20.intoArray(acc, c2);
        s21.intoArray(acc, c2 + L);
        s30.intoArray(acc, c3);
        s31.intoArray(acc, c3 + L);
    }

    private static void row1(float[] a, float[] b, float[] acc, int i, int j, int depth, int cols) {
        int c = i * cols + j, aRow = i * depth;
        FloatVector s = FloatVector.fromArray(SPECIES, acc, c);
        for (int p = 0; p < depth; p++) s = s.add(FloatVector.fromArray(SPECIES, b, p * cols + j).mul(a[aRow + p]));
        s.intoArray(acc, c);
    }

    private static void scalar(float[] a, float[] b, float[] acc, int i, int j, int depth, int cols) {
        int c = i * cols + j, aRow = i * depth;
        float s = acc[c];
        for (int p = 0; p < depth; p++) s += a[aRow + p] * b[p * cols + j];
        acc[c] = s;
    }
}
