package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertBitIdentical;
import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cpu.kernels.DenseOperand;
import dev.kiln.cpu.kernels.FewRowGemm;
import dev.kiln.cpu.kernels.MicroKernel;
import dev.kiln.cpu.kernels.MicroKernels;
import dev.kiln.cpu.kernels.PackedGemm;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Storage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The unpacked few-row GEMM against the packed path, bit for bit, with every micro-kernel, every
 * transpose combination, accumulation on and off, and 1 to 3 threads; and against a float64 triple
 * loop. Shapes cover m from 1 to 8 (the path is correct for any m, though used only for few), n and
 * k off the vector width and the 8-column block, and k across the packed path's depth block (256).
 */
class FewRowGemmTest {
    /** n, k pairs: single element; partial 8-column blocks; k just past KC; k over two depth blocks; exact blocks. */
    private static final int[][] NK = {{1, 1}, {7, 3}, {9, 257}, {33, 600}, {130, 256}, {17, 8}, {64, 31}};

    /** Reference: C (+)= op(A) op(B) in double. */
    private static double[] reference(int m, int n, int k, boolean ta, boolean tb, float[] a, float[] b, float[] c0, boolean acc) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = acc ? c0[i * n + j] : 0;
                for (int p = 0; p < k; p++) s += (double) (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                out[i * n + j] = s;
            }
        }
        return out;
    }

    /** C through the packed driver with {@code kernel}. */
    private static float[] packed(MicroKernel kernel, int threads, int m, int n, int k, boolean ta, boolean tb, float[] a, float[] b,
                                  float[] c0, boolean acc) {
        try (Arena arena = Arena.ofShared(); CpuThreadPool pool = new CpuThreadPool(threads)) {
            MemorySegment as = arena.allocateFrom(JAVA_FLOAT, a), bs = arena.allocateFrom(JAVA_FLOAT, b), cs = arena.allocateFrom(JAVA_FLOAT, c0);
            PackedGemm.gemm(pool, kernel, m, n, k, DenseOperand.a(as, 0, m, k, ta), DenseOperand.b(bs, 0, n, k, tb), cs, 0, n, acc, null);
            return cs.toArray(JAVA_FLOAT);
        }
    }

    /** C through the few-row path, the operands at odd offsets inside larger segments. */
    private static float[] fewRow(int threads, int m, int n, int k, boolean ta, boolean tb, float[] a, float[] b, float[] c0, boolean acc) {
        try (Arena arena = Arena.ofShared(); CpuThreadPool pool = new CpuThreadPool(threads)) {
            MemorySegment as = arena.allocateFrom(JAVA_FLOAT, shifted(a, 3)), bs = arena.allocateFrom(JAVA_FLOAT, shifted(b, 5));
            MemorySegment cs = arena.allocateFrom(JAVA_FLOAT, shifted(c0, 1));
            FewRowGemm.gemm(pool, m, n, k, ta, tb, as, 3, bs, 5, cs, 1, acc);
            return Arrays.copyOfRange(cs.toArray(JAVA_FLOAT), 1, 1 + m * n);
        }
    }

    /** v after {@code by} filler elements (NaN, so a stray read shows). */
    private static float[] shifted(float[] v, int by) {
        float[] s = new float[v.length + by + 2];
        Arrays.fill(s, Float.NaN);
        System.arraycopy(v, 0, s, by, v.length);
        return s;
    }

    @Test
    void bitIdenticalToPackedWithEveryKernelTransposeAccumulateAndThreadCount() {
        long seed = 1;
        for (int m = 1; m <= 8; m++) {
            for (int[] nk : NK) {
                int n = nk[0], k = nk[1];
                for (int combo = 0; combo < 8; combo++) {
                    boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0, acc = (combo & 4) != 0;
                    float[] a = random(seed++, m * k), b = random(seed++, k * n), c0 = random(seed++, m * n);
                    String what = "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " accumulate=" + acc;
                    float[] got = fewRow(1, m, n, k, ta, tb, a, b, c0, acc);
                    assertClose(what, reference(m, n, k, ta, tb, a, b, c0, acc), got, Math.max(1, k / 16.0));
                    for (MicroKernel kernel : MicroKernels.all()) {
                        assertBitIdentical(what + " vs packed " + kernel.name(), packed(kernel, 1, m, n, k, ta, tb, a, b, c0, acc), got);
                    }
                    for (int threads = 2; threads <= 3; threads++) {
                        assertBitIdentical(what + " on " + threads + " threads", got, fewRow(threads, m, n, k, ta, tb, a, b, c0, acc));
                    }
                }
            }
        }
    }

    @Test
    void largeProductsSplitColumnsBetweenThreadsWithoutChangingABit() {
        // Over PackedGemm.PARALLEL_MIN_FMAS, so 2 and 3 threads really split the columns (n not a multiple of 8 * threads).
        for (int[] mnk : new int[][] {{1, 601, 300}, {2, 257, 300}, {1, 2048, 128}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            for (boolean tb : new boolean[] {true, false}) {
                float[] a = random(7, m * k), b = random(8, k * n), c0 = random(9, m * n);
                float[] expected = packed(MicroKernels.scalar(), 1, m, n, k, false, tb, a, b, c0, false);
                for (int threads = 1; threads <= 3; threads++) {
                    assertBitIdentical(Arrays.toString(mnk) + " transB=" + tb + " on " + threads + " threads", expected,
                            fewRow(threads, m, n, k, false, tb, a, b, c0, false));
                }
            }
        }
    }

    @Test
    void startsFromPositiveZeroAsThePackedPath() {
        // Every product is -0: the chain from +0 gives +0 (as the packed kernels' zero tile); one started
        // from the first product, or from -0, would give -0.
        int m = 1, n = 9, k = 5;
        float[] a = new float[m * k], b = new float[k * n];
        Arrays.fill(a, -0f);
        Arrays.fill(b, 1f);
        float[] got = fewRow(1, m, n, k, false, true, a, b, new float[m * n], false);
        assertBitIdentical("all -0 products", packed(MicroKernels.scalar(), 1, m, n, k, false, true, a, b, new float[m * n], false), got);
        for (float v : got) assertTrue(Float.floatToRawIntBits(v) == 0, "expected +0, got " + v);
    }

    @Test
    void theBitwiseComparisonCatchesAnotherSummationOrder() {
        // The same sums in another order (decreasing p), or unfused (a*b rounded, then added), differ from
        // the packed path in some bits: so the bitwise checks above would catch a kernel that reordered.
        int m = 1, n = 64, k = 300;
        float[] a = random(21, m * k), b = random(22, n * k);
        float[] expected = packed(MicroKernels.scalar(), 1, m, n, k, false, true, a, b, new float[m * n], false);
        float[] reversed = new float[n], unfused = new float[n], forward = new float[n];
        for (int j = 0; j < n; j++) {
            float r = 0f, u = 0f, f = 0f;
            for (int p = 0; p < k; p++) {
                f = Math.fma(a[p], b[j * k + p], f);
                r = Math.fma(a[k - 1 - p], b[j * k + k - 1 - p], r);
                u = u + a[p] * b[j * k + p];
            }
            forward[j] = f;
            reversed[j] = r;
            unfused[j] = u;
        }
        assertBitIdentical("the contract's chain written out", expected, forward);
        assertFalse(Arrays.equals(expected, reversed), "reversed order gave the same bits");
        assertFalse(Arrays.equals(expected, unfused), "unfused multiply-add gave the same bits");
    }

    @Test
    void matmulRoutesOneRowProductsThroughTheSameBits() {
        // Through the backend (Gemm picks the few-row path for one row of a transposed B), batched
        // too, where each entry runs inside the pool's parallel region.
        try (KernelHarness h = new KernelHarness()) {
            for (MatmulSpec s : new MatmulSpec[] {MatmulSpec.of(1, 2048, 128, false, true), MatmulSpec.of(1, 37, 19, false, true),
                    new MatmulSpec(3, 1, 40, 70, false, true, true, false, false), new MatmulSpec(2, 2, 33, 9, true, false, true, true, true)}) {
                int m = s.m(), n = s.n(), k = s.k();
                float[] a = random(31, s.batch() * m * k), b = random(32, s.batch() * k * n), c0 = random(33, s.batch() * m * n);
                Storage out = s.accumulate() ? h.store(c0) : h.empty((long) s.batch() * m * n);
                h.cpu.matmul(s, h.store(a), h.store(b), out);
                float[] got = read(out);
                for (int bi = 0; bi < s.batch(); bi++) {
                    float[] ab = s.aBatched() ? Arrays.copyOfRange(a, bi * m * k, (bi + 1) * m * k) : Arrays.copyOf(a, m * k);
                    float[] bb = s.bBatched() ? Arrays.copyOfRange(b, bi * k * n, (bi + 1) * k * n) : Arrays.copyOf(b, k * n);
                    float[] cb = Arrays.copyOfRange(c0, bi * m * n, (bi + 1) * m * n);
                    assertBitIdentical(s + " entry " + bi, packed(MicroKernels.get(), 1, m, n, k, s.transA(), s.transB(), ab, bb, cb, s.accumulate()),
                            Arrays.copyOfRange(got, bi * m * n, (bi + 1) * m * n));
                }
            }
        }
    }
}
