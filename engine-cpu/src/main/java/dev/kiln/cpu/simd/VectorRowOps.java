package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.RowOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowOps} on the preferred vector species: lane-wise fused multiply-adds, a scalar tail,
 * and one lane reduction per dot product (a fixed order, so results repeat bit for bit). Public and
 * constructed reflectively by {@link RowOps#get()}.
 */
public final class VectorRowOps implements RowOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Public for reflective construction. */
    public VectorRowOps() {}

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        int t = 0, bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; t < bound; t += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + t).fma(FloatVector.fromArray(S, b, bo + t), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
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
    public String name() {
        return "vector " + S.length() + " lanes";
    }
}
