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
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
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

    // ---- issue 11 kernels: strided copy of every width, masks, indexing, selection, norms, attention, RNN cells, per-position loss ----

    /** Looser than {@link #RTOL} for the longer float chains of attention and the norms (expf, rsqrtf, many fmaf). */
    private static final double RTOL_11 = 1e-5, ATOL_11 = 1e-6;

    /** The CUDA sources whose kernels issue 11 added or changed; every kernel they declare must run below. */
    private static final List<String> ISSUE_11_SOURCES = List.of("strided_copy.cu", "masks.cu", "index.cu", "select.cu",
            "layer_norm.cu", "attention.cu", "rnn.cu", "loss.cu");

    /** One device buffer of a parity run: dtype and host contents (float[], int[], long[] or byte[]). */
    private record Buf(DType type, Object host) {
        int length() {
            return java.lang.reflect.Array.getLength(host);
        }

        static Buf f32(float[] v) {
            return new Buf(DType.FLOAT32, v);
        }

        static Buf i32(int[] v) {
            return new Buf(DType.INT32, v);
        }

        static Buf i64(long[] v) {
            return new Buf(DType.INT64, v);
        }

        static Buf bool(byte[] v) {
            return new Buf(DType.BOOL, v);
        }

        /** An output: zeroed (kernels that accumulate into it, like scatter-add, start from 0 on both backends). */
        static Buf zeros(DType type, int n) {
            return new Buf(type, switch (type) {
                case FLOAT32 -> new float[n];
                case INT32 -> new int[n];
                case INT64 -> new long[n];
                case BOOL -> new byte[n];
            });
        }
    }

    private interface Ops {
        void run(CudaBackend b, Storage[] s);
    }

    /** Uploads every buffer, runs {@code op}, and returns every buffer's bytes afterwards (device bytes back where they were). */
    private static byte[][] runAll(CudaBackend b, Ops op, Buf... bufs) {
        long before = b.bytesInUse();
        Storage[] s = new Storage[bufs.length];
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < bufs.length; i++) {
                s[i] = b.allocate(bufs[i].type(), bufs[i].length());
                if (bufs[i].length() > 0) {
                    MemorySegment host = switch (bufs[i].host()) {
                        case float[] v -> MemorySegment.ofArray(v);
                        case int[] v -> MemorySegment.ofArray(v);
                        case long[] v -> MemorySegment.ofArray(v);
                        case byte[] v -> MemorySegment.ofArray(v);
                        default -> throw new IllegalArgumentException("buffer " + i);
                    };
                    b.copyFromHost(host, s[i]);
                }
            }
            op.run(b, s);
            byte[][] out = new byte[bufs.length][];
            for (int i = 0; i < bufs.length; i++) {
                MemorySegment host = arena.allocate(Math.max(1L, (long) bufs[i].length() * bufs[i].type().byteSize()), 8);
                if (bufs[i].length() > 0) b.copyToHost(s[i], host);
                out[i] = host.asSlice(0, (long) bufs[i].length() * bufs[i].type().byteSize()).toArray(ValueLayout.JAVA_BYTE);
            }
            return out;
        } finally {
            for (Storage st : s) if (st != null) st.close();
            b.synchronize();
            assertEquals(before, b.bytesInUse(), "device bytes in use changed on " + b.kernelsOrigin());
        }
    }

    /** Runs {@code op} on both backends and compares every buffer: floats within RTOL_11/ATOL_11 (NaN with NaN), the rest bit for bit. */
    private static void sameAll(String what, Ops op, Buf... bufs) {
        byte[][] f = runAll(fatbin, op, bufs), n = runAll(nvrtc, op, bufs);
        for (int i = 0; i < bufs.length; i++) {
            String which = what + ", buffer " + i + " (" + bufs[i].type() + "): NVRTC (" + nvrtc.kernelsOrigin() + ") vs kiln.fatbin";
            if (bufs[i].type() != DType.FLOAT32) {
                assertArrayEquals(f[i], n[i], which + " (bit for bit)");
                continue;
            }
            float[] a = MemorySegment.ofArray(f[i]).toArray(ValueLayout.JAVA_FLOAT), c = MemorySegment.ofArray(n[i]).toArray(ValueLayout.JAVA_FLOAT);
            for (int k = 0; k < a.length; k++) {
                boolean ok = Float.isNaN(a[k]) ? Float.isNaN(c[k])
                        : a[k] == c[k] || Math.abs((double) a[k] - c[k]) <= ATOL_11 + RTOL_11 * Math.abs(a[k]);
                if (!ok) throw new AssertionError(which + " at " + k + ": " + c[k] + " vs " + a[k]);
            }
        }
    }

    private long[] indices(int n, int bound) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(bound);
        return v;
    }

    private byte[] mask(int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) v[i] = (byte) rnd.nextInt(2);
        return v;
    }

    /** Floats with ties, signed zeros, infinities and NaN: what selection and casts must agree on. */
    private float[] awkward(int n) {
        float[] specials = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2.5e9f, -7.9f, 0.5f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(10) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(9) - 4;
        return v;
    }

    @Test
    void stridedCopyCastsComparisonsWhereAndTrianglesAgree() {
        dev.kiln.spi.StridedCopySpec transpose = new dev.kiln.spi.StridedCopySpec(new int[] {5, 3, 4}, 2, new long[] {1, 20, 5}, 0,
                new long[] {12, 4, 1});
        sameAll("stridedCopy b8", (b, s) -> b.stridedCopy(transpose, s[0], s[1]), Buf.bool(mask(62)), Buf.zeros(DType.BOOL, 60));
        sameAll("stridedCopy b32", (b, s) -> b.stridedCopy(transpose, s[0], s[1]), Buf.f32(random(62, -1f, 1f)), Buf.zeros(DType.FLOAT32, 60));
        sameAll("stridedCopy b64", (b, s) -> b.stridedCopy(transpose, s[0], s[1]), Buf.i64(indices(62, 1 << 30)), Buf.zeros(DType.INT64, 60));

        float[] x = awkward(500);
        for (DType to : DType.values()) {
            sameAll("cast FLOAT32 to " + to, (b, s) -> b.cast(s[0], s[1]), Buf.f32(x), Buf.zeros(to, 500));
        }
        long[] wide = indices(500, Integer.MAX_VALUE);
        for (int i = 0; i < 50; i++) wide[i] = (1L << 40) + rnd.nextInt() - (i % 2 == 0 ? 0 : 1L << 41);
        sameAll("cast INT64 to FLOAT32 and INT32", (b, s) -> {
            b.cast(s[0], s[1]);
            b.cast(s[0], s[2]);
        }, Buf.i64(wide), Buf.zeros(DType.FLOAT32, 500), Buf.zeros(DType.INT32, 500));
        sameAll("cast BOOL to FLOAT32", (b, s) -> b.cast(s[0], s[1]), Buf.bool(mask(77)), Buf.zeros(DType.FLOAT32, 77));

        Broadcast bc = Broadcast.of("compare", new int[] {4, 1, 5}, new int[] {3, 5});
        for (dev.kiln.spi.CompareOp op : dev.kiln.spi.CompareOp.values()) {
            sameAll("compare " + op + " FLOAT32", (b, s) -> b.compare(op, bc, s[0], s[1], s[2]), Buf.f32(awkward(20)), Buf.f32(awkward(15)),
                    Buf.zeros(DType.BOOL, 60));
            sameAll("compare " + op + " INT64", (b, s) -> b.compare(op, bc, s[0], s[1], s[2]), Buf.i64(indices(20, 4)), Buf.i64(indices(15, 4)),
                    Buf.zeros(DType.BOOL, 60));
        }
        dev.kiln.spi.WhereSpec where = dev.kiln.spi.WhereSpec.of("where", new int[] {4, 1, 5}, new int[] {3, 1}, new int[] {});
        sameAll("where FLOAT32", (b, s) -> b.where(where, s[0], s[1], s[2], s[3]), Buf.bool(mask(20)), Buf.f32(random(3, -1f, 1f)),
                Buf.f32(new float[] {7f}), Buf.zeros(DType.FLOAT32, 60));
        sameAll("where INT64", (b, s) -> b.where(where, s[0], s[1], s[2], s[3]), Buf.bool(mask(20)), Buf.i64(indices(3, 100)),
                Buf.i64(new long[] {-1}), Buf.zeros(DType.INT64, 60));
        sameAll("where BOOL", (b, s) -> b.where(where, s[0], s[1], s[2], s[3]), Buf.bool(mask(20)), Buf.bool(mask(3)),
                Buf.bool(new byte[] {1}), Buf.zeros(DType.BOOL, 60));
        for (boolean upper : new boolean[] {false, true}) {
            dev.kiln.spi.TriangleSpec tri = new dev.kiln.spi.TriangleSpec(3, 5, 7, upper ? 2 : -1, upper);
            sameAll("triangle FLOAT32 upper=" + upper, (b, s) -> b.triangle(tri, s[0], s[1]), Buf.f32(random(105, -1f, 1f)),
                    Buf.zeros(DType.FLOAT32, 105));
            sameAll("triangle BOOL upper=" + upper, (b, s) -> b.triangle(tri, s[0], s[1]), Buf.bool(mask(105)), Buf.zeros(DType.BOOL, 105));
        }
    }

    @Test
    void indexingKernelsAgree() {
        dev.kiln.spi.IndexSpec gather = new dev.kiln.spi.IndexSpec("gather", 1, 4, 9, 5, 3, false, -1);
        sameAll("gather FLOAT32 by INT64", (b, s) -> b.indexGather(gather, s[0], s[1], s[2]), Buf.f32(random(4 * 9 * 3, -1f, 1f)),
                Buf.i64(indices(4 * 5 * 3, 9)), Buf.zeros(DType.FLOAT32, 60));
        dev.kiln.spi.IndexSpec select = new dev.kiln.spi.IndexSpec("indexSelect", 0, 1, 30, 12, 8, true, -1);
        int[] rows = new int[12];
        for (int i = 0; i < 12; i++) rows[i] = rnd.nextInt(30);
        sameAll("indexSelect INT64 rows by INT32", (b, s) -> b.indexGather(select, s[0], s[1], s[2]), Buf.i64(indices(240, 1000)),
                Buf.i32(rows), Buf.zeros(DType.INT64, 96));
        dev.kiln.spi.IndexSpec embedding = new dev.kiln.spi.IndexSpec("embedding", 0, 1, 50, 70, 16, true, 0);
        sameAll("scatterAdd (embedding backward, padding index 0)", (b, s) -> b.indexScatterAdd(embedding, s[0], s[1], s[2]),
                Buf.f32(random(70 * 16, -1f, 1f)), Buf.i64(indices(70, 50)), Buf.zeros(DType.FLOAT32, 50 * 16));
        dev.kiln.spi.IndexSpec scatter = new dev.kiln.spi.IndexSpec("scatterAdd", 1, 3, 6, 10, 4, false, -1);
        sameAll("scatterAdd per element", (b, s) -> b.indexScatterAdd(scatter, s[0], s[1], s[2]), Buf.f32(random(120, -1f, 1f)),
                Buf.i64(indices(120, 6)), Buf.zeros(DType.FLOAT32, 72));
        sameAll("oneHot", (b, s) -> b.oneHot(10, s[0], s[1]), Buf.i64(indices(33, 10)), Buf.zeros(DType.INT64, 330));
        long[] index = indices(1000, 5000);
        long[][] ranges = new long[2][];
        for (int k = 0; k < 2; k++) {
            CudaBackend b = k == 0 ? fatbin : nvrtc;
            try (Storage st = b.allocate(DType.INT64, 1000)) {
                b.copyFromHost(MemorySegment.ofArray(index), st);
                ranges[k] = b.indexRange(st);
            }
        }
        assertArrayEquals(ranges[0], ranges[1], "indexRange: NVRTC vs kiln.fatbin");
        assertArrayEquals(new long[] {java.util.Arrays.stream(index).min().orElseThrow(), java.util.Arrays.stream(index).max().orElseThrow()},
                ranges[0], "indexRange against the host's min and max");
    }

    @Test
    void selectionKernelsAgree() {
        for (int[] view : new int[][] {{6, 40, 1}, {6, 10, 7}, {3, 100, 1}}) {
            for (boolean max : new boolean[] {true, false}) {
                dev.kiln.spi.ArgReduceSpec spec = new dev.kiln.spi.ArgReduceSpec(view[0], view[1], view[2], max);
                int lines = (int) spec.lines();
                sameAll((max ? "max " : "min ") + java.util.Arrays.toString(view), (b, s) -> b.argReduce(spec, s[0], s[1], s[2]),
                        Buf.f32(awkward((int) spec.numel())), Buf.zeros(DType.FLOAT32, lines), Buf.zeros(DType.INT64, lines));
            }
        }
        for (boolean largest : new boolean[] {true, false}) {
            dev.kiln.spi.TopkSpec topk = new dev.kiln.spi.TopkSpec(4, 10, 3, 4, largest, true);
            int outN = (int) topk.outNumel();
            sameAll("topk and backward, largest=" + largest, (b, s) -> {
                b.topk(topk, s[0], s[1], s[2]);
                b.topkBackward(topk, s[3], s[2], s[4]);
            }, Buf.f32(awkward(120)), Buf.zeros(DType.FLOAT32, outN), Buf.zeros(DType.INT64, outN), Buf.f32(random(outN, -1f, 1f)),
                    Buf.zeros(DType.FLOAT32, 120));
        }
    }

    @Test
    void layerNormAttentionRnnCellsAndPerPositionLossAgree() {
        for (boolean rms : new boolean[] {false, true}) {
            dev.kiln.spi.LayerNormSpec ln = new dev.kiln.spi.LayerNormSpec(64, 100, 1e-5f, rms);
            sameAll((rms ? "rms" : "layer") + " norm forward and backward", (b, s) -> {
                b.layerNorm(ln, s[0], s[1], rms ? null : s[2], s[3], s[4], s[5]);
                b.layerNormBackward(ln, s[0], s[1], s[6], s[4], s[5], s[7], s[8], rms ? null : s[9]);
            }, Buf.f32(random(6400, -2f, 3f)), Buf.f32(random(100, 0.5f, 1.5f)), Buf.f32(random(100, -0.5f, 0.5f)),
                    Buf.zeros(DType.FLOAT32, 6400), Buf.zeros(DType.FLOAT32, 64), Buf.zeros(DType.FLOAT32, 64), Buf.f32(random(6400, -1f, 1f)),
                    Buf.zeros(DType.FLOAT32, 6400), Buf.zeros(DType.FLOAT32, 100), Buf.zeros(DType.FLOAT32, 100));
        }

        dev.kiln.spi.AttentionSpec att = new dev.kiln.spi.AttentionSpec(2, 4, 70, 33, 16, 8, 0.25f, true,
                dev.kiln.spi.AttentionSpec.MaskKind.ADDITIVE, new long[] {0, 0, 33, 1}, 0.1f, 42L, 7L);
        int q = 8 * 70 * 16, k = 8 * 33 * 16, v = 8 * 33 * 8, o = 8 * 70 * 8;
        sameAll("attention forward and backward (causal, mask, dropout)", (b, s) -> {
            b.attention(att, s[0], s[1], s[2], s[3], s[4], s[5]);
            b.attentionBackward(att, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]);
        }, Buf.f32(random(q, -1f, 1f)), Buf.f32(random(k, -1f, 1f)), Buf.f32(random(v, -1f, 1f)), Buf.f32(random(70 * 33, -1f, 1f)),
                Buf.zeros(DType.FLOAT32, o), Buf.zeros(DType.FLOAT32, 8 * 70), Buf.f32(random(o, -1f, 1f)), Buf.zeros(DType.FLOAT32, q),
                Buf.zeros(DType.FLOAT32, k), Buf.zeros(DType.FLOAT32, v));

        dev.kiln.spi.RnnCellSpec cell = new dev.kiln.spi.RnnCellSpec(16, 40);
        int n = 640;
        sameAll("LSTM cell forward and backward", (b, s) -> {
            b.lstmCell(cell, s[0], s[1], s[2], s[3], s[4], s[5]);
            b.lstmCellBackward(cell, s[5], s[2], s[4], s[6], s[7], s[8], s[9]);
        }, Buf.f32(random(4 * n, -2f, 2f)), Buf.f32(random(4 * n, -2f, 2f)), Buf.f32(random(n, -1f, 1f)), Buf.zeros(DType.FLOAT32, n),
                Buf.zeros(DType.FLOAT32, n), Buf.zeros(DType.FLOAT32, 4 * n), Buf.f32(random(n, -1f, 1f)), Buf.f32(random(n, -1f, 1f)),
                Buf.zeros(DType.FLOAT32, 4 * n), Buf.zeros(DType.FLOAT32, n));
        sameAll("GRU cell forward and backward", (b, s) -> {
            b.gruCell(cell, s[0], s[1], s[2], s[3], s[4]);
            b.gruCellBackward(cell, s[4], s[1], s[2], s[5], s[6], s[7], s[8]);
        }, Buf.f32(random(3 * n, -2f, 2f)), Buf.f32(random(3 * n, -2f, 2f)), Buf.f32(random(n, -1f, 1f)), Buf.zeros(DType.FLOAT32, n),
                Buf.zeros(DType.FLOAT32, 3 * n), Buf.f32(random(n, -1f, 1f)), Buf.zeros(DType.FLOAT32, 3 * n), Buf.zeros(DType.FLOAT32, 3 * n),
                Buf.zeros(DType.FLOAT32, n));

        CrossEntropySpec ce = new CrossEntropySpec(6, 12, 7, 0.1f, CrossEntropySpec.DEFAULT_IGNORE_INDEX, DType.INT64);
        long[] targets = indices(42, 12);
        for (int i = 0; i < 42; i += 5) targets[i] = CrossEntropySpec.DEFAULT_IGNORE_INDEX;
        sameAll("per-position cross-entropy with ignored targets, forward and backward", (b, s) -> {
            b.crossEntropy(ce, s[0], s[1], s[2], s[3], s[4]);
            b.crossEntropyBackward(ce, s[3], s[1], s[5], s[6]);
        }, Buf.f32(random(6 * 12 * 7, -4f, 4f)), Buf.i64(targets), Buf.zeros(DType.FLOAT32, 42), Buf.zeros(DType.FLOAT32, 6 * 12 * 7),
                Buf.zeros(DType.FLOAT32, 42), Buf.f32(random(42, 0f, 1f)), Buf.zeros(DType.FLOAT32, 6 * 12 * 7));
    }

    /** Runs last: every kernel the issue-11 sources declare was launched on both backends by the tests above. */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void everyIssue11KernelRanOnBothBackends() {
        dev.kiln.kernels.KernelSources sources = dev.kiln.kernels.KernelSources.load().orElseThrow();
        java.util.regex.Pattern entry = java.util.regex.Pattern.compile("extern \"C\" __global__ void (kiln_\\w+)\\(");
        java.util.Set<String> declared = new java.util.TreeSet<>();
        for (String file : ISSUE_11_SOURCES) {
            String text = sources.headers().get(file);
            org.junit.jupiter.api.Assertions.assertNotNull(text, file + " among the shipped kernel sources " + sources.headers().keySet());
            java.util.regex.Matcher m = entry.matcher(text);
            while (m.find()) declared.add(m.group(1));
        }
        for (CudaBackend b : List.of(fatbin, nvrtc)) {
            java.util.Set<String> missing = new java.util.TreeSet<>(declared);
            missing.removeAll(b.launchedKernels());
            assertTrue(missing.isEmpty(), "issue-11 kernels never launched on " + b.kernelsOrigin() + ": " + missing);
        }
    }
}
