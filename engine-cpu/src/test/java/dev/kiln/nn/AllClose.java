package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Float32-vs-float64 comparison reporting the mismatch count, the worst error and its index
 * (as PyTorch's assert_close). Default tolerances are PyTorch's for float32 (rtol 1.3e-6,
 * atol 1e-5).
 */
public final class AllClose {
    public static final double RTOL = 1.3e-6;
    public static final double ATOL = 1e-5;

    private AllClose() {}

    public static void assertClose(double[] expected, float[] actual, String what) {
        assertClose(expected, actual, RTOL, ATOL, what);
    }

    public static void assertClose(double[] expected, float[] actual, double rtol, double atol, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        int bad = 0, worst = -1;
        double worstErr = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            boolean ok = err <= atol + rtol * Math.abs(expected[i]);
            if (!ok || Double.isNaN(actual[i])) bad++;
            if (err > worstErr || Double.isNaN(err)) {
                worstErr = err;
                worst = i;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements differ; worst at index " + worst + ": got "
                    + actual[worst] + ", expected " + expected[worst] + " (error " + worstErr + ", rtol " + rtol + ", atol " + atol + ")");
        }
    }

    /** Widens a float array. */
    public static double[] d(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
