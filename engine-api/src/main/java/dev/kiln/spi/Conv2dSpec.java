package dev.kiln.spi;

/**
 * A 2-D cross-correlation as backends compute it: NCHW input {@code [n, c, h, w]}, weight
 * {@code [outC, c/groups, kh, kw]}, symmetric zero padding. Asymmetric and circular padding
 * are applied by the API with an explicit {@code pad2d} before the backend is called, so a
 * backend only ever sees this form (cuDNN's). Output size per dimension is
 * {@code floor((in + 2*pad - dil*(k-1) - 1) / stride) + 1}.
 */
public record Conv2dSpec(int n, int c, int h, int w, int outC, int kh, int kw,
                         int strideH, int strideW, int padH, int padW,
                         int dilationH, int dilationW, int groups) {
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

    /** {@code floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1}; may be < 1 when invalid. */
    public static int outSize(int in, int k, int stride, int padBefore, int padAfter, int dilation) {
        int span = in + padBefore + padAfter - dilation * (k - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    public int outH() { return outSize(h, kh, strideH, padH, padH, dilationH); }
    public int outW() { return outSize(w, kw, strideW, padW, padW, dilationW); }
    /** Input channels per group. */
    public int cPerGroup() { return c / groups; }
    public int[] inputShape() { return new int[] {n, c, h, w}; }
    public int[] weightShape() { return new int[] {outC, c / groups, kh, kw}; }
    public int[] outputShape() { return new int[] {n, outC, outH(), outW()}; }
    /** Multiply-adds times two for the forward pass. */
    public double flops() { return 2.0 * n * outC * outH() * outW() * cPerGroup() * kh * kw; }
}
