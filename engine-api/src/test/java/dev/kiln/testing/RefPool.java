package dev.kiln.testing;

/**
 * Float64 references for pooling with PyTorch's semantics: symmetric padding, dilation (max
 * only), ceil mode (a last window that would start in the right padding is dropped) and
 * average pooling with or without counting padded cells.
 */
public final class RefPool {
    private RefPool() {}

    /** Pooling geometry. */
    public record Window(int kh, int kw, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                         boolean ceilMode, boolean countIncludePad) {}

    /**
     * PyTorch's pooling output size: {@code floor_or_ceil((in + 2p - d(k-1) - 1) / s) + 1}, minus one
     * in ceil mode when the last window would start at or past {@code in + p}.
     */
    public static int outSize(int in, int k, int stride, int pad, int dilation, boolean ceil) {
        int span = in + 2 * pad - dilation * (k - 1) - 1;
        int out = (ceil ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + pad) out--;
        return out;
    }

    /** Max over each window; padded cells never win. */
    public static Nd maxPool2d(Nd x, Window p) {
        return pool(x, p, true);
    }

    /** Average over each window. */
    public static Nd avgPool2d(Nd x, Window p) {
        return pool(x, p, false);
    }

    private static Nd pool(Nd x, Window p, boolean max) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = outSize(h, p.kh(), p.strideH(), p.padH(), p.dilationH(), p.ceilMode());
        int ow = outSize(w, p.kw(), p.strideW(), p.padW(), p.dilationW(), p.ceilMode());
        Nd y = Nd.zeros(n, c, oh, ow);
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    y.data()[(plane * oh + i) * ow + j] = max ? windowMax(x, plane, i, j, p) : windowMean(x, plane, i, j, p);
                }
            }
        }
        return y;
    }

    private static double windowMax(Nd x, int plane, int i, int j, Window p) {
        int h = x.dim(2), w = x.dim(3);
        double best = Double.NEGATIVE_INFINITY;
        for (int u = 0; u < p.kh(); u++) {
            for (int v = 0; v < p.kw(); v++) {
                int r = i * p.strideH() - p.padH() + u * p.dilationH(), col = j * p.strideW() - p.padW() + v * p.dilationW();
                if (r >= 0 && r < h && col >= 0 && col < w) best = Math.max(best, x.at((plane * h + r) * w + col));
            }
        }
        return best;
    }

    /**
     * The window's real cells summed, divided by the window size clipped to the padded input
     * (count_include_pad) or by the number of real cells.
     */
    private static double windowMean(Nd x, int plane, int i, int j, Window p) {
        int h = x.dim(2), w = x.dim(3);
        int r0 = i * p.strideH() - p.padH(), c0 = j * p.strideW() - p.padW();
        int r1 = Math.min(r0 + p.kh(), h + p.padH()), c1 = Math.min(c0 + p.kw(), w + p.padW());
        int paddedCells = (r1 - r0) * (c1 - c0);
        double sum = 0;
        int real = 0;
        for (int r = Math.max(r0, 0); r < Math.min(r1, h); r++) {
            for (int col = Math.max(c0, 0); col < Math.min(c1, w); col++) {
                sum += x.at((plane * h + r) * w + col);
                real++;
            }
        }
        return sum / (p.countIncludePad() ? paddedCells : real);
    }

    /** Mean over H and W: [N, C, H, W] -> [N, C, 1, 1]. */
    public static Nd globalAvgPool2d(Nd x) {
        return RefMath.mean(x, true, 2, 3);
    }
}
