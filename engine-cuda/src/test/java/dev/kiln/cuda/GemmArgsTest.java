package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.cuda.ffi.Blas;
import dev.kiln.spi.MatmulSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The row-major to column-major mapping, checked by running cuBLAS's documented semantics on the host. */
class GemmArgsTest {
    /** float32 sums of at most 7 products of values in [-1, 1] against a float64 reference. */
    private static final double ATOL = 1e-5;
    private static final long A = 1, B = 2;

    @Test
    void everyTransposeAndBatchLayoutMatchesTheRowMajorDefinition() {
        Random rnd = new Random(7);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int[] batching : new int[][] {{1, 0, 0}, {3, 1, 1}, {3, 1, 0}, {3, 0, 1}}) {
                    int batch = batching[0], m = 4, n = 5, k = 7;
                    boolean aBatched = batching[1] == 1, bBatched = batching[2] == 1;
                    MatmulSpec spec = new MatmulSpec(batch, m, n, k, ta, tb, aBatched, bBatched, true);
                    float[] a = random(rnd, (aBatched ? batch : 1) * m * k), b = random(rnd, (bBatched ? batch : 1) * k * n);
                    float[] c = random(rnd, batch * m * n), expected = c.clone();
                    reference(spec, a, b, expected);
                    GemmArgs g = GemmArgs.rowMajor(spec, A, B);
                    columnMajorGemm(g, g.first() == A ? a : b, g.second() == A ? a : b, c);
                    for (int i = 0; i < c.length; i++) {
                        assertEquals(expected[i], c[i], ATOL, "transA=" + ta + " transB=" + tb + " batching " + java.util.Arrays.toString(batching) + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void kilnBIsCublasFirstOperandAndSizesSwap() {
        GemmArgs g = GemmArgs.rowMajor(MatmulSpec.of(2, 3, 4, false, false), A, B);
        assertEquals(B, g.first());
        assertEquals(A, g.second());
        assertEquals(3, g.m());
        assertEquals(2, g.n());
        assertEquals(3, g.lda());
        assertEquals(4, g.ldb());
        assertEquals(3, g.ldc());
        GemmArgs t = GemmArgs.rowMajor(MatmulSpec.of(2, 3, 4, true, true), A, B);
        assertEquals(Blas.OP_T, t.opA());
        assertEquals(Blas.OP_T, t.opB());
        assertEquals(4, t.lda());
        assertEquals(2, t.ldb());
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    /** out += op(a) @ op(b), row-major, in float64. */
    private static void reference(MatmulSpec s, float[] a, float[] b, float[] out) {
        int m = s.m(), n = s.n(), k = s.k();
        for (int bt = 0; bt < s.batch(); bt++) {
            int ao = s.aBatched() ? bt * m * k : 0, bo = s.bBatched() ? bt * k * n : 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = out[bt * m * n + i * n + j];
                    for (int p = 0; p < k; p++) {
                        double av = s.transA() ? a[ao + p * m + i] : a[ao + i * k + p];
                        double bv = s.transB() ? b[bo + j * k + p] : b[bo + p * n + j];
                        sum += av * bv;
                    }
                    out[bt * m * n + i * n + j] = (float) sum;
                }
            }
        }
    }

    /** cuBLAS strided-batched SGEMM semantics (column-major), alpha = beta = 1. */
    private static void columnMajorGemm(GemmArgs g, float[] first, float[] second, float[] c) {
        for (int bt = 0; bt < g.batch(); bt++) {
            long fa = bt * g.strideA(), sb = bt * g.strideB(), cc = bt * g.strideC();
            for (int i = 0; i < g.m(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    double sum = c[(int) (cc + i + (long) j * g.ldc())];
                    for (int p = 0; p < g.k(); p++) {
                        double x = g.opA() == Blas.OP_N ? first[(int) (fa + i + (long) p * g.lda())] : first[(int) (fa + p + (long) i * g.lda())];
                        double y = g.opB() == Blas.OP_N ? second[(int) (sb + p + (long) j * g.ldb())] : second[(int) (sb + j + (long) p * g.ldb())];
                        sum += x * y;
                    }
                    c[(int) (cc + i + (long) j * g.ldc())] = (float) sum;
                }
            }
        }
    }
}
