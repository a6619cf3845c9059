package dev.kiln.spi;

/**
 * 2-D max or average pooling over NCHW, PyTorch semantics. Padding is symmetric and at most
 * half the kernel. With {@code ceilMode} the output size rounds up, but the last window must
 * start inside the input or the left padding (PyTorch's rule). For average pooling the divisor
 * is the window clipped to the padded input when {@code countIncludePad}, else the number of
 * real input cells in the window. {@code dilation} applies to max pooling only (1 for average).
 */
public record Pool2dSpec(int n, int c, int h, int w, int kh, int kw, int strideH, int strideW,
                         int padH, int padW, int dilationH, int dilationW, boolean ceilMode,
                         boolean countIncludePad) {
    public Pool2dSpec {
        if (kh < 1 || kw < 1) throw new IllegalArgumentException("pool2d: kernel size must be >= 1, got (" + kh + ", " + kw + ")");
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("pool2d: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("pool2d: dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("pool2d: padding must be >= 0, got (" + padH + ", " + padW + ")");
        if (padH * 2 > kh || padW * 2 > kw) {
            throw new IllegalArgumentException("pool2d: padding (" + padH + ", " + padW + ") must be at most half the kernel size (" + kh + ", " + kw + ")");
        }
        int oh = outSize(h, kh, strideH, padH, dilationH, ceilMode), ow = outSize(w, kw, strideW, padW, dilationW, ceilMode);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("pool2d: kernel size (" + kh + ", " + kw + ") is larger than the padded input ("
                    + (h + 2 * padH) + ", " + (w + 2 * padW) + ")");
        }
    }

    /** PyTorch's pooling output size, including the ceil-mode correction. */
    public static int outSize(int in, int k, int stride, int pad, int dilation, boolean ceil) {
        int span = in + 2 * pad - dilation * (k - 1) - 1;
        if (span < 0) return 0;
        int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) out--;
        return out;
    }

    public int outH() { return outSize(h, kh, strideH, padH, dilationH, ceilMode); }
    public int outW() { return outSize(w, kw, strideW, padW, dilationW, ceilMode); }
    public int[] inputShape() { return new int[] {n, c, h, w}; }
    public int[] outputShape() { return new int[] {n, c, outH(), outW()}; }
}
