package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.tensor.DType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * loss.cu's cross-entropy transcribed into Java and run on the launches {@link KernelOps} records:
 * a warp per position of the {@code [n, classes, inner]} view (classes {@code inner} elements apart),
 * lane-strided loops with xor-shuffle max and sums, int32 or int64 targets, an ignored target value
 * (PyTorch's -100 or one inside [0, classes)), label smoothing, and the backward's flat index
 * decoding. Against float64 log-softmax and its gradient; every output element written once.
 */
class CrossEntropyKernelEmulationTest {
    private static final int WARP = 32;

    private static float[] butterfly(float[] v, boolean max) {
        float[] cur = v.clone();
        for (int o = WARP / 2; o > 0; o >>= 1) {
            float[] next = new float[WARP];
            for (int l = 0; l < WARP; l++) {
                float a = cur[l], b = cur[l ^ o];
                next[l] = max ? ((a != a || a > b) ? a : b) : a + b;
            }
            cur = next;
        }
        return cur;
    }

    private static long target(Object targets, long p, boolean wide) {
        return wide ? ((long[]) targets)[(int) p] : ((int[]) targets)[(int) p];
    }

    /** kiln_cross_entropy_f32 over the launch's warps. */
    private static void forward(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] logits = d.f(a.get(0));
        Object targets = d.raw(a.get(1)), losses = a.get(2), logProbs = a.get(3), counted = a.get(4);
        int[] flag = d.i(a.get(5));
        int positions = (Integer) a.get(6), classes = (Integer) a.get(7), inner = (Integer) a.get(8);
        float smoothing = (Float) a.get(9);
        long ignore = (Long) a.get(10);
        boolean wide = (Integer) a.get(11) != 0;
        long warps = (long) l.gridX() * l.blockX() / WARP;
        for (long warp = 0; warp < warps; warp++) {
            for (long p = warp; p < positions; p += warps) {
                long base = (p / inner) * (long) classes * inner + p % inner;
                float[] mx = new float[WARP], s = new float[WARP], lp = new float[WARP];
                for (int lane = 0; lane < WARP; lane++) {
                    mx[lane] = Float.NEGATIVE_INFINITY;
                    for (int j = lane; j < classes; j += WARP) {
                        float v = logits[(int) (base + (long) j * inner)];
                        mx[lane] = (mx[lane] != mx[lane] || mx[lane] > v) ? mx[lane] : v;
                    }
                }
                float m = butterfly(mx, true)[0];
                for (int lane = 0; lane < WARP; lane++) {
                    for (int j = lane; j < classes; j += WARP) s[lane] += (float) Math.exp(logits[(int) (base + (long) j * inner)] - m);
                }
                float lse = m + (float) Math.log(butterfly(s, false)[0]);
                for (int lane = 0; lane < WARP; lane++) {
                    for (int j = lane; j < classes; j += WARP) {
                        float v = logits[(int) (base + (long) j * inner)] - lse;
                        d.store(logProbs, base + (long) j * inner, v);
                        lp[lane] += v;
                    }
                }
                float lpSum = butterfly(lp, false)[0];
                long t = target(targets, p, wide);
                boolean ignored = t == ignore;
                float loss;
                if (ignored) {
                    loss = 0f;
                } else if (t < 0 || t >= classes) {
                    loss = Float.NaN;
                    if (flag[0] == 0) flag[0] = (int) p + 1;
                } else {
                    loss = -(1f - smoothing) * (logits[(int) (base + t * inner)] - lse);
                    if (smoothing > 0f) loss -= smoothing / (float) classes * lpSum;
                }
                d.store(losses, p, loss);
                if ((Long) counted != 0) d.store(counted, p, ignored ? 0f : 1f);
            }
        }
    }

    /** kiln_cross_entropy_backward_f32 over the launch's threads. */
    private static void backward(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] logProbs = d.f(a.get(0)), gradLoss = d.f(a.get(2));
        Object targets = d.raw(a.get(1)), gradLogits = a.get(3);
        int positions = (Integer) a.get(4), classes = (Integer) a.get(5), inner = (Integer) a.get(6);
        float smoothing = (Float) a.get(7);
        long ignore = (Long) a.get(8);
        boolean wide = (Integer) a.get(9) != 0;
        long threads = (long) l.gridX() * l.blockX();
        for (long g = 0; g < threads; g++) {
            for (long e = g; e < (long) positions * classes; e += threads) {
                long plane = (long) classes * inner;
                long i = e / plane, rest = e - i * plane;
                int j = (int) (rest / inner);
                long p = i * inner + (rest - (long) j * inner);
                long t = target(targets, p, wide);
                float v;
                if (t == ignore) {
                    v = 0f;
                } else if (t < 0 || t >= classes) {
                    v = Float.NaN;
                } else {
                    float q = smoothing / (float) classes + (j == t ? 1f - smoothing : 0f);
                    v = gradLoss[(int) p] * ((float) Math.exp(logProbs[(int) e]) - q);
                }
                d.store(gradLogits, e, v);
            }
        }
    }

    private static void check(CrossEntropySpec s, long seed, int badPosition) {
        Random rnd = new Random(seed);
        int n = s.n(), c = s.classes(), inner = s.inner(), positions = s.positions();
        float[] logits = new float[n * c * inner];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (rnd.nextGaussian() * 3);
        long[] t = new long[positions];
        for (int p = 0; p < positions; p++) t[p] = rnd.nextInt(5) == 0 ? s.ignoreIndex() : rnd.nextInt(c);
        if (badPosition >= 0) t[badPosition] = c + 3;
        boolean wide = s.targetType() == DType.INT64;
        Object targets = wide ? t : java.util.Arrays.stream(t).mapToInt(Math::toIntExact).toArray();
        float[] gradLoss = new float[positions];
        for (int p = 0; p < positions; p++) gradLoss[p] = rnd.nextFloat() + 0.1f;

        RecordingLauncher rec = new RecordingLauncher();
        KernelOps ops = new KernelOps(rec);
        EmulatedDevice d = new EmulatedDevice();
        long la = d.put(logits), ta = d.put(targets), losses = d.poisoned(positions), lp = d.poisoned(logits.length);
        long counted = d.poisoned(positions), flag = d.put(new int[1]), ga = d.put(gradLoss), gl = d.poisoned(logits.length);
        ops.crossEntropy(s, la, ta, losses, lp, counted, flag);
        ops.crossEntropyBackward(s, lp, ta, ga, gl);
        assertEquals(List.of(KernelNames.CROSS_ENTROPY_F32, KernelNames.CROSS_ENTROPY_BACKWARD_F32),
                rec.launches.stream().map(RecordingLauncher.Launch::kernel).toList());
        forward(rec.launches.get(0), d);
        backward(rec.launches.get(1), d);
        String what = s.toString();
        d.assertEachWrittenOnce(losses, what + " losses");
        d.assertEachWrittenOnce(lp, what + " logProbs");
        d.assertEachWrittenOnce(counted, what + " counted");
        d.assertEachWrittenOnce(gl, what + " gradLogits");

        for (int p = 0; p < positions; p++) {
            int i = p / inner, k = p % inner;
            double m = Double.NEGATIVE_INFINITY, sum = 0, lpSum = 0;
            for (int j = 0; j < c; j++) m = Math.max(m, logits[(i * c + j) * inner + k]);
            for (int j = 0; j < c; j++) sum += Math.exp(logits[(i * c + j) * inner + k] - m);
            double lse = m + Math.log(sum);
            for (int j = 0; j < c; j++) {
                int at = (i * c + j) * inner + k;
                double ref = logits[at] - lse;
                lpSum += ref;
                assertEquals(ref, d.f(lp)[at], 1e-5 * (1 + Math.abs(ref)), what + " logProbs[" + at + "]");
            }
            boolean ignored = t[p] == s.ignoreIndex(), bad = !ignored && (t[p] < 0 || t[p] >= c);
            assertEquals(ignored ? 0f : 1f, d.f(counted)[p], what + " counted[" + p + "]");
            float loss = d.f(losses)[p];
            if (bad) {
                assertTrue(Float.isNaN(loss), what + " loss of out-of-range target at " + p);
            } else {
                double sm = s.labelSmoothing();
                double ref = ignored ? 0 : -(1 - sm) * (logits[(i * c + (int) t[p]) * inner + k] - lse) - sm / c * lpSum;
                assertEquals(ref, loss, 1e-5 * (1 + Math.abs(ref)), what + " loss[" + p + "]");
            }
            for (int j = 0; j < c; j++) {
                int at = (i * c + j) * inner + k;
                float g = d.f(gl)[at];
                if (bad) {
                    assertTrue(Float.isNaN(g), what + " gradient of out-of-range target at " + at);
                    continue;
                }
                double sm = s.labelSmoothing();
                double q = sm / c + (j == t[p] ? 1 - sm : 0);
                double ref = ignored ? 0 : gradLoss[p] * (Math.exp(logits[at] - lse) - q);
                assertEquals(ref, g, 1e-5 * (1 + Math.abs(ref)), what + " gradLogits[" + at + "]");
            }
        }
        int[] f = d.i(flag);
        if (badPosition < 0) assertEquals(0, f[0], what + " error flag");
        else assertEquals(badPosition + 1, f[0], what + " error flag names the bad position");
    }

    @Test
    void perPositionTargetsWithIgnoreIndex() {
        check(new CrossEntropySpec(5, 3, 7, 0f, CrossEntropySpec.DEFAULT_IGNORE_INDEX, DType.INT64), 1, -1);
        check(new CrossEntropySpec(4, 70, 3, 0.1f, CrossEntropySpec.DEFAULT_IGNORE_INDEX, DType.INT32), 2, -1);  // 3 lane rounds
        check(new CrossEntropySpec(6, 10, 33, 0.2f, 2, DType.INT64), 3, -1);  // an ignored class inside [0, classes)
    }

    @Test
    void classifierRowsAndManyPositions() {
        check(new CrossEntropySpec(40, 10, 1, 0f, CrossEntropySpec.DEFAULT_IGNORE_INDEX, DType.INT32), 4, -1);
        check(new CrossEntropySpec(3, 1, 1, 0f, CrossEntropySpec.DEFAULT_IGNORE_INDEX, DType.INT64), 5, -1);
        check(new CrossEntropySpec(300, 5, 20, 0f, CrossEntropySpec.DEFAULT_IGNORE_INDEX, DType.INT64), 6, -1);  // 6,000 warps, 750 blocks
    }

    @Test
    void outOfRangeTargetIsNaNAndFlagged() {
        check(new CrossEntropySpec(3, 4, 5, 0f, CrossEntropySpec.DEFAULT_IGNORE_INDEX, DType.INT64), 7, 9);
    }
}
