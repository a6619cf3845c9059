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

    /** Arguments below this give 0 (exp would be subnormal). */
    public static final float EXP_FLUSH = -87f;
    /** Arguments are clamped to [{@value #EXP_LO}, {@value #EXP_HI}] first. */
    public static final float EXP_LO = -88f;
    /** The upper clamp (the result overflows to infinity from about 88.72 on). */
    public static final float EXP_HI = 89f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
    public static final float ROUND = 12582912f;
    /** log2(e). */
    public static final float LOG2E = 1.44269504f;
    /** ln 2's leading part, with few significant bits so that {@code k * LN2_HI} is exact. */
    public static final float LN2_HI = 0.693359375f;
    /** ln 2 minus {@link #LN2_HI}. */
    public static final float LN2_LO = -2.12194440e-4f;
    /** Taylor coefficients 1/k! of e^r for k = 7 down to 2 (|r| at most ln2/2: truncation near 5e-9). */
    private static final float[] EXP_POLY = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f};

    @Override
    public void exp(float[] x, int off, int n, float shift) {
        for (int t = off; t < off + n; t++) x[t] = exp(x[t] - shift);
    }

    /**
     * exp(v) in float32 by range reduction, the recipe every {@link RowOps#exp} follows operation for
     * operation: {@code k = round(v log2 e)}, {@code r = v - k ln2} (two fused steps), {@code e^r} by a
     * degree-7 Taylor polynomial in Horner form with fused multiply-adds, times {@code 2^(k/2)} and
     * {@code 2^(k - k/2)} (two factors, so that k = 128 overflows only when the result does).
     *
     * @param v the argument
     * @return e^v, 0 below {@value #EXP_FLUSH}, NaN for NaN
     */
    public static float exp(float v) {
        float c = Math.min(Math.max(v, EXP_LO), EXP_HI); // NaN stays NaN
        float t = Math.fma(c, LOG2E, ROUND), k = t - ROUND;
        float r = Math.fma(k, -LN2_HI, c);
        r = Math.fma(k, -LN2_LO, r);
        float p = EXP_POLY[0];
        for (int i = 1; i < EXP_POLY.length; i++) p = Math.fma(p, r, EXP_POLY[i]);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int ki = (int) k, half = ki >> 1;
        float y = p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ki - half + 127) << 23);
        return v < EXP_FLUSH ? 0f : y;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
