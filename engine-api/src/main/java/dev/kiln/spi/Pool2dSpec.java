package dev.kiln.spi;

/**
 * 2-D max or average pooling over NCHW, PyTorch semantics. Padding is symmetric and at most
 * half the kernel. With {@code ceilMode} the output size rounds up, but the last window must
 * start inside the input or the left padding (PyTorch's rule). For average pooling the divisor
 * is the window clipped to the padded input when {@code countIncludePad}, else the number of
 * real input cells in the window. {@code dilation} applies to max pooling only (1 for average).
 * Input {@code [n, c, h, w]}, output {@code [n, c, outH, outW]}.
 *
 * @param n                batch size
 * @param c                channels
 * @param h                input height
 * @param w                input width
 * @param kh               window height, at least 1
 * @param kw               window width, at least 1
 * @param strideH          vertical step between windows, at least 1
 * @param strideW          horizontal step between windows, at least 1
 * @param padH             implicit padding above and below, at most {@code kh/2}
 * @param padW             implicit padding left and right, at most {@code kw/2}
 * @param dilationH        spacing between window rows (max pooling), at least 1
 * @param dilationW        spacing between window columns (max pooling), at least 1
 * @param ceilMode         round the output size up instead of down
 * @param countIncludePad  average pooling: divide by the window including padded cells
 */
public record Pool2dSpec(int n, int c, int h, int w, int kh, int kw, int strideH, int strideW,
                         int padH, int padW, int dilationH, int dilationW, boolean ceilMode,
                         boolean countIncludePad) {
    /**
     * Validates the geometry.
     *
     * @throws IllegalArgumentException if a window size, stride or dilation is below 1, a
     *     padding is negative or more than half the window, or the window does not fit in the
     *     padded input
     */
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

    /**
     * PyTorch's pooling output length along one dimension, including the ceil-mode correction
     * (a last window that would start in the right padding is dropped).
     *
     * @param in       input length
     * @param k        window length
     * @param stride   step between windows
     * @param pad      implicit padding on each side
     * @param dilation spacing between window taps
     * @param ceil     round up instead of down
     * @return the number of windows; 0 when the window is longer than the padded input
     */
    public static int outSize(int in, int k, int stride, int pad, int dilation, boolean ceil) {
        int span = in + 2 * pad - dilation * (k - 1) - 1;
        if (span < 0) return 0;
        int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) out--;
        return out;
    }

    /** {@return the output height} */
    public int outH() { return outSize(h, kh, strideH, padH, dilationH, ceilMode); }
    /** {@return the output width} */
    public int outW() { return outSize(w, kw, strideW, padW, dilationW, ceilMode); }
    /** {@return the input shape {@code [n, c, h, w]} (a new array)} */
    public int[] inputShape() { return new int[] {n, c, h, w}; }
    /** {@return the output shape {@code [n, c, outH(), outW()]} (a new array)} */
    public int[] outputShape() { return new int[] {n, c, outH(), outW()}; }
}
