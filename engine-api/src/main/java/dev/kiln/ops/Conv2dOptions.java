package dev.kiln.ops;

/**
 * Options of a 2-D convolution; immutable, built fluently:
 * {@code Conv2dOptions.defaults().stride(2).padding(Padding.same()).groups(2)}.
 *
 * @param strideH     vertical stride (>= 1)
 * @param strideW     horizontal stride (>= 1)
 * @param padding     padding (default valid)
 * @param dilationH   vertical dilation (>= 1)
 * @param dilationW   horizontal dilation (>= 1)
 * @param groups      groups (divides in and out channels)
 * @param paddingMode zeros (default) or circular
 */
public record Conv2dOptions(int strideH, int strideW, Padding padding, int dilationH, int dilationW, int groups,
                            PaddingMode paddingMode) {
    /**
     * Checks each option on its own (the fit against an input is checked when the op runs).
     *
     * @throws IllegalArgumentException if a stride, dilation or group count is below 1
     * @throws NullPointerException if {@code padding} or {@code paddingMode} is null
     */
    public Conv2dOptions {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("conv2d: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("conv2d: dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
        if (groups < 1) throw new IllegalArgumentException("conv2d: groups must be >= 1, got " + groups);
        java.util.Objects.requireNonNull(padding, "padding");
        java.util.Objects.requireNonNull(paddingMode, "paddingMode");
    }

    /** {@return stride 1, no padding, dilation 1, one group, zero padding mode} */
    public static Conv2dOptions defaults() {
        return new Conv2dOptions(1, 1, Padding.valid(), 1, 1, 1, PaddingMode.ZEROS);
    }

    /**
     * {@return a copy with the same stride in both directions}
     *
     * @param s step between output positions
     */
    public Conv2dOptions stride(int s) { return new Conv2dOptions(s, s, padding, dilationH, dilationW, groups, paddingMode); }
    /**
     * {@return a copy with the given strides}
     *
     * @param sh vertical step
     * @param sw horizontal step
     */
    public Conv2dOptions stride(int sh, int sw) { return new Conv2dOptions(sh, sw, padding, dilationH, dilationW, groups, paddingMode); }
    /**
     * {@return a copy with the given padding}
     *
     * @param p explicit, symmetric, asymmetric or {@link Padding#same()}
     */
    public Conv2dOptions padding(Padding p) { return new Conv2dOptions(strideH, strideW, p, dilationH, dilationW, groups, paddingMode); }
    /**
     * {@return a copy with {@code p} zero cells on every side}
     *
     * @param p cells per side
     */
    public Conv2dOptions padding(int p) { return padding(Padding.of(p)); }
    /**
     * {@return a copy with the same dilation in both directions}
     *
     * @param d spacing between kernel taps
     */
    public Conv2dOptions dilation(int d) { return new Conv2dOptions(strideH, strideW, padding, d, d, groups, paddingMode); }
    /**
     * {@return a copy with the given dilations}
     *
     * @param dh spacing between kernel rows
     * @param dw spacing between kernel columns
     */
    public Conv2dOptions dilation(int dh, int dw) { return new Conv2dOptions(strideH, strideW, padding, dh, dw, groups, paddingMode); }
    /**
     * {@return a copy with {@code g} channel groups (each output channel sees {@code in/g} input channels)}
     *
     * @param g groups; must divide both channel counts
     */
    public Conv2dOptions groups(int g) { return new Conv2dOptions(strideH, strideW, padding, dilationH, dilationW, g, paddingMode); }
    /**
     * {@return a copy with the given padding fill}
     *
     * @param m zeros or circular
     */
    public Conv2dOptions paddingMode(PaddingMode m) { return new Conv2dOptions(strideH, strideW, padding, dilationH, dilationW, groups, m); }
}
