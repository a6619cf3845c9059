package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Assertions on arrays that report like PyTorch's {@code assert_close}: how many elements
 * mismatch, the worst one with its index, expected and actual value, and the tolerance used.
 */
public final class Compare {
    private Compare() {}

    /** {@code actual} (a FLOAT32 tensor) has {@code expected}'s shape and values within {@code tol}. */
    public static void assertClose(String what, Nd expected, Tensor actual, Tolerances.Tol tol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            fail(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        assertClose(what, expected, actual.toFloatArray(), tol);
    }

    /** {@code actual} holds {@code expected}'s values (row-major) within {@code tol}. */
    public static void assertClose(String what, Nd expected, float[] actual, Tolerances.Tol tol) {
        double[] e = expected.data();
        if (e.length != actual.length) fail(what + ": " + actual.length + " values, expected " + e.length);
        int bad = 0, worst = -1;
        double worstExcess = -1;
        for (int i = 0; i < e.length; i++) {
            if (tol.accepts(e[i], actual[i])) continue;
            bad++;
            double excess = Double.isNaN(actual[i]) ? Double.POSITIVE_INFINITY : Math.abs(actual[i] - e[i]) - tol.rtol() * Math.abs(e[i]);
            if (excess > worstExcess || worst < 0) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d elements differ (%s: rtol %.1e, atol %.1e); worst at %s (flat %d): expected %.9g, got %.9g, |diff| %.3g",
                    what, bad, e.length, tol.why(), tol.rtol(), tol.atol(), Arrays.toString(expected.unravel(worst)), worst,
                    e[worst], (double) actual[worst], Math.abs(actual[worst] - e[worst])));
        }
    }

    /** Two float arrays are bit-for-bit identical (NaN payloads included). */
    public static void assertBitIdentical(String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) fail(what + ": " + actual.length + " values, expected " + expected.length);
        int bad = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                if (first < 0) first = i;
                bad++;
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d values are not bit-identical; first at %d: %.9g vs %.9g",
                    what, bad, expected.length, first, (double) expected[first], (double) actual[first]));
        }
    }
}
