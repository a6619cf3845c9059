package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cpu.kernels.RowOps;
import dev.kiln.cpu.kernels.ScalarRowOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attention kernel's row primitives: the tile product against a float64 loop for odd sizes and
 * transposed operands, the exponential against {@link Math#exp}, and the chosen implementation
 * (Vector API when present) bit-identical to the scalar one, as {@link RowOps} promises.
 */
class RowOpsTest {
    private final RowOps chosen = RowOps.get();
    private final RowOps scalar = new ScalarRowOps();

    @Test
    void tileMatchesFloat64AndTheScalarBits() {
        Random rnd = new Random(3);
        int[][] shapes = {{1, 1, 1}, {4, 16, 64}, {7, 37, 5}, {64, 64, 64}, {13, 8, 0}, {5, 33, 19}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean acc : new boolean[] {false, true}) {
                    int lda = (transA ? m : k) + 3, ldb = n + 2, ldc = n + 5;
                    float[] a = random(rnd, (transA ? k : m) * lda + 2), b = random(rnd, k * ldb + 1), c0 = random(rnd, m * ldc + 4);
                    int aRow = transA ? 1 : lda, aCol = transA ? lda : 1;
                    float[] cv = c0.clone(), cs = c0.clone();
                    chosen.tile(m, n, k, a, 2, aRow, aCol, b, 1, ldb, cv, 4, ldc, acc);
                    scalar.tile(m, n, k, a, 2, aRow, aCol, b, 1, ldb, cs, 4, ldc, acc);
                    String what = m + "x" + n + "x" + k + (transA ? " A^T" : "") + (acc ? " +=" : "");
                    assertArrayEquals(cs, cv, what + ": " + chosen.name() + " vs scalar bits");
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double ref = acc ? c0[4 + i * ldc + j] : 0;
                            for (int p = 0; p < k; p++) ref += (double) a[2 + i * aRow + p * aCol] * b[1 + p * ldb + j];
                            assertEquals(ref, cv[4 + i * ldc + j], 1e-5 * (1 + k), what + " at " + i + "," + j);
                        }
                    }
                    // Elements outside the m x n window are untouched.
                    for (int x = 0; x < cv.length; x++) {
                        int rel = x - 4, i = rel / ldc, j = rel % ldc;
                        if (rel < 0 || i >= m || j >= n) assertEquals(c0[x], cv[x], what + ": wrote outside C at " + x);
                    }
                }
            }
        }
    }

    @Test
    void expIsWithinTwoUlpsOfMathExpAndAgreesBitForBit() {
        int n = 200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87f + (88.7f + 87f) * i / (n - 1);
        float[] v = x.clone(), s = x.clone();
        chosen.exp(v, 0, n, 0f);
        scalar.exp(s, 0, n, 0f);
        assertArrayEquals(s, v, chosen.name() + " vs scalar bits");
        for (int i = 0; i < n; i++) {
            double ref = Math.exp(x[i]);
            assertEquals(ref, v[i], 2 * Math.ulp((float) ref), "exp(" + x[i] + ")");
        }
        float[] special = {Float.NEGATIVE_INFINITY, -1000f, -87.5f, 0f, Float.NaN, 89f, Float.POSITIVE_INFINITY, 1f, -0.5f, 3f};
        float[] out = special.clone();
        chosen.exp(out, 1, 8, 0.5f); // offset and shift; a tail shorter than a vector on most machines
        assertEquals(Float.NEGATIVE_INFINITY, out[0], "untouched before the offset");
        assertEquals(0f, out[1]);
        assertEquals(0f, out[2]);
        assertEquals((float) Math.exp(-0.5), out[3], Math.ulp(0.6f));
        assertTrue(Float.isNaN(out[4]));
        assertEquals((float) Math.exp(88.5), out[5], 2 * Math.ulp((float) Math.exp(88.5)));
        assertEquals(Float.POSITIVE_INFINITY, out[6]);
        assertEquals((float) Math.exp(0.5), out[7], Math.ulp(1.6f));
        assertEquals(3f, out[9], "untouched after the end");
        float[] lanes = new float[64]; // the special values again, now in whole vectors as well as in the tail
        for (int i = 0; i < lanes.length; i++) {
            float[] edge = {-0f, 0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, ScalarRowOps.EXP_LO, ScalarRowOps.EXP_HI, -87.5f, 88.9f};
            lanes[i] = edge[i % edge.length];
        }
        float[] lv = lanes.clone(), ls = lanes.clone();
        chosen.exp(lv, 0, lanes.length, 0f);
        scalar.exp(ls, 0, lanes.length, 0f);
        assertArrayEquals(ls, lv, chosen.name() + " vs scalar bits at special values");
        assertEquals(1f, ScalarRowOps.exp(0f));
        assertEquals(Float.POSITIVE_INFINITY, ScalarRowOps.exp(88.8f));
    }

    @Test
    void doubleExpIsWithinTwoUlpsOfMathExpAndAgreesBitForBit() {
        int n = 300_001;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = -708.0 * i / (n - 1); // [0, -708]: every exponent the recipe uses
        double[] v = x.clone(), s = x.clone();
        chosen.expNonPositive(v, 0, n);
        scalar.expNonPositive(s, 0, n);
        assertArrayEquals(s, v, chosen.name() + " vs scalar bits");
        for (int i = 0; i < n; i++) {
            double ref = Math.exp(x[i]);
            assertEquals(ref, v[i], 2 * Math.ulp(ref), "exp(" + x[i] + ")");
        }
        double[] special = {7, Double.NEGATIVE_INFINITY, -708.5, -1e-300, -0.0, Double.NaN, 0.0, 2.5, -1.0, 9};
        double[] out = special.clone();
        chosen.expNonPositive(out, 1, 8); // a tail shorter than a vector on most machines
        assertEquals(7.0, out[0], "untouched before the offset");
        assertEquals(0.0, out[1]);
        assertEquals(0.0, out[2], "flushed below -708");
        assertEquals(1.0, out[3]);
        assertEquals(1.0, out[4]);
        assertTrue(Double.isNaN(out[5]));
        assertEquals(1.0, out[6]);
        assertEquals(1.0, out[7], "positive arguments are taken as 0");
        assertEquals(Math.exp(-1.0), out[8], Math.ulp(0.4));
        assertEquals(9.0, out[9], "untouched after the end");
        double[] lanes = new double[64]; // the special values again, now in whole vectors as well as in the tail
        for (int i = 0; i < lanes.length; i++) {
            double[] edge = {-0.0, 0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, ScalarRowOps.EXP_DOUBLE_FLUSH, -708.5, 3.0, -1e-300};
            lanes[i] = edge[i % edge.length];
        }
        double[] lv = lanes.clone(), ls = lanes.clone();
        chosen.expNonPositive(lv, 0, lanes.length);
        scalar.expNonPositive(ls, 0, lanes.length);
        assertArrayEquals(ls, lv, chosen.name() + " vs scalar bits at special values");
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }
}
