package dev.kiln.ops;

/**
 * Options of 2-D max/average pooling (PyTorch semantics), built fluently:
 * {@code Pool2dOptions.kernel(2)}, {@code Pool2dOptions.kernel(3).stride(2).padding(1).ceilMode(true)}.
 * Stride defaults to the kernel size. Dilation applies to max pooling only;
 * {@code countIncludePad} to average pooling only (default true, as in PyTorch).
 */
public record Pool2dOptions(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                            int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad) {
    public Pool2dOptions {
        if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("pool2d: kernel size must be >= 1, got (" + kernelH + ", " + kernelW + ")");
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("pool2d: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("pool2d: padding must be >= 0, got (" + padH + ", " + padW + ")");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("pool2d: dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
    }

    /** {@return a k x k window with stride k} */
    public static Pool2dOptions kernel(int k) { return kernel(k, k); }

    /** {@return a kh x kw window with stride (kh, kw)} */
    public static Pool2dOptions kernel(int kh, int kw) { return new Pool2dOptions(kh, kw, kh, kw, 0, 0, 1, 1, false, true); }

    public Pool2dOptions stride(int s) { return stride(s, s); }
    public Pool2dOptions stride(int sh, int sw) { return new Pool2dOptions(kernelH, kernelW, sh, sw, padH, padW, dilationH, dilationW, ceilMode, countIncludePad); }
    public Pool2dOptions padding(int p) { return padding(p, p); }
    public Pool2dOptions padding(int ph, int pw) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, ph, pw, dilationH, dilationW, ceilMode, countIncludePad); }
    public Pool2dOptions dilation(int d) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, d, d, ceilMode, countIncludePad); }
    public Pool2dOptions ceilMode(boolean c) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, c, countIncludePad); }
    public Pool2dOptions countIncludePad(boolean c) { return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode, c); }
}
