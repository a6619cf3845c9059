package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.cpu.kernels.MicroKernel;
import dev.kiln.cpu.kernels.MicroKernels;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Batched GEMM against a float64 triple loop, over every transpose and batching combination. */
class GemmTest {
    private final KernelHarness h = new KernelHarness();

    @AfterEach
    void close() {
        h.close();
    }

    /** Reference: out[b] (+)= op(a[b]) @ op(b[b]) in double. */
    private static double[] reference(MatmulSpec s, float[] a, float[] b, float[] out0) {
        int m = s.m(), n = s.n(), k = s.k();
        double[] out = new double[s.batch() * m * n];
        for (int bi = 0; bi < s.batch(); bi++) {
            int ao = s.aBatched() ? bi * m * k : 0, bo = s.bBatched() ? bi * k * n : 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = s.accumulate() ? out0[bi * m * n + i * n + j] : 0;
                    for (int p = 0; p < k; p++) {
                        double av = s.transA() ? a[ao + p * m + i] : a[ao + i * k + p];
                        double bv = s.transB() ? b[bo + j * k + p] : b[bo + p * n + j];
                        acc += av * bv;
                    }
                    out[bi * m * n + i * n + j] = acc;
                }
            }
        }
        return out;
    }

    private void check(MatmulSpec s) {
        float[] a = random(1, (s.aBatched() ? s.batch() : 1) * s.m() * s.k());
        float[] b = random(2, (s.bBatched() ? s.batch() : 1) * s.k() * s.n());
        float[] c0 = random(3, s.batch() * s.m() * s.n());
        Storage out = s.accumulate() ? h.store(c0) : h.empty((long) s.batch() * s.m() * s.n());
        h.cpu.matmul(s, h.store(a), h.store(b), out);
        assertClose("matmul " + s, reference(s, a, b, c0), read(out), Math.max(1, s.k() / 16.0));
    }

    @Test
    void everyTransposeComboOddSizesAcrossBlocks() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                check(MatmulSpec.of(67, 261, 300, ta, tb));
                check(MatmulSpec.of(1, 1, 1, ta, tb));
                check(MatmulSpec.of(5, 3, 7, ta, tb));
            }
        }
    }

    @Test
    void batchedSharedOperandsAndAccumulate() {
        for (boolean ab : new boolean[] {false, true}) {
            for (boolean bb : new boolean[] {false, true}) {
                check(new MatmulSpec(3, 9, 13, 17, false, true, ab, bb, false));
                check(new MatmulSpec(4, 33, 5, 70, true, false, ab, bb, true));
            }
        }
    }

    @Test
    void vectorMicroKernelMatchesScalarBitForBit() {
        MicroKernel vector = MicroKernels.vector().orElse(null);
        Assumptions.assumeTrue(vector != null, "jdk.incubator.vector not in the boot layer");
        // Odd sizes hit the 4x2-vector block, the single-vector and the scalar tails in both dimensions.
        for (int[] size : new int[][] {{7, 33, 53}, {4, 1, 32}, {1, 5, 3}, {9, 256, 100}}) {
            int rows = size[0], depth = size[1], cols = size[2];
            float[] a = random(11, rows * depth), b = random(12, depth * cols), acc0 = random(13, rows * cols);
            float[] s = acc0.clone(), v = acc0.clone();
            MicroKernels.scalar().multiplyAdd(a, b, s, rows, depth, cols);
            vector.multiplyAdd(a, b, v, rows, depth, cols);
            KernelHarness.assertBitIdentical(vector.name() + " vs scalar " + java.util.Arrays.toString(size), s, v);
        }
    }

    @Test
    void zeroDepthWritesZerosOrKeepsAccumulator() {
        check(MatmulSpec.of(4, 6, 0, false, false));
        check(new MatmulSpec(2, 4, 6, 0, false, false, true, true, true));
    }
}
