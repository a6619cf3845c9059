package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertBitIdentical;
import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.kernels.DenseOperand;
import dev.kiln.cpu.kernels.MicroKernel;
import dev.kiln.cpu.kernels.MicroKernels;
import dev.kiln.cpu.kernels.PackedGemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The packed GEMM driver with every micro-kernel (scalar and each vector tile shape) against a
 * float64 triple loop: sizes on and just past the register tile and the cache blocks (KC = 256,
 * MC = 192, NC = 1024), a leading dimension wider than n, per-row start values (fused bias), and
 * accumulation; plus bit-identical results on 1, 2 and 3 threads for both ways the work is split.
 */
class PackedGemmTest {
    /** m, n, k: single tile; partial tiles; k across the depth block; m across MC; n across NC. */
    private static final int[][] SIZES = {{1, 1, 1}, {8, 32, 5}, {13, 47, 257}, {193, 70, 33}, {20, 1030, 19}, {3, 2, 600}};

    /** C (rows ldc apart, with cols beyond n left untouched) = init/C + A B, in double. */
    private static double[] reference(int m, int n, int k, float[] a, float[] b, float[] c0, int ldc, float[] rowInit, boolean accumulate) {
        double[] c = new double[m * ldc];
        for (int i = 0; i < m * ldc; i++) c[i] = c0[i];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = accumulate ? c0[i * ldc + j] : rowInit == null ? 0 : rowInit[i];
                for (int p = 0; p < k; p++) acc += (double) a[i * k + p] * b[p * n + j];
                c[i * ldc + j] = acc;
            }
        }
        return c;
    }

    private static float[] run(MicroKernel kernel, int threads, int m, int n, int k, float[] a, float[] b, float[] c0, int ldc,
                               float[] rowInit, boolean accumulate) {
        try (Arena arena = Arena.ofShared(); CpuThreadPool pool = new CpuThreadPool(threads)) {
            MemorySegment as = arena.allocateFrom(JAVA_FLOAT, a), bs = arena.allocateFrom(JAVA_FLOAT, b), cs = arena.allocateFrom(JAVA_FLOAT, c0);
            PackedGemm.gemm(pool, kernel, m, n, k, DenseOperand.a(as, 0, m, k, false), DenseOperand.b(bs, 0, n, k, false),
                    cs, 0, ldc, accumulate, rowInit);
            return cs.toArray(JAVA_FLOAT);
        }
    }

    @Test
    void everyKernelMatchesFloat64AcrossBlockEdges() {
        for (MicroKernel kernel : MicroKernels.all()) {
            for (int[] size : SIZES) {
                int m = size[0], n = size[1], k = size[2], ldc = n + 3;
                float[] a = random(1, m * k), b = random(2, k * n), c0 = random(3, m * ldc), init = random(4, m);
                String what = kernel.name() + " " + m + "x" + n + "x" + k;
                double tol = Math.max(1, k / 16.0);
                assertClose(what, reference(m, n, k, a, b, c0, ldc, null, false), run(kernel, 1, m, n, k, a, b, c0, ldc, null, false), tol);
                assertClose(what + " with row init", reference(m, n, k, a, b, c0, ldc, init, false),
                        run(kernel, 1, m, n, k, a, b, c0, ldc, init, false), tol);
                assertClose(what + " accumulate", reference(m, n, k, a, b, c0, ldc, init, true),
                        run(kernel, 1, m, n, k, a, b, c0, ldc, init, true), tol);
            }
        }
    }

    @Test
    void sameBitsOnAnyThreadCount() {
        MicroKernel kernel = MicroKernels.get();
        // Wide: split by columns. Tall and narrow: split by rows.
        for (int[] size : new int[][] {{70, 700, 300}, {500, 20, 300}}) {
            int m = size[0], n = size[1], k = size[2];
            float[] a = random(5, m * k), b = random(6, k * n), c0 = new float[m * n], init = random(7, m);
            float[] one = run(kernel, 1, m, n, k, a, b, c0, n, init, false);
            for (int threads : new int[] {2, 3}) {
                assertBitIdentical("gemm " + m + "x" + n + "x" + k + " on " + threads + " threads vs 1", one,
                        run(kernel, threads, m, n, k, a, b, c0, n, init, false));
            }
        }
    }
}
