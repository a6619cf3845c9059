package dev.kiln.cuda;

import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The probe's self-check: a small SGEMM (cuBLAS), a small padded convolution (cuDNN) and a scalar
 * kernel (Kiln's fatbin or its NVRTC build) compared with host results, so a broken library, a fatbin without code
 * for this GPU or a wrong binding is reported before any training starts.
 */
final class SelfCheck {
    /** Allowed |gpu - host| (TF32 rounds inputs to 10 mantissa bits; these sums have at most 18 terms of size < 1). */
    static final float TOLERANCE = 1e-2f;

    private SelfCheck() {}

    static void run(CudaBackend b) {
        float[] a = ramp(3 * 4, 0.1f), bm = ramp(4 * 5, -0.05f);
        float[] c = run(b, (x, y, out) -> b.matmul(MatmulSpec.of(3, 5, 4, false, false), x, y, out), a, bm, 15);
        float[] expect = new float[15];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                double s = 0;
                for (int k = 0; k < 4; k++) s += (double) a[i * 4 + k] * bm[k * 5 + j];
                expect[i * 5 + j] = (float) s;
            }
        }
        compare("cuBLAS sgemm 3x4 @ 4x5", c, expect);

        Conv2dSpec spec = new Conv2dSpec(1, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        float[] x = ramp(2 * 16, 0.03f), w = ramp(3 * 2 * 9, -0.02f);
        float[] y = run(b, (xs, ws, out) -> b.conv2d(spec, xs, ws, null, out), x, w, 3 * 16);
        float[] ref = new float[3 * 16];
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    double s = 0;
                    for (int ci = 0; ci < 2; ci++) {
                        for (int ki = 0; ki < 3; ki++) {
                            for (int kj = 0; kj < 3; kj++) {
                                int hi = i + ki - 1, wj = j + kj - 1;
                                if (hi < 0 || hi >= 4 || wj < 0 || wj >= 4) continue;
                                s += (double) x[ci * 16 + hi * 4 + wj] * w[((o * 2 + ci) * 3 + ki) * 3 + kj];
                            }
                        }
                    }
                    ref[(o * 4 + i) * 4 + j] = (float) s;
                }
            }
        }
        compare("cuDNN conv2d 1x2x4x4 * 3x2x3x3 pad 1", y, ref);

        float[] v = ramp(7, 0.5f);
        float[] doubled = run(b, (xs, unused, out) -> b.scalar(ScalarOp.MUL, xs, 2f, out), v, new float[1], 7);
        float[] twice = new float[7];
        for (int i = 0; i < 7; i++) twice[i] = 2 * v[i];
        compare("kernel kiln_scalar_f32 (" + b.kernelsOrigin() + ")", doubled, twice);
    }

    private interface Op {
        void apply(Storage a, Storage b, Storage out);
    }

    private static float[] run(CudaBackend backend, Op op, float[] a, float[] b, int outLength) {
        try (Storage sa = upload(backend, a); Storage sb = upload(backend, b);
             Storage out = backend.allocate(DType.FLOAT32, outLength); Arena arena = Arena.ofConfined()) {
            op.apply(sa, sb, out);
            MemorySegment host = arena.allocate(4L * outLength);
            backend.copyToHost(out, host);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    static Storage upload(CudaBackend backend, float[] values) {
        Storage s = backend.allocate(DType.FLOAT32, values.length);
        backend.copyFromHost(MemorySegment.ofArray(values), s);
        return s;
    }

    private static float[] ramp(int n, float step) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 7 - 3) * step;
        return v;
    }

    private static void compare(String what, float[] actual, float[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= TOLERANCE)) {
                throw new IllegalStateException(what + " gave " + actual[i] + " at index " + i + ", expected " + expected[i]);
            }
        }
    }
}
