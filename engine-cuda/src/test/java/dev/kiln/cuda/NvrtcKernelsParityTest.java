package dev.kiln.cuda;

import static dev.kiln.cuda.HostReference.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.cuda.CudaOptions.Kernels;
import dev.kiln.cuda.ffi.NativeLibraries;
import dev.kiln.kernels.Fatbin;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.ProbeResult;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.Storage;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernels compiled at run time by NVRTC ({@code kiln.cuda.kernels=nvrtc}) against the same
 * kernels from {@code kiln.fatbin}, on one GPU, on identical inputs: elementwise ops and their
 * gradients, broadcasting, sums, argmax, cross-entropy, dropout masks and an Adam step. Same
 * sources, same architecture, so only the compilers differ: floats agree within a few ulps, integer
 * results exactly. (The float64 references are the op suite's job: gpu-verify runs it with
 * {@code KILN_CUDA_KERNELS=nvrtc}.) Skipped without a GPU, or without NVRTC.
 */
@Tag("cuda")
class NvrtcKernelsParityTest {
    /** Two compilations of one source: contraction or libdevice differences of a few float32 ulps (1 ulp ~ 6e-8). */
    private static final double RTOL = 1e-6, ATOL = 1e-7;

    private static ProbeResult fatbinProbe, nvrtcProbe;
    private static CudaBackend fatbin, nvrtc;
    private final Random rnd = new Random(7);

    @BeforeAll
    static void start() {
        int device = CudaOptions.fromEnvironment().device();
        fatbinProbe = CudaBackendProvider.probe(NativeLibraries.get(), new CudaOptions(device, false, true, false, Kernels.FATBIN),
                Fatbin.load());
        if (fatbinProbe.available()) fatbin = (CudaBackend) fatbinProbe.backend();
        nvrtcProbe = CudaBackendProvider.probe(NativeLibraries.get(), new CudaOptions(device, false, true, false, Kernels.NVRTC),
                Fatbin.load());
        if (nvrtcProbe.available()) nvrtc = (CudaBackend) nvrtcProbe.backend();
    }

    @AfterAll
    static void stop() {
        if (fatbin != null) fatbin.close();
        if (nvrtc != null) nvrtc.close();
    }

    @BeforeEach
    void requireBoth() {
        assumeTrue(fatbinProbe.available(), () -> "CUDA backend with kiln.fatbin unavailable: " + fatbinProbe.reason());
        assumeTrue(nvrtcProbe.available(), () -> "CUDA backend with NVRTC kernels unavailable: " + nvrtcProbe.reason());
    }

    private interface Op {
        void run(CudaBackend b, Storage[] in, Storage out);
    }

    /** {@code op} on {@code b} with {@code inputs} uploaded; the output (FLOAT32 or INT32 per {@code outType}) as floats or int bits. */
    private static float[] run(CudaBackend b, DType outType, int outLength, Op op, float[]... inputs) {
        long before = b.bytesInUse();
        Storage[] in = new Storage[inputs.length];
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < inputs.length; i++) in[i] = SelfCheck.upload(b, inputs[i]);
            try (Storage out = b.allocate(outType, outLength)) {
                op.run(b, in, out);
                MemorySegment host = arena.allocate(4L * outLength);
                b.copyToHost(out, host);
                return host.toArray(ValueLayout.JAVA_FLOAT);
            }
        } finally {
            for (Storage s : in) if (s != null) s.close();
            b.synchronize();
            assertEquals(before, b.bytesInUse(), "device bytes in use changed on " + b.kernelsOrigin());
        }
    }

    /** Runs {@code op} on both backends and compares: bit for bit for int32 outputs and {@code exact} ones, else within RTOL/ATOL. */
    private static void same(String what, DType outType, boolean exact, int outLength, Op op, float[]... inputs) {
        float[] f = run(fatbin, outType, outLength, op, inputs), n = run(nvrtc, outType, outLength, op, inputs);
        if (exact || outType == DType.INT32) {
            assertArrayEquals(f, n, what + ": NVRTC vs kiln.fatbin (bit for bit)");
            return;
        }
        double[] expected = new double[f.length];
        for (int i = 0; i < f.length; i++) expected[i] = f[i];
        assertClose(what + ": NVRTC (" + nvrtc.kernelsOrigin() + ") vs kiln.fatbin", expected, n, RTOL, ATOL);
    }

    private float[] random(int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextFloat();
        return v;
    }

    @Test
    void eachBackendNamesWhereItsKernelsCameFrom() {
        assertEquals("kiln.fatbin", fatbin.kernelsOrigin());
        assertTrue(nvrtc.kernelsOrigin().startsWith("NVRTC "), nvrtc.kernelsOrigin());
        assertTrue(nvrtc.description().contains("kernels " + nvrtc.kernelsOrigin()), nvrtc.description());
    }

    @Test
    void elementwiseOpsAndGradientsAgree() {
        int n = 3000;
        float[] x = random(n, 0.05f, 3f), g = random(n, -1f, 1f), signed = random(n, -3f, 3f);
        for (UnaryOp op : UnaryOp.values()) {
            boolean positiveOnly = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT;
            float[] in = positiveOnly ? x : signed;
            same("unary " + op, DType.FLOAT32, false, n, (b, s, out) -> b.unary(op, 0.1f, s[0], out), in);
            float[] fwd = run(fatbin, DType.FLOAT32, n, (b, s, out) -> b.unary(op, 0.1f, s[0], out), in);
            same("unaryBackward " + op, DType.FLOAT32, false, n,
                    (b, s, out) -> b.unaryBackward(op, 0.1f, s[0], s[1], s[2], out), in, fwd, g);
        }
        for (ScalarOp op : ScalarOp.values()) {
            same("scalar " + op, DType.FLOAT32, false, n, (b, s, out) -> b.scalar(op, s[0], 1.7f, out), x);
        }
        Broadcast bc = Broadcast.of("parity", new int[] {4, 1, 5}, new int[] {3, 5});
        float[] a = random(20, -2f, 2f), bb = random(15, 0.5f, 2f);
        for (BinaryOp op : BinaryOp.values()) {
            same("binary " + op + " [4,1,5] with [3,5]", DType.FLOAT32, false, 60, (b, s, out) -> b.binary(op, bc, s[0], s[1], out), a, bb);
        }
    }

    @Test
    void reductionsLossDropoutAndAdamAgree() {
        float[] x = random(4 * 30 * 50, -1f, 1f);
        same("sum over axes 0, 2 of [4, 30, 50]", DType.FLOAT32, false, 30, (b, s, out) -> b.sum(new ReduceSpec(new int[] {4, 30, 50},
                new int[] {0, 2}), s[0], out), x);
        same("argmax of 40 rows of 150", DType.INT32, false, 40, (b, s, out) -> b.argmax(40, 150, s[0], out), x);

        CrossEntropySpec ce = new CrossEntropySpec(64, 10, 0.1f);
        float[] logits = random(64 * 10, -4f, 4f);
        int[] targets = new int[64];
        for (int i = 0; i < 64; i++) targets[i] = rnd.nextInt(10);
        same("crossEntropy losses", DType.FLOAT32, false, 64, (b, s, out) -> {
            try (Storage t = b.allocate(DType.INT32, 64); Storage logProbs = b.allocate(DType.FLOAT32, 640)) {
                b.copyFromHost(MemorySegment.ofArray(targets), t);
                b.crossEntropy(ce, s[0], t, out, logProbs, null);
            }
        }, logits);
        same("crossEntropyBackward", DType.FLOAT32, false, 640, (b, s, out) -> {
            try (Storage t = b.allocate(DType.INT32, 64); Storage losses = b.allocate(DType.FLOAT32, 64);
                 Storage logProbs = b.allocate(DType.FLOAT32, 640)) {
                b.copyFromHost(MemorySegment.ofArray(targets), t);
                b.crossEntropy(ce, s[0], t, losses, logProbs, null);
                b.crossEntropyBackward(ce, logProbs, t, s[1], out);
            }
        }, logits, random(64, 0f, 1f));

        same("dropoutMask p 0.3", DType.FLOAT32, true, 5000, (b, s, out) -> b.dropoutMask(1234L, 77L, 0.3f, out));

        float[] p1 = random(1000, -1f, 1f), p2 = random(37, -1f, 1f), g1 = random(1000, -1f, 1f), g2 = random(37, -1f, 1f);
        AdamSpec adam = new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 3);
        for (int k = 0; k < 2; k++) {
            int which = k;
            // One launch updates both tensors; each comparison reads one of them back.
            same("adamStep (AdamW, step 3), tensor " + which, DType.FLOAT32, false, which == 0 ? 1000 : 37, (b, s, out) -> {
                try (Storage m1 = b.allocate(DType.FLOAT32, 1000); Storage v1 = b.allocate(DType.FLOAT32, 1000);
                     Storage m2 = b.allocate(DType.FLOAT32, 37); Storage v2 = b.allocate(DType.FLOAT32, 37);
                     Storage q1 = b.allocate(DType.FLOAT32, 1000); Storage q2 = b.allocate(DType.FLOAT32, 37)) {
                    for (Storage st : List.of(m1, v1, m2, v2)) b.fill(st, 0.01f);
                    b.copy(s[0], q1);
                    b.copy(s[1], q2);
                    b.adamStep(adam, List.of(q1, q2), List.of(s[2], s[3]), List.of(m1, m2), List.of(v1, v2));
                    b.copy(which == 0 ? q1 : q2, out);
                }
            }, p1, p2, g1, g2);
        }
    }
}
