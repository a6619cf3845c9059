package dev.kiln.spi;

/**
 * Explicit 2-D padding of the last two dims of an NCHW tensor, by zeros or circularly
 * (wrap-around, as PyTorch's {@code padding_mode='circular'}; each pad must be <= the size).
 */
public record PadSpec(int n, int c, int h, int w, int top, int bottom, int left, int right, Mode mode) {
    /** How padded cells are filled. */
    public enum Mode { ZEROS, CIRCULAR }

    public PadSpec {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("pad2d: padding must be >= 0, got (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right + ")");
        }
        if (mode == Mode.CIRCULAR && (top > h || bottom > h || left > w || right > w)) {
            throw new IllegalArgumentException("pad2d: circular padding (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right
                    + ") must not exceed the input size (" + h + ", " + w + ")");
        }
    }

    public int outH() { return h + top + bottom; }
    public int outW() { return w + left + right; }
    public int[] outputShape() { return new int[] {n, c, outH(), outW()}; }
}
