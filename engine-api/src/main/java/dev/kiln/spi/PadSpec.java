package dev.kiln.spi;

/**
 * Explicit 2-D padding of the last two dims of an NCHW tensor, by zeros or circularly
 * (wrap-around, as PyTorch's {@code padding_mode='circular'}; each pad must be at most the
 * size of its dimension). Input {@code [n, c, h, w]}, output {@code [n, c, top+h+bottom,
 * left+w+right]}.
 *
 * @param n      batch size
 * @param c      channels
 * @param h      input height
 * @param w      input width
 * @param top    rows added above, at least 0
 * @param bottom rows added below, at least 0
 * @param left   columns added on the left, at least 0
 * @param right  columns added on the right, at least 0
 * @param mode   how the added cells are filled
 */
public record PadSpec(int n, int c, int h, int w, int top, int bottom, int left, int right, Mode mode) {
    /** How padded cells are filled. */
    public enum Mode {
        /** Added cells are 0. */
        ZEROS,
        /** Added cells repeat the opposite edge, as if the image were tiled. */
        CIRCULAR
    }

    /**
     * Checks the padding.
     *
     * @throws IllegalArgumentException if a pad is negative, or with {@link Mode#CIRCULAR} larger
     *     than the input's height (top, bottom) or width (left, right)
     */
    public PadSpec {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("pad2d: padding must be >= 0, got (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right + ")");
        }
        if (mode == Mode.CIRCULAR && (top > h || bottom > h || left > w || right > w)) {
            throw new IllegalArgumentException("pad2d: circular padding (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right
                    + ") must not exceed the input size (" + h + ", " + w + ")");
        }
    }

    /** {@return the padded height, {@code top + h + bottom}} */
    public int outH() { return h + top + bottom; }
    /** {@return the padded width, {@code left + w + right}} */
    public int outW() { return w + left + right; }
    /** {@return the output shape {@code [n, c, outH(), outW()]} (a new array)} */
    public int[] outputShape() { return new int[] {n, c, outH(), outW()}; }
}
