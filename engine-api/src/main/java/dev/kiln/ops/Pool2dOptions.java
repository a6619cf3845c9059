package dev.kiln.ops;

/**
 * Options of 2-D max/average pooling (PyTorch semantics), built fluently:
 * {@code Pool2dOptions.kernel(2)}, {@code Pool2dOptions.kernel(3).stride(2).padding(1).ceilMode(true)}.
 * Stride defaults to the kernel size. Dilation applies to max pooling only;
 * {@code countIncludePad} to average pooling only (default true, as in PyTorch).
 *
 * @param kernelH         window height, at least 1
 * @param kernelW         window width, at least 1
 * @param strideH         vertical step between windows, at least 1
 * @param strideW         horizontal step between windows, at least 1
 * @param padH            implicit padding above and below, at least 0 (at most half the window when used)
 * @param padW            implicit padding left and right, at least 0 (at most half the window when used)
 * @param dilationH       spacing between window rows (max pooling), at least 1
 * @param dilationW       spacing between window columns (max pooling), at least 1
 * @param ceilMode        round the output size up instead of down
 * @param countIncludePad average pooling divides by the window including padded cells
 */
public record Pool2dOptions(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                            int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad) {
    /**
     * Checks each option on its own (the fit against an input is checked when the op runs).
     *
     * @throws IllegalArgumentException if a window size, stride or dilation is below 1 or a padding is negative
     */
    public Pool2dOptions {
        if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("pool2d: kernel size must be >= 1, got (" + kernelH + ", " + kernelW + ")");
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("pool2d: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("pool2d: padding must be >= 0, got (" + padH + ", " + padW + ")");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("pool2d: dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
    }

    /**
     * {@return a k x k window with stride k, no padding}
     *
     * @param k window height and width
     * @throws IllegalArgumentException if {@code k} is below 1
     */
    public static Pool2dOptions kernel(int k) { return kernel(k, k); }

    /**
     * {@return a kh x kw window with stride (kh, kw), no padding}
     *
     * @param kh window height
     * @param kw window width
     * @throws IllegalArgumentException if a size is below 1
     */
    public static Pool2dOptions kernel(int kh, int kw) { return new Pool2dOptions(kh, kw, kh, kw, 0, 0, 1, 1, false, true); }

    /**
     * {@return a copy with the same stride in both directions}
     *
     * @param s step between windows
     */
    public Pool2dOptions stride(int s) { return stride(s, s); }
    /**
     * {@return a copy with the given strides}
     *
     * @param sh vertical step
     * @param sw horizontal step
     */
    public Pool2dOptions stride(int sh, int sw) { return new Pool2dOptions(kernelH, kernelW, sh, sw, padH, padW, dilationH, dilationW, ceilMode, countIncludePad); }
    /**
     * {@return a copy with the same implicit padding on every side}
     *
     * @param p cells per side
     */
    public Pool2dOptions padding(int p) { return padding(p, p); }
    /**
     * {@return a copy with the given implicit padding}
     *
     * @param ph cells above and below
     * @param pw cells left and right
     */
    public Pool2dOptions padding(int ph, int pw) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, ph, pw, dilationH, dilationW, ceilMode, countIncludePad); }
    /**
     * {@return a copy with the given dilation in both directions (max pooling only)}
     *
     * @param d spacing between window taps
     */
    public Pool2dOptions dilation(int d) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, d, d, ceilMode, countIncludePad); }
    /**
     * {@return a copy with the output size rounded up ({@code true}) or down}
     *
     * @param c round up
     */
    public Pool2dOptions ceilMode(boolean c) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, c, countIncludePad); }
    /**
     * {@return a copy with the average-pooling divisor rule set}
     *
     * @param c count padded cells in the divisor
     */
    public Pool2dOptions countIncludePad(boolean c) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode, c); }
}
