package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.RowOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowOps} on the preferred vector species: lane-wise fused multiply-adds, a scalar tail,
 * and the lanes of a dot product summed in index order (so results repeat bit for bit). Public and
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
    public String name() {
        return "vector " + S.length() + " lanes";
    }
}
