package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.RowOps;
import dev.kiln.cpu.kernels.ScalarRowOps;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowOps} on the preferred vector species: lane-wise fused multiply-adds, a scalar tail,
 * and the lanes of a dot product summed in index order (so results repeat bit for bit). The tile
 * product keeps 4 rows by 2 vectors of C in registers (8 accumulators, 2 loads of B and 4
 * broadcasts of A per depth step: C2 on JDK 25 keeps this in AVX2's 16 registers, where larger
 * tiles spill), then 4 x 1 vectors, single rows and a scalar edge, each element one fused
 * multiply-add chain as the contract requires. Public and constructed reflectively by {@link RowOps#get()}.
 */
public final class VectorRowOps implements RowOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final DoubleVector D_ONE = DoubleVector.broadcast(D, 1.0);

    /** Public for reflective construction. */
    public VectorRowOps() {}

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        int t = 0, bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; t < bound; t += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + t).fma(FloatVector.fromArray(S, b, bo + t), acc);
        }
        // Lanes summed in index order: reduceLanes(ADD) may reorder the sum (differently in compiled
        // and interpreted code), which would make results depend on when the JIT kicked in.
        float[] lanes = new float[S.length()];
        acc.intoArray(lanes, 0);
        float s = 0f;
        for (float l : lanes) s += l;
        for (; t < n; t++) s = Math.fma(a[ao + t], b[bo + t], s);
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int t = 0, bound = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (; t < bound; t += S.length()) {
            FloatVector.fromArray(S, x, xo + t).fma(va, FloatVector.fromArray(S, y, yo + t)).intoArray(y, yo + t);
        }
        for (; t < n; t++) y[yo + t] = Math.fma(alpha, x[xo + t], y[yo + t]);
    }

    @Override
    public void tile(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        int l = S.length(), i = 0;
        for (; i + 4 <= m; i += 4) {
            int j = 0;
            for (; j + 2 * l <= n; j += 2 * l) tile4x2(i, j, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
            for (; j + l <= n; j += l) tile4x1(i, j, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
            if (j < n) ScalarRowOps.tileBlock(i, i + 4, j, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
        for (; i < m; i++) {
            int j = 0;
            for (; j + l <= n; j += l) tile1x1(i, j, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
            if (j < n) ScalarRowOps.tileBlock(i, i + 1, j, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
    }

    private static FloatVector start(float[] c, int at, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(S, c, at) : FloatVector.zero(S);
    }

    /** Rows [i, i + 4) by columns [j, j + 2 lanes) of C. */
    private static void tile4x2(int i, int j, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        int l = S.length(), c0 = cOff + i * ldc + j, a0 = aOff + i * aRow;
        FloatVector c00 = start(c, c0, accumulate), c01 = start(c, c0 + l, accumulate);
        FloatVector c10 = start(c, c0 + ldc, accumulate), c11 = start(c, c0 + ldc + l, accumulate);
        FloatVector c20 = start(c, c0 + 2 * ldc, accumulate), c21 = start(c, c0 + 2 * ldc + l, accumulate);
        FloatVector c30 = start(c, c0 + 3 * ldc, accumulate), c31 = start(c, c0 + 3 * ldc + l, accumulate);
        for (int p = 0; p < k; p++) {
            int bi = bOff + p * ldb + j, ai = a0 + p * aCol;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + l);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ai + aRow]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * aRow]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * aRow]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + l);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + l);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + l);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + l);
    }

    /** Rows [i, i + 4) by columns [j, j + lanes) of C. */
    private static void tile4x1(int i, int j, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        int c0 = cOff + i * ldc + j, a0 = aOff + i * aRow;
        FloatVector c00 = start(c, c0, accumulate), c10 = start(c, c0 + ldc, accumulate);
        FloatVector c20 = start(c, c0 + 2 * ldc, accumulate), c30 = start(c, c0 + 3 * ldc, accumulate);
        for (int p = 0; p < k; p++) {
            int ai = a0 + p * aCol;
            FloatVector b0 = FloatVector.fromArray(S, b, bOff + p * ldb + j);
            c00 = b0.fma(FloatVector.broadcast(S, a[ai]), c00);
            c10 = b0.fma(FloatVector.broadcast(S, a[ai + aRow]), c10);
            c20 = b0.fma(FloatVector.broadcast(S, a[ai + 2 * aRow]), c20);
            c30 = b0.fma(FloatVector.broadcast(S, a[ai + 3 * aRow]), c30);
        }
        c00.intoArray(c, c0);
        c10.intoArray(c, c0 + ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
    }

    /** Row i by columns [j, j + lanes) of C. */
    private static void tile1x1(int i, int j, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        int c0 = cOff + i * ldc + j, a0 = aOff + i * aRow;
        FloatVector acc = start(c, c0, accumulate);
        for (int p = 0; p < k; p++) {
            acc = FloatVector.fromArray(S, b, bOff + p * ldb + j).fma(FloatVector.broadcast(S, a[a0 + p * aCol]), acc);
        }
        acc.intoArray(c, c0);
    }

    @Override
    public void exp(float[] x, int off, int n, float shift) {
        int t = off, bound = off + S.loopBound(n);
        for (; t < bound; t += S.length()) exp(FloatVector.fromArray(S, x, t).sub(shift)).intoArray(x, t);
        for (; t < off + n; t++) x[t] = ScalarRowOps.exp(x[t] - shift);
    }

    /** {@link ScalarRowOps#exp(float)} lane-wise, operation for operation (so the bits agree). */
    private static FloatVector exp(FloatVector v) {
        FloatVector c = clamp(v, ScalarRowOps.EXP_LO, ScalarRowOps.EXP_HI);
        FloatVector t = c.fma(ScalarRowOps.LOG2E, ScalarRowOps.ROUND), k = t.sub(ScalarRowOps.ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(S, -ScalarRowOps.LN2_HI), c);
        r = k.fma(FloatVector.broadcast(S, -ScalarRowOps.LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, POLY[0]);
        for (int i = 1; i < POLY.length; i++) p = p.fma(r, FloatVector.broadcast(S, POLY[i]));
        p = p.fma(r, ONE);
        p = p.fma(r, ONE);
        IntVector ki = (IntVector) k.convert(VectorOperators.F2I, 0), half = ki.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ki.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = p.mul(s1).mul(s2);
        return y.blend(FloatVector.zero(S), v.compare(VectorOperators.LT, ScalarRowOps.EXP_FLUSH));
    }

    @Override
    public void expNonPositive(double[] x, int off, int n) {
        int t = off, bound = off + D.loopBound(n);
        for (; t < bound; t += D.length()) expNonPositive(DoubleVector.fromArray(D, x, t)).intoArray(x, t);
        for (; t < off + n; t++) x[t] = ScalarRowOps.expNonPositive(x[t]);
    }

    /** {@link ScalarRowOps#expNonPositive(double)} lane-wise, operation for operation (so the bits agree). */
    private static DoubleVector expNonPositive(DoubleVector v) {
        DoubleVector c = clamp(v, ScalarRowOps.EXP_DOUBLE_FLUSH, 0.0);
        DoubleVector t = c.fma(ScalarRowOps.LOG2E_DOUBLE, ScalarRowOps.ROUND_DOUBLE), k = t.sub(ScalarRowOps.ROUND_DOUBLE);
        DoubleVector r = k.fma(DoubleVector.broadcast(D, -ScalarRowOps.LN2_HI_DOUBLE), c);
        r = k.fma(DoubleVector.broadcast(D, -ScalarRowOps.LN2_LO_DOUBLE), r);
        double[] poly = ScalarRowOps.EXP_DOUBLE_POLY;
        DoubleVector p = DoubleVector.broadcast(D, poly[0]);
        for (int i = 1; i < poly.length; i++) p = p.fma(r, DoubleVector.broadcast(D, poly[i]));
        p = p.fma(r, D_ONE);
        p = p.fma(r, D_ONE);
        DoubleVector scale = t.reinterpretAsLongs().sub(ScalarRowOps.ROUND_DOUBLE_BITS - 1023).lanewise(VectorOperators.LSHL, 52)
                .reinterpretAsDoubles();
        return p.mul(scale).blend(DoubleVector.zero(D), v.compare(VectorOperators.LT, ScalarRowOps.EXP_DOUBLE_FLUSH));
    }

    /**
     * {@code Math.min(Math.max(v, lo), hi)} lane-wise, bit for bit unless {@code lo} is +0 or {@code hi}
     * is -0 (NaN stays NaN), as two compares and blends: AVX2 has no instruction for a vector max or
     * min with Java's NaN and signed-zero rules, so C2 emits a sequence for each.
     */
    static FloatVector clamp(FloatVector v, float lo, float hi) {
        FloatVector c = v.blend(lo, v.compare(VectorOperators.LT, lo));
        return c.blend(hi, c.compare(VectorOperators.GT, hi));
    }

    /** {@link #clamp(FloatVector, float, float)} in double lanes. */
    static DoubleVector clamp(DoubleVector v, double lo, double hi) {
        DoubleVector c = v.blend(lo, v.compare(VectorOperators.LT, lo));
        return c.blend(hi, c.compare(VectorOperators.GT, hi));
    }

    /** {@link ScalarRowOps}'s polynomial coefficients (a copy: its array is private to it). */
    private static final float[] POLY = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f};
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    @Override
    public String name() {
        return "vector " + S.length() + " lanes";
    }
}
