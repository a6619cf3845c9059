package dev.kiln.testing;

/**
 * Float64 references for layer norm, RMS norm and conv1d, written from the definitions
 * (PyTorch's documentation), element by element.
 */
public final class RefLayerNorm {
    private RefLayerNorm() {}

    /**
     * Layer norm over the last {@code normDims} dimensions: {@code (x - mean) / sqrt(var + eps) * w + b},
     * biased variance; {@code w}, {@code b} may be null.
     */
    public static Nd layerNorm(Nd x, int normDims, Nd w, Nd b, double eps) {
        return normalize(x, normDims, w, b, eps, false);
    }

    /** RMS norm over the last {@code normDims} dimensions: {@code x / sqrt(mean(x^2) + eps) * w}; {@code w} may be null. */
    public static Nd rmsNorm(Nd x, int normDims, Nd w, double eps) {
        return normalize(x, normDims, w, null, eps, true);
    }

    private static Nd normalize(Nd x, int normDims, Nd w, Nd b, double eps, boolean rms) {
        int cols = 1;
        for (int d = x.rank() - normDims; d < x.rank(); d++) cols *= x.dim(d);
        int rows = x.numel() / cols;
        Nd y = Nd.zeros(x.shape());
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            if (!rms) {
                for (int j = 0; j < cols; j++) mean += x.at(r * cols + j);
                mean /= cols;
            }
            double var = 0;
            for (int j = 0; j < cols; j++) {
                double d = x.at(r * cols + j) - mean;
                var += d * d;
            }
            var /= cols;
            for (int j = 0; j < cols; j++) {
                double v = (x.at(r * cols + j) - mean) / Math.sqrt(var + eps);
                if (w != null) v *= w.at(j);
                if (b != null) v += b.at(j);
                y.data()[r * cols + j] = v;
            }
        }
        return y;
    }

    /**
     * conv1d of x [N, C, L] with w [O, C/groups, k] (and bias [O] or null): padding {@code left}
     * and {@code right} cells (zeros, or wrapped around when {@code circular}), then
     * {@code y[n, o, t] = b[o] + sum over c, i of w[o, c, i] * xp[n, g*C/groups + c, t*stride + i*dilation]}.
     */
    public static Nd conv1d(Nd x, Nd w, Nd bias, int stride, int left, int right, int dilation, int groups, boolean circular) {
        int n = x.dim(0), c = x.dim(1), len = x.dim(2), o = w.dim(0), cg = w.dim(1), k = w.dim(2);
        int padded = len + left + right;
        int out = (padded - dilation * (k - 1) - 1) / stride + 1;
        int og = o / groups;
        Nd y = Nd.zeros(n, o, out);
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int t = 0; t < out; t++) {
                    double s = bias == null ? 0 : bias.at(oc);
                    for (int ci = 0; ci < cg; ci++) {
                        for (int i = 0; i < k; i++) {
                            int p = t * stride + i * dilation - left;
                            if (p < 0 || p >= len) {
                                if (!circular) continue;
                                p = Math.floorMod(p, len);
                            }
                            s += w.at((oc * cg + ci) * k + i) * x.at((b * c + g * cg + ci) * len + p);
                        }
                    }
                    y.data()[(b * o + oc) * out + t] = s;
                }
            }
        }
        return y;
    }
}
