package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.kernels.DenseOperand;
import dev.kiln.cpu.kernels.MicroKernel;
import dev.kiln.cpu.kernels.MicroKernels;
import dev.kiln.cpu.kernels.PackedGemm;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Storage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
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
    void everyMicroKernelMatchesScalarBitForBit() {
        List<MicroKernel> kernels = MicroKernels.all();
        Assumptions.assumeTrue(kernels.size() > 1, "jdk.incubator.vector not in the boot layer");
        // Odd sizes leave partial tiles in both dimensions; 300 > KC splits the depth; 3 hits a 1-tile GEMM.
        for (int[] size : new int[][] {{67, 261, 300}, {13, 33, 3}, {1, 5, 1}, {25, 97, 513}}) {
            int m = size[0], n = size[1], k = size[2];
            float[] a = random(11, m * k), b = random(12, k * n);
            float[] expected = null;
            for (MicroKernel kernel : kernels) {
                float[] got = run(kernel, m, n, k, a, b);
                if (expected == null) expected = got;
                else KernelHarness.assertBitIdentical(kernel.name() + " vs " + kernels.get(0).name() + " " + java.util.Arrays.toString(size), expected, got);
            }
        }
    }

    /** C = A B through the packed driver with one kernel, on one thread. */
    private static float[] run(MicroKernel kernel, int m, int n, int k, float[] a, float[] b) {
        try (Arena arena = Arena.ofConfined(); CpuThreadPool pool = new CpuThreadPool(1)) {
            MemorySegment as = arena.allocateFrom(JAVA_FLOAT, a), bs = arena.allocateFrom(JAVA_FLOAT, b);
            MemorySegment c = arena.allocate(JAVA_FLOAT, (long) m * n);
            PackedGemm.gemm(pool, kernel, m, n, k, DenseOperand.a(as, 0, m, k, false), DenseOperand.b(bs, 0, n, k, false), c, 0, n, false, null);
            return c.toArray(JAVA_FLOAT);
        }
    }

    @Test
    void zeroDepthWritesZerosOrKeepsAccumulator() {
        check(MatmulSpec.of(4, 6, 0, false, false));
        check(new MatmulSpec(2, 4, 6, 0, false, false, true, true, true));
    }
}
