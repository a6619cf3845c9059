package dev.kiln.cpu.kernels;

/** The scalar {@link RowOps}: plain loops, the reference and the fallback. */
public final class ScalarRowOps implements RowOps {
    /** A stateless instance. */
    public ScalarRowOps() {}

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int t = 0; t < n; t++) s = Math.fma(a[ao + t], b[bo + t], s);
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int t = 0; t < n; t++) y[yo + t] = Math.fma(alpha, x[xo + t], y[yo + t]);
    }

    @Override
    public String name() {
        return "scalar";
    }
}
