package dev.kiln.ops;

/**
 * Options of a 1-D convolution, PyTorch's {@code conv1d} arguments; immutable, built fluently:
 * {@code Conv1dOptions.defaults().stride(2).padding(3).groups(2)} or
 * {@code Conv1dOptions.defaults().paddingSame()}.
 *
 * @param stride      step between output positions (>= 1)
 * @param padding     zero (or circular) cells added on each side (>= 0); ignored when {@code same}
 * @param same        PyTorch's {@code padding='same'}: the output keeps the input length (stride 1
 *                    only); an odd total padding puts the extra cell on the right, as PyTorch
 * @param dilation    spacing between kernel taps (>= 1)
 * @param groups      groups (divides in and out channels)
 * @param paddingMode zeros (default) or circular
 */
public record Conv1dOptions(int stride, int padding, boolean same, int dilation, int groups, PaddingMode paddingMode) {
    /**
     * Checks each option on its own (the fit against an input is checked when the op runs).
     *
     * @throws IllegalArgumentException if the stride, dilation or group count is below 1, or the padding is negative
     * @throws NullPointerException if {@code paddingMode} is null
     */
    public Conv1dOptions {
        if (stride < 1) throw new IllegalArgumentException("conv1d: stride must be >= 1, got " + stride);
        if (padding < 0) throw new IllegalArgumentException("conv1d: padding must be >= 0, got " + padding);
        if (dilation < 1) throw new IllegalArgumentException("conv1d: dilation must be >= 1, got " + dilation);
        if (groups < 1) throw new IllegalArgumentException("conv1d: groups must be >= 1, got " + groups);
        java.util.Objects.requireNonNull(paddingMode, "paddingMode");
    }

    /** {@return stride 1, no padding ({@code 'valid'}), dilation 1, one group, zero padding mode} */
    public static Conv1dOptions defaults() {
        return new Conv1dOptions(1, 0, false, 1, 1, PaddingMode.ZEROS);
    }

    /**
     * {@return a copy with the given stride}
     *
     * @param s step between output positions
     */
    public Conv1dOptions stride(int s) { return new Conv1dOptions(s, padding, same, dilation, groups, paddingMode); }

    /**
     * {@return a copy with {@code p} cells of padding on each side (clears {@code 'same'})}
     *
     * @param p cells per side
     */
    public Conv1dOptions padding(int p) { return new Conv1dOptions(stride, p, false, dilation, groups, paddingMode); }

    /** {@return a copy with PyTorch's {@code padding='same'}} */
    public Conv1dOptions paddingSame() { return new Conv1dOptions(stride, 0, true, dilation, groups, paddingMode); }

    /** {@return a copy with PyTorch's {@code padding='valid'} (no padding)} */
    public Conv1dOptions paddingValid() { return padding(0); }

    /**
     * {@return a copy with the given dilation}
     *
     * @param d spacing between kernel taps
     */
    public Conv1dOptions dilation(int d) { return new Conv1dOptions(stride, padding, same, d, groups, paddingMode); }

    /**
     * {@return a copy with {@code g} channel groups (each output channel sees {@code in/g} input channels)}
     *
     * @param g groups; must divide both channel counts
     */
    public Conv1dOptions groups(int g) { return new Conv1dOptions(stride, padding, same, dilation, g, paddingMode); }

    /**
     * {@return a copy with the given padding fill}
     *
     * @param m zeros or circular
     */
    public Conv1dOptions paddingMode(PaddingMode m) { return new Conv1dOptions(stride, padding, same, dilation, groups, m); }

    /**
     * {@return the same convolution for {@code [N, C, 1, L]} inputs: stride, padding and dilation
     * along the width only}
     */
    public Conv2dOptions toConv2d() {
        Padding p = same ? Padding.same() : Padding.of(0, padding);
        return new Conv2dOptions(1, stride, p, 1, dilation, groups, paddingMode);
    }
}
