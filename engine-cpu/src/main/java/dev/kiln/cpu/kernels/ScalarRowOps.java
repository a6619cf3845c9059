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
    public void tile(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        tileBlock(0, m, 0, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /**
     * Rows [i0, i1) by columns [j0, j1) of {@link #tile}: the reference loop, also the vector
     * implementation's tail (both compute one fused multiply-add chain per element).
     */
    public static void tileBlock(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
                          int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = i0; i < i1; i++) {
            int ai = aOff + i * aRow;
            for (int j = j0; j < j1; j++) {
                float sum = accumulate ? c[cOff + i * ldc + j] : 0f;
                for (int p = 0; p < k; p++) sum = Math.fma(a[ai + p * aCol], b[bOff + p * ldb + j], sum);
                c[cOff + i * ldc + j] = sum;
            }
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}
