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

    /** Double arguments below this give 0 from {@link #expNonPositive(double)} (exp would be subnormal). */
    public static final double EXP_DOUBLE_FLUSH = -708;
    /** 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer, held in the low bits. */
    public static final double ROUND_DOUBLE = 6755399441055744.0;
    /** The raw bits of {@link #ROUND_DOUBLE}. */
    public static final long ROUND_DOUBLE_BITS = Double.doubleToRawLongBits(ROUND_DOUBLE);
    /** log2(e) in double. */
    public static final double LOG2E_DOUBLE = 1.4426950408889634;
    /** ln 2's leading part (fdlibm's split: 32 trailing zero bits, so {@code k * LN2_HI_DOUBLE} is exact). */
    public static final double LN2_HI_DOUBLE = 6.93147180369123816490e-01;
    /** ln 2 minus {@link #LN2_HI_DOUBLE}. */
    public static final double LN2_LO_DOUBLE = 1.90821492927058770002e-10;
    /** Taylor coefficients 1/k! of e^r for k = 13 down to 2 (|r| at most ln2/2: truncation near 4e-18). */
    public static final double[] EXP_DOUBLE_POLY = {1.0 / 6227020800L, 1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880,
        1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5};

    @Override
    public void expNonPositive(double[] x, int off, int n) {
        for (int t = off; t < off + n; t++) x[t] = expNonPositive(x[t]);
    }

    /**
     * exp(v) in double for v at most 0, the recipe every {@link RowOps#expNonPositive} follows operation
     * for operation: v clamped to [{@value #EXP_DOUBLE_FLUSH}, 0], {@code k = round(v log2 e)} (one fused
     * step), {@code r = v - k ln2} (two fused steps), {@code e^r} by a degree-13 Taylor polynomial in
     * Horner form with fused multiply-adds, times {@code 2^k} built from k's bits.
     *
     * @param v the argument (above 0 taken as 0)
     * @return e^v, 0 below {@value #EXP_DOUBLE_FLUSH}, NaN for NaN
     */
    public static double expNonPositive(double v) {
        double c = Math.min(Math.max(v, EXP_DOUBLE_FLUSH), 0.0); // NaN stays NaN
        double t = Math.fma(c, LOG2E_DOUBLE, ROUND_DOUBLE), k = t - ROUND_DOUBLE;
        double r = Math.fma(k, -LN2_HI_DOUBLE, c);
        r = Math.fma(k, -LN2_LO_DOUBLE, r);
        double p = EXP_DOUBLE_POLY[0];
        for (int i = 1; i < EXP_DOUBLE_POLY.length; i++) p = Math.fma(p, r, EXP_DOUBLE_POLY[i]);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        double scale = Double.longBitsToDouble((Double.doubleToRawLongBits(t) - ROUND_DOUBLE_BITS + 1023) << 52);
        return v < EXP_DOUBLE_FLUSH ? 0.0 : p * scale;
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
