package dev.kiln.spi;

/**
 * A 2-D cross-correlation as backends compute it: NCHW input {@code [n, c, h, w]}, weight
 * {@code [outC, c/groups, kh, kw]}, symmetric zero padding. Asymmetric and circular padding
 * are applied by the API with an explicit {@code pad2d} before the backend is called, so a
 * backend only ever sees this form (cuDNN's). Output size per dimension is
 * {@code floor((in + 2*pad - dil*(k-1) - 1) / stride) + 1}; output {@code [n, outC, outH, outW]}.
 * The record is a value: backends key their algorithm and descriptor caches by it.
 *
 * @param n         batch size
 * @param c         input channels
 * @param h         input height
 * @param w         input width
 * @param outC      output channels (filters)
 * @param kh        kernel height
 * @param kw        kernel width
 * @param strideH   vertical stride, at least 1
 * @param strideW   horizontal stride, at least 1
 * @param padH      zeros added above and below, at least 0
 * @param padW      zeros added left and right, at least 0
 * @param dilationH spacing between kernel rows, at least 1 (1 = dense)
 * @param dilationW spacing between kernel columns, at least 1
 * @param groups    channel groups; divides both {@code c} and {@code outC} (c = groups: depthwise)
 */
public record Conv2dSpec(int n, int c, int h, int w, int outC, int kh, int kw,
                         int strideH, int strideW, int padH, int padW,
                         int dilationH, int dilationW, int groups) {
    /**
     * Validates the geometry.
     *
     * @throws IllegalArgumentException if a size, stride or dilation is below 1, a padding is
     *     negative, {@code groups} does not divide both channel counts, or the dilated kernel
     *     does not fit in the padded input
     */
    public Conv2dSpec {
        if (n < 1 || c < 1 || h < 1 || w < 1 || outC < 1 || kh < 1 || kw < 1) {
            throw new IllegalArgumentException("conv2d: sizes must be positive: " + describe(n, c, h, w, outC, kh, kw));
        }
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("conv2d: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("conv2d: dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("conv2d: padding must be >= 0, got (" + padH + ", " + padW + ")");
        if (groups < 1 || c % groups != 0 || outC % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups=" + groups + " must divide in_channels=" + c + " and out_channels=" + outC);
        }
        if (outSize(h, kh, strideH, padH, padH, dilationH) < 1 || outSize(w, kw, strideW, padW, padW, dilationW) < 1) {
            throw new IllegalArgumentException("conv2d: kernel size (" + (dilationH * (kh - 1) + 1) + ", " + (dilationW * (kw - 1) + 1)
                    + ") (dilated) is larger than the padded input (" + (h + 2 * padH) + ", " + (w + 2 * padW) + ")");
        }
    }

    private static String describe(int n, int c, int h, int w, int outC, int kh, int kw) {
        return "input [" + n + ", " + c + ", " + h + ", " + w + "], weight [" + outC + ", ?, " + kh + ", " + kw + "]";
    }

    /**
     * Output length of a convolution along one dimension:
     * {@code floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1}, or 0 when the
     * dilated kernel is longer than the padded input.
     *
     * @param in        input length
     * @param k         kernel length
     * @param stride    step between windows
     * @param padBefore zeros before the input
     * @param padAfter  zeros after the input
     * @param dilation  spacing between kernel taps
     * @return the number of output positions; less than 1 means the geometry is invalid
     */
    public static int outSize(int in, int k, int stride, int padBefore, int padAfter, int dilation) {
        int span = in + padBefore + padAfter - dilation * (k - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    /** {@return the output height} */
    public int outH() { return outSize(h, kh, strideH, padH, padH, dilationH); }
    /** {@return the output width} */
    public int outW() { return outSize(w, kw, strideW, padW, padW, dilationW); }
    /** {@return input channels per group, {@code c / groups}} */
    public int cPerGroup() { return c / groups; }
    /** {@return the input shape {@code [n, c, h, w]} (a new array)} */
    public int[] inputShape() { return new int[] {n, c, h, w}; }
    /** {@return the weight shape {@code [outC, c/groups, kh, kw]} (a new array)} */
    public int[] weightShape() { return new int[] {outC, c / groups, kh, kw}; }
    /** {@return the output shape {@code [n, outC, outH(), outW()]} (a new array)} */
    public int[] outputShape() { return new int[] {n, outC, outH(), outW()}; }
    /** {@return floating-point operations of the forward pass (two per multiply-add)} */
    public double flops() { return 2.0 * n * outC * outH() * outW() * cPerGroup() * kh * kw; }
}
