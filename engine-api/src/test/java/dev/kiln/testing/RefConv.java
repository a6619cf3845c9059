package dev.kiln.testing;

/**
 * Float64 reference for 2-D cross-correlation over NCHW, straight from the definition:
 * {@code y[n, o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] * xpad[n, g*C/G + c, i*s + u*d, j*s + v*d]}
 * where xpad is x padded per side with zeros, or by wrapping around (circular).
 */
public final class RefConv {
    private RefConv() {}

    /** Geometry of one convolution: stride, dilation, groups and padding per side. */
    public record Geometry(int strideH, int strideW, int dilationH, int dilationW, int groups,
                           int top, int bottom, int left, int right, boolean circular) {}

    /** Output size per dimension: {@code floor((in + before + after - d*(k-1) - 1) / s) + 1}. */
    public static int outSize(int in, int k, int stride, int before, int after, int dilation) {
        return Math.floorDiv(in + before + after - dilation * (k - 1) - 1, stride) + 1;
    }

    /** Conv of x [N, C, H, W] with w [O, C/G, KH, KW] and bias [O] (or null). */
    public static Nd conv2d(Nd x, Nd w, Nd bias, Geometry g) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int o = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        int oh = outSize(h, kh, g.strideH(), g.top(), g.bottom(), g.dilationH());
        int ow = outSize(wd, kw, g.strideW(), g.left(), g.right(), g.dilationW());
        int perGroupOut = o / g.groups();
        Nd y = Nd.zeros(n, o, oh, ow);
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int group = oc / perGroupOut;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias.at(oc);
                        for (int ci = 0; ci < cg; ci++) {
                            int ic = group * cg + ci;
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int r = i * g.strideH() + u * g.dilationH() - g.top();
                                    int col = j * g.strideW() + v * g.dilationW() - g.left();
                                    s += w.at(((oc * cg + ci) * kh + u) * kw + v) * padded(x, b, ic, r, col, h, wd, c, g.circular());
                                }
                            }
                        }
                        y.data()[((b * o + oc) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /** x[b, ch, r, col], or its padding value when (r, col) is outside the input. */
    private static double padded(Nd x, int b, int ch, int r, int col, int h, int w, int c, boolean circular) {
        if (circular) {
            r = Math.floorMod(r, h);
            col = Math.floorMod(col, w);
        } else if (r < 0 || r >= h || col < 0 || col >= w) {
            return 0;
        }
        return x.at(((b * c + ch) * h + r) * w + col);
    }
}
