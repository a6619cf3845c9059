package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Pool2dSpec;

/** Naive float64 references for the CUDA backend tests and a tolerance check that reports the worst mismatch. */
final class HostReference {
    private HostReference() {}

    /** Fails with the mismatch count, worst error and its index when |a - e| > atol + rtol |e| anywhere. */
    static void assertClose(String what, double[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        int bad = 0, worstAt = -1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            boolean ok = err <= atol + rtol * Math.abs(expected[i]) || (Double.isNaN(expected[i]) && Float.isNaN(actual[i]));
            if (!ok) {
                bad++;
                if (!(err <= worst)) {
                    worst = err;
                    worstAt = i;
                }
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements differ; worst |error| " + worst + " at index " + worstAt
                    + " (got " + actual[worstAt] + ", expected " + expected[worstAt] + "; rtol " + rtol + ", atol " + atol + ")");
        }
    }

    /** One product of a convolution: input element {@code xi} times weight element {@code wi} feeds output element {@code yi}. */
    private interface Tap {
        void accept(int xi, int wi, int yi);
    }

    /**
     * Visits every in-bounds (input, weight, output) index triple of the grouped, strided, padded,
     * dilated convolution {@code s}, output elements in row-major order and each one's taps in
     * (channel, ky, kx) order.
     */
    private static void forEachTap(Conv2dSpec s, Tap tap) {
        int oh = s.outH(), ow = s.outW(), cpg = s.cPerGroup(), opg = s.outC() / s.groups();
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.outC(); o++) {
                int g = o / opg;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int yi = ((n * s.outC() + o) * oh + i) * ow + j;
                        for (int ci = 0; ci < cpg; ci++) {
                            int c = g * cpg + ci;
                            for (int ki = 0; ki < s.kh(); ki++) {
                                int hi = i * s.strideH() - s.padH() + ki * s.dilationH();
                                if (hi < 0 || hi >= s.h()) continue;
                                for (int kj = 0; kj < s.kw(); kj++) {
                                    int wj = j * s.strideW() - s.padW() + kj * s.dilationW();
                                    if (wj < 0 || wj >= s.w()) continue;
                                    tap.accept(((n * s.c() + c) * s.h() + hi) * s.w() + wj, ((o * cpg + ci) * s.kh() + ki) * s.kw() + kj, yi);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Output channel of output element {@code yi}. */
    private static int outChannel(Conv2dSpec s, int yi) {
        return yi / (s.outH() * s.outW()) % s.outC();
    }

    static double[] conv2d(Conv2dSpec s, float[] x, float[] w, float[] bias) {
        double[] y = new double[s.n() * s.outC() * s.outH() * s.outW()];
        if (bias != null) for (int yi = 0; yi < y.length; yi++) y[yi] = bias[outChannel(s, yi)];
        forEachTap(s, (xi, wi, yi) -> y[yi] += (double) x[xi] * w[wi]);
        return y;
    }

    /** Gradients of conv2d for x (index 0), w (1) and bias (2), from gy. */
    static double[][] conv2dBackward(Conv2dSpec s, float[] x, float[] w, float[] gy) {
        double[] gx = new double[x.length], gw = new double[w.length], gb = new double[s.outC()];
        for (int yi = 0; yi < gy.length; yi++) gb[outChannel(s, yi)] += gy[yi];
        forEachTap(s, (xi, wi, yi) -> {
            gx[xi] += (double) gy[yi] * w[wi];
            gw[wi] += (double) gy[yi] * x[xi];
        });
        return new double[][] {gx, gw, gb};
    }

    /** PyTorch pooling forward (max: NaN-free inputs; avg: dilation 1). */
    static double[] pool(Pool2dSpec s, float[] x, boolean max) {
        int oh = s.outH(), ow = s.outW();
        double[] y = new double[s.n() * s.c() * oh * ow];
        for (int p = 0; p < s.n() * s.c(); p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY, sum = 0;
                    int count = 0;
                    int h0 = i * s.strideH() - s.padH(), w0 = j * s.strideW() - s.padW();
                    int hend = Math.min(h0 + s.kh(), s.h() + s.padH()), wend = Math.min(w0 + s.kw(), s.w() + s.padW());
                    int padded = (hend - h0) * (wend - w0);
                    for (int ki = 0; ki < s.kh(); ki++) {
                        int hi = h0 + ki * (max ? s.dilationH() : 1);
                        if (hi < 0 || hi >= s.h()) continue;
                        for (int kj = 0; kj < s.kw(); kj++) {
                            int wj = w0 + kj * (max ? s.dilationW() : 1);
                            if (wj < 0 || wj >= s.w()) continue;
                            double v = x[(p * s.h() + hi) * s.w() + wj];
                            best = Math.max(best, v);
                            sum += v;
                            count++;
                        }
                    }
                    y[(p * oh + i) * ow + j] = max ? best : sum / (s.countIncludePad() ? padded : count);
                }
            }
        }
        return y;
    }
}
