package dev.kiln.nn;

/** Naive float64 references for the layer tests. Row-major arrays, NCHW. */
final class Reference {
    private Reference() {}

    /** x [n, in] @ w[out, in]^T + b[out]. */
    static double[] linear(double[] x, double[] w, double[] b, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int k = 0; k < in; k++) s += x[i * in + k] * w[o * in + k];
                y[i * out + o] = s;
            }
        }
        return y;
    }

    /** Cross-correlation with zero padding (top, left given; the output size decides the rest). */
    static double[] conv2d(double[] x, double[] w, double[] b, int n, int c, int h, int wd, int o, int kh, int kw,
                           int sh, int sw, int padTop, int padLeft, int oh, int ow) {
        double[] y = new double[n * o * oh * ow];
        for (int ni = 0; ni < n; ni++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double s = b == null ? 0 : b[oc];
                        for (int ci = 0; ci < c; ci++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * sh - padTop + ky, ix = ox * sw - padLeft + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    s += x[((ni * c + ci) * h + iy) * wd + ix] * w[((oc * c + ci) * kh + ky) * kw + kx];
                                }
                        y[((ni * o + oc) * oh + oy) * ow + ox] = s;
                    }
        return y;
    }

    /** Per-channel mean over N, H, W. */
    static double[] channelMean(double[] x, int n, int c, int hw) {
        double[] m = new double[c];
        for (int ni = 0; ni < n; ni++) for (int ci = 0; ci < c; ci++) for (int i = 0; i < hw; i++) m[ci] += x[(ni * c + ci) * hw + i];
        for (int ci = 0; ci < c; ci++) m[ci] /= (double) n * hw;
        return m;
    }

    /** Per-channel variance over N, H, W around {@code mean}, divided by {@code count - ddof}. */
    static double[] channelVar(double[] x, double[] mean, int n, int c, int hw, int ddof) {
        double[] v = new double[c];
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < hw; i++) {
                    double d = x[(ni * c + ci) * hw + i] - mean[ci];
                    v[ci] += d * d;
                }
        for (int ci = 0; ci < c; ci++) v[ci] /= (double) n * hw - ddof;
        return v;
    }

    /** (x - mean) / sqrt(var + eps) * gamma + beta per channel. */
    static double[] normalise(double[] x, double[] mean, double[] var, double[] gamma, double[] beta, double eps, int n, int c, int hw) {
        double[] y = new double[x.length];
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < hw; i++) {
                    int k = (ni * c + ci) * hw + i;
                    y[k] = (x[k] - mean[ci]) / Math.sqrt(var[ci] + eps) * gamma[ci] + beta[ci];
                }
        return y;
    }

    /** erf by its Maclaurin series, accurate to ~1e-12 for |x| <= 3 (the only range the tests use). */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax > 3) throw new IllegalArgumentException("erf reference: |x| <= 3 only, got " + x);
        double sum = 0, term = ax;
        for (int k = 0; k < 200; k++) {
            double t = term / (2 * k + 1);
            sum += t;
            if (Math.abs(t) < 1e-17) break;
            term *= -ax * ax / (k + 1);
        }
        return Math.signum(x) * 2 / Math.sqrt(Math.PI) * sum;
    }
}
