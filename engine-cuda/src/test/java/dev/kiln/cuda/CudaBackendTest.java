package dev.kiln.cuda;

import static dev.kiln.cuda.HostReference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cuda.ffi.NativeLibraries;
import dev.kiln.kernels.Fatbin;
import dev.kiln.spi.BatchNormSpec;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.SoftmaxSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cuBLAS/cuDNN-backed SPI methods against float64 host references, on a real GPU; skipped
 * with the probe's reason elsewhere. Every test checks device bytes in use are unchanged.
 */
@Tag("cuda")
class CudaBackendTest {
    /** FP32 GEMM/conv on the GPU vs float64: sums of up to a few hundred products of O(1) values. */
    private static final double RTOL = 1e-4, ATOL = 1e-5;
    /** Softmax and batch norm involve exp/sqrt/division (a few ulps each) on values of O(1). */
    private static final double RTOL_TRANSCENDENTAL = 1e-4, ATOL_TRANSCENDENTAL = 1e-5;
    /** TF32 keeps 10 mantissa bits: relative error ~5e-4 per product, growing with sqrt(k). */
    private static final double RTOL_TF32 = 1e-2, ATOL_TF32 = 1e-2;
    /**
     * FP32 bound for the k = 256 GEMM of the TF32 test (|result| up to ~20): FP32 accumulation errs
     * by ~1e-5 there, TF32 by ~1e-3 (it rounds inputs to 10 mantissa bits), so this separates them.
     */
    private static final double FP32_GEMM_K256_MAX_ERROR = 2e-4;

    @RegisterExtension
    static final CudaUnderTest GPU = new CudaUnderTest();

    private CudaBackend b;
    private final Random rnd = new Random(42);
    private long bytesBefore;

    @BeforeEach
    void recordBytesInUse() {
        b = GPU.require();
        bytesBefore = b.bytesInUse();
    }

    @AfterEach
    void noLeaks() {
        if (b != null) {
            b.synchronize();
            assertEquals(bytesBefore, b.bytesInUse(), "device bytes in use changed: a storage was not closed");
        }
    }

    private float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    private Storage up(float[] v) {
        return SelfCheck.upload(b, v);
    }

    private float[] down(Storage s) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(Math.max(4, s.byteSize()));
            b.copyToHost(s, host);
            return host.asSlice(0, s.byteSize()).toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Test
    void matmulWithTransposesBatchesAndAccumulate() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int[] bt : new int[][] {{1, 0, 0, 0}, {3, 1, 1, 0}, {3, 1, 0, 1}, {2, 0, 1, 1}}) {
                    MatmulSpec spec = new MatmulSpec(bt[0], 17, 9, 33, ta, tb, bt[1] == 1, bt[2] == 1, bt[3] == 1);
                    int m = spec.m(), n = spec.n(), k = spec.k();
                    float[] a = random((spec.aBatched() ? spec.batch() : 1) * m * k);
                    float[] bm = random((spec.bBatched() ? spec.batch() : 1) * k * n);
                    float[] c = random(spec.batch() * m * n);
                    double[] expected = new double[c.length];
                    for (int q = 0; q < spec.batch(); q++) {
                        int ao = spec.aBatched() ? q * m * k : 0, bo = spec.bBatched() ? q * k * n : 0;
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = spec.accumulate() ? c[q * m * n + i * n + j] : 0;
                                for (int p = 0; p < k; p++) {
                                    s += (double) (ta ? a[ao + p * m + i] : a[ao + i * k + p]) * (tb ? bm[bo + j * k + p] : bm[bo + p * n + j]);
                                }
                                expected[q * m * n + i * n + j] = s;
                            }
                        }
                    }
                    try (Storage sa = up(a); Storage sb = up(bm); Storage sc = up(c)) {
                        b.matmul(spec, sa, sb, sc);
                        assertClose("matmul " + spec, expected, down(sc), RTOL, ATOL);
                    }
                }
            }
        }
    }

    private static final List<Conv2dSpec> CONVS = List.of(
            new Conv2dSpec(2, 4, 7, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1),
            new Conv2dSpec(1, 4, 9, 8, 4, 3, 2, 2, 1, 1, 0, 2, 1, 2),
            new Conv2dSpec(2, 6, 5, 5, 6, 1, 1, 1, 1, 0, 0, 1, 1, 3),
            new Conv2dSpec(1, 3, 6, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 3),
            new Conv2dSpec(3, 2, 4, 5, 3, 2, 3, 1, 2, 0, 1, 1, 1, 1));

    @Test
    void conv2dForwardAndAllBackwardsMatchTheReference() {
        for (Conv2dSpec s : CONVS) {
            float[] x = random(s.n() * s.c() * s.h() * s.w()), w = random(s.outC() * s.cPerGroup() * s.kh() * s.kw());
            float[] bias = random(s.outC()), gy = random(s.n() * s.outC() * s.outH() * s.outW());
            double[][] grads = HostReference.conv2dBackward(s, x, w, gy);
            try (Storage sx = up(x); Storage sw = up(w); Storage sb = up(bias); Storage sgy = up(gy);
                 Storage y = b.allocate(DType.FLOAT32, gy.length); Storage gx = b.allocate(DType.FLOAT32, x.length);
                 Storage gw = b.allocate(DType.FLOAT32, w.length); Storage gb = b.allocate(DType.FLOAT32, s.outC())) {
                b.conv2d(s, sx, sw, sb, y);
                assertClose("conv2d " + s, HostReference.conv2d(s, x, w, bias), down(y), RTOL, ATOL);
                b.conv2d(s, sx, sw, null, y);
                assertClose("conv2d without bias " + s, HostReference.conv2d(s, x, w, null), down(y), RTOL, ATOL);
                b.conv2dBackwardData(s, sgy, sw, gx);
                assertClose("conv2d backward data " + s, grads[0], down(gx), RTOL, ATOL);
                b.conv2dBackwardWeight(s, sx, sgy, gw);
                assertClose("conv2d backward weight " + s, grads[1], down(gw), RTOL, ATOL);
                b.conv2dBackwardBias(s, sgy, gb);
                assertClose("conv2d backward bias " + s, grads[2], down(gb), RTOL, ATOL);
            }
        }
    }

    @Test
    void conv2dIsDeterministic() {
        Conv2dSpec s = CONVS.getFirst();
        float[] x = random(s.n() * s.c() * s.h() * s.w()), gy = random(s.n() * s.outC() * s.outH() * s.outW());
        try (Storage sx = up(x); Storage sgy = up(gy); Storage g1 = b.allocate(DType.FLOAT32, s.outC() * s.cPerGroup() * 9);
             Storage g2 = b.allocate(DType.FLOAT32, g1.numel())) {
            b.conv2dBackwardWeight(s, sx, sgy, g1);
            b.conv2dBackwardWeight(s, sx, sgy, g2);
            assertTrue(java.util.Arrays.equals(down(g1), down(g2)), "backward weight differs between identical calls");
        }
    }

    @Test
    void poolingForwardViaCudnnAndFallbackKernels() {
        List<Pool2dSpec> specs = List.of(
                new Pool2dSpec(2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, false, true),
                new Pool2dSpec(1, 2, 7, 9, 3, 3, 2, 2, 1, 1, 1, 1, false, true),
                new Pool2dSpec(1, 2, 7, 9, 3, 3, 2, 2, 1, 1, 1, 1, false, false),
                new Pool2dSpec(1, 2, 7, 7, 2, 2, 2, 2, 0, 0, 1, 1, true, true),  // ceil overhang: kernel path
                new Pool2dSpec(1, 2, 9, 9, 3, 3, 1, 1, 1, 1, 2, 2, false, true)); // dilated max: kernel path
        for (Pool2dSpec s : specs) {
            float[] x = random(s.n() * s.c() * s.h() * s.w());
            try (Storage sx = up(x); Storage y = b.allocate(DType.FLOAT32, (long) s.n() * s.c() * s.outH() * s.outW())) {
                b.maxPool2d(s, sx, y);
                assertClose("maxPool2d " + s, HostReference.pool(s, x, true), down(y), 0, 0);
                if (s.dilationH() == 1) {
                    b.avgPool2d(s, sx, y);
                    assertClose("avgPool2d " + s, HostReference.pool(s, x, false), down(y), RTOL, ATOL);
                }
            }
        }
    }

    @Test
    void softmaxAndLogSoftmaxForwardAndBackward() {
        for (SoftmaxSpec s : List.of(new SoftmaxSpec(5, 10, 1, false), new SoftmaxSpec(5, 10, 1, true),
                new SoftmaxSpec(2, 4, 6, false), new SoftmaxSpec(2, 4, 6, true))) {
            float[] x = random((int) s.numel()), gy = random((int) s.numel());
            double[] y = new double[x.length], gx = new double[x.length];
            for (int o = 0; o < s.outer(); o++) {
                for (int in = 0; in < s.inner(); in++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0, dot = 0, gsum = 0;
                    for (int d = 0; d < s.dim(); d++) max = Math.max(max, x[(o * s.dim() + d) * s.inner() + in]);
                    for (int d = 0; d < s.dim(); d++) sum += Math.exp(x[(o * s.dim() + d) * s.inner() + in] - max);
                    for (int d = 0; d < s.dim(); d++) {
                        int i = (o * s.dim() + d) * s.inner() + in;
                        double p = Math.exp(x[i] - max) / sum;
                        y[i] = s.log() ? Math.log(p) : p;
                        dot += gy[i] * p;
                        gsum += gy[i];
                    }
                    for (int d = 0; d < s.dim(); d++) {
                        int i = (o * s.dim() + d) * s.inner() + in;
                        double p = Math.exp(x[i] - max) / sum;
                        gx[i] = s.log() ? gy[i] - p * gsum : p * (gy[i] - dot);
                    }
                }
            }
            try (Storage sx = up(x); Storage sgy = up(gy); Storage sy = b.allocate(DType.FLOAT32, x.length);
                 Storage sgx = b.allocate(DType.FLOAT32, x.length)) {
                b.softmax(s, sx, sy);
                assertClose("softmax " + s, y, down(sy), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
                b.softmaxBackward(s, sy, sgy, sgx);
                assertClose("softmax backward " + s, gx, down(sgx), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            }
        }
    }

    @Test
    void batchNormTrainEvalAndBackward() {
        BatchNormSpec s = new BatchNormSpec(4, 3, 10, 1e-5f, 0.1f);
        int n = s.n(), c = s.c(), sp = s.spatial(), m = n * sp;
        float[] x = random((int) s.numel()), gamma = random(c), beta = random(c), gy = random(x.length);
        float[] rm = random(c), rv = new float[c];
        for (int i = 0; i < c; i++) rv[i] = 0.5f + i;
        double[] y = new double[x.length], mean = new double[c], inv = new double[c], newRm = new double[c], newRv = new double[c];
        double[] gx = new double[x.length], gg = new double[c], gbeta = new double[c], yEval = new double[x.length];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < sp; j++) sum += x[(i * c + ch) * sp + j];
            mean[ch] = sum / m;
            for (int i = 0; i < n; i++) for (int j = 0; j < sp; j++) sq += Math.pow(x[(i * c + ch) * sp + j] - mean[ch], 2);
            double var = sq / m;
            inv[ch] = 1 / Math.sqrt(var + s.eps());
            newRm[ch] = 0.9 * rm[ch] + 0.1 * mean[ch];
            newRv[ch] = 0.9 * rv[ch] + 0.1 * sq / (m - 1);
            double dxhatSum = 0, dxhatXhat = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < sp; j++) {
                    int k = (i * c + ch) * sp + j;
                    double xhat = (x[k] - mean[ch]) * inv[ch];
                    y[k] = gamma[ch] * xhat + beta[ch];
                    yEval[k] = gamma[ch] * (x[k] - rm[ch]) / Math.sqrt(rv[ch] + s.eps()) + beta[ch];
                    gg[ch] += gy[k] * xhat;
                    gbeta[ch] += gy[k];
                    dxhatSum += gy[k] * gamma[ch];
                    dxhatXhat += gy[k] * gamma[ch] * xhat;
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < sp; j++) {
                    int k = (i * c + ch) * sp + j;
                    double xhat = (x[k] - mean[ch]) * inv[ch];
                    gx[k] = inv[ch] / m * (m * gy[k] * gamma[ch] - dxhatSum - xhat * dxhatXhat);
                }
            }
        }
        try (Storage sx = up(x); Storage sg = up(gamma); Storage sb = up(beta); Storage srm = up(rm); Storage srv = up(rv);
             Storage sgy = up(gy); Storage sy = b.allocate(DType.FLOAT32, x.length); Storage smean = b.allocate(DType.FLOAT32, c);
             Storage sinv = b.allocate(DType.FLOAT32, c); Storage sgx = b.allocate(DType.FLOAT32, x.length);
             Storage sgg = b.allocate(DType.FLOAT32, c); Storage sgb = b.allocate(DType.FLOAT32, c)) {
            b.batchNormEval(s, sx, sg, sb, srm, srv, sy);
            assertClose("batchNorm eval", yEval, down(sy), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            b.batchNormTrain(s, sx, sg, sb, sy, smean, sinv, srm, srv);
            assertClose("batchNorm train y", y, down(sy), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            assertClose("batchNorm saveMean", mean, down(smean), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            assertClose("batchNorm saveInvStd", inv, down(sinv), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            assertClose("batchNorm running mean", newRm, down(srm), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            assertClose("batchNorm running var (unbiased)", newRv, down(srv), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            b.batchNormBackward(s, sx, sg, sgy, smean, sinv, sgx, sgg, sgb);
            assertClose("batchNorm backward x", gx, down(sgx), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            assertClose("batchNorm backward gamma", gg, down(sgg), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
            assertClose("batchNorm backward beta", gbeta, down(sgb), RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL);
        }
    }

    @Test
    void crossEntropyReportsABadTargetAtTheNextSync() {
        CrossEntropySpec s = new CrossEntropySpec(3, 4, 0f);
        try (Storage logits = up(random(12)); Storage targets = b.allocate(DType.INT32, 3);
             Storage losses = b.allocate(DType.FLOAT32, 3); Storage logp = b.allocate(DType.FLOAT32, 12)) {
            b.fill(targets, 7f);
            b.crossEntropy(s, logits, targets, losses, logp, null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::synchronize);
            assertTrue(e.getMessage().contains("out of range [0, 4)"), e.getMessage());
            b.fill(targets, 1f);
            b.crossEntropy(s, logits, targets, losses, logp, null);
            b.synchronize();
        }
    }

    /** A larger source would overrun the destination's device block: refused, naming both sizes. */
    @Test
    void copyRefusesStoragesOfDifferentSizes() {
        try (Storage big = b.allocate(DType.FLOAT32, 8); Storage small = b.allocate(DType.FLOAT32, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.copy(big, small));
            assertTrue(e.getMessage().contains("src has 32 bytes") && e.getMessage().contains("dst 16 bytes"), e.getMessage());
        }
    }

    @Test
    void fillAndCopyRoundTrip() {
        try (Storage f = b.allocate(DType.FLOAT32, 1000); Storage g = b.allocate(DType.FLOAT32, 1000)) {
            b.fill(f, -2.5f);
            b.copy(f, g);
            double[] expected = new double[1000];
            java.util.Arrays.fill(expected, -2.5);
            assertClose("fill + copy", expected, down(g), 0, 0);
        }
        float[] big = random((int) (PinnedStagingSize.BYTES / 4) + 1000); // larger than one staging slot
        try (Storage s = up(big)) {
            assertClose("upload/download through several staging slots", widen(big), down(s), 0, 0);
        }
    }

    @Test
    void deviceMemoryReturnsToItsStartingLevelAfter1000OpCycles() {
        b.synchronize();
        long allocatedBefore = b.memoryStats().allocatedBytes();
        Conv2dSpec conv = CONVS.get(1);
        for (int i = 0; i < 1000; i++) {
            try (Storage a = b.allocate(DType.FLOAT32, 64 * 32); Storage bb = b.allocate(DType.FLOAT32, 32 * 16);
                 Storage c = b.allocate(DType.FLOAT32, 64 * 16); Storage x = b.allocate(DType.FLOAT32, 4 * 9 * 8);
                 Storage w = b.allocate(DType.FLOAT32, (long) conv.outC() * conv.cPerGroup() * conv.kh() * conv.kw());
                 Storage y = b.allocate(DType.FLOAT32, (long) conv.outC() * conv.outH() * conv.outW())) {
                b.fill(a, 1f);
                b.fill(bb, 0.5f);
                b.fill(x, 0.25f);
                b.fill(w, 0.125f);
                b.matmul(MatmulSpec.of(64, 16, 32, false, false), a, bb, c);
                b.conv2d(conv, x, w, null, y);
            }
        }
        b.synchronize();
        assertEquals(allocatedBefore, b.memoryStats().allocatedBytes(), "allocator blocks leaked: " + b.memoryStats());
    }

    /** Largest |actual - expected|. */
    private static double maxError(double[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        return worst;
    }

    /** {@code [m x k] @ [k x n]} on {@code backend}, read back. */
    private static float[] gemm(CudaBackend backend, float[] a, float[] bm, int m, int n, int k) {
        try (Storage sa = SelfCheck.upload(backend, a); Storage sb = SelfCheck.upload(backend, bm);
             Storage c = backend.allocate(DType.FLOAT32, (long) m * n); Arena arena = Arena.ofConfined()) {
            backend.matmul(MatmulSpec.of(m, n, k, false, false), sa, sb, c);
            MemorySegment host = arena.allocate(4L * m * n);
            backend.copyToHost(c, host);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /**
     * TF32 is an explicit option with its own tolerance (cuBLAS and cuDNN), and the default is
     * full FP32: on a k = 256 GEMM of values in [-1, 1] FP32 rounding stays near 1e-5 while TF32
     * (10-bit mantissa inputs) errs by ~1e-3, so the FP32 bound below fails if TF32 were on.
     */
    @Test
    void tf32IsOptInAndStaysWithinItsTolerance() {
        CudaBackend tf32 = new CudaBackend(CudaRuntime.open(new CudaOptions(b.device().index(), true, true), NativeLibraries.get(), Fatbin.load()));
        try {
            assertTrue(tf32.description().contains("TF32"), tf32.description());
            assertTrue(b.description().contains("FP32"), b.description());
            int m = 64, n = 48, k = 256;
            float[] a = random(m * k), bm = random(k * n);
            double[] expected = new double[m * n];
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * bm[p * n + j];
                expected[i * n + j] = s;
            }
            assertClose("TF32 matmul", expected, gemm(tf32, a, bm, m, n, k), RTOL_TF32, ATOL_TF32);
            double fp32Error = maxError(expected, gemm(b, a, bm, m, n, k));
            assertTrue(fp32Error < FP32_GEMM_K256_MAX_ERROR, "default (FP32) matmul max error " + fp32Error
                    + " is TF32-sized: TF32 must be opt-in (KILN_CUDA_TF32)");

            assertConvolutionsMatch(tf32, "TF32", RTOL_TF32, ATOL_TF32);
        } finally {
            tf32.close();
        }
    }

    /** Algorithms chosen by timing ({@code cudnnFind*}, opt-in) compute the same convolutions, within FP32 tolerance. */
    @Test
    void benchmarkedAlgorithmsComputeTheSameConvolutions() {
        CudaBackend bench = new CudaBackend(CudaRuntime.open(new CudaOptions(b.device().index(), false, true, true), NativeLibraries.get(), Fatbin.load()));
        try {
            assertTrue(bench.description().contains("conv benchmark"), bench.description());
            assertConvolutionsMatch(bench, "benchmarked", RTOL, ATOL);
        } finally {
            bench.close();
        }
    }

    /** Every case of {@link #CONVS}, forward (no bias), backward data and backward weight on {@code backend}, against float64. */
    private void assertConvolutionsMatch(CudaBackend backend, String label, double rtol, double atol) {
        for (Conv2dSpec s : CONVS) {
            float[] x = random(s.n() * s.c() * s.h() * s.w()), w = random(s.outC() * s.cPerGroup() * s.kh() * s.kw());
            float[] gy = random(s.n() * s.outC() * s.outH() * s.outW());
            double[][] grads = HostReference.conv2dBackward(s, x, w, gy);
            try (Storage sx = SelfCheck.upload(backend, x); Storage sw = SelfCheck.upload(backend, w); Storage sgy = SelfCheck.upload(backend, gy);
                 Storage y = backend.allocate(DType.FLOAT32, gy.length); Storage gx = backend.allocate(DType.FLOAT32, x.length);
                 Storage gw = backend.allocate(DType.FLOAT32, w.length); Arena arena = Arena.ofConfined()) {
                backend.conv2d(s, sx, sw, null, y);
                backend.conv2dBackwardData(s, sgy, sw, gx);
                backend.conv2dBackwardWeight(s, sx, sgy, gw);
                assertClose(label + " conv2d " + s, HostReference.conv2d(s, x, w, null), read(backend, y, arena), rtol, atol);
                assertClose(label + " conv2d backward data " + s, grads[0], read(backend, gx, arena), rtol, atol);
                assertClose(label + " conv2d backward weight " + s, grads[1], read(backend, gw, arena), rtol, atol);
            }
        }
    }

    private static float[] read(CudaBackend backend, Storage s, Arena arena) {
        MemorySegment host = arena.allocate(s.byteSize());
        backend.copyToHost(s, host);
        return host.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** PinnedStaging.SLOT_BYTES (package-private there): uploads larger than it cross slots. */
    private static final class PinnedStagingSize {
        static final long BYTES = 4L << 20;
    }
}
