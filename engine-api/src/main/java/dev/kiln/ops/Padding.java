package dev.kiln.ops;

/**
 * Convolution padding: {@link #valid()} (none), {@link #same()} (output size = input size,
 * stride 1 only; an odd total puts the extra cell at the bottom/right, as PyTorch does), or
 * explicit per side.
 */
public sealed interface Padding {
    /** {@return no padding} */
    static Padding valid() {
        return new Explicit(0, 0, 0, 0);
    }

    /** {@return padding that keeps the output the input's size (stride must be 1)} */
    static Padding same() {
        return Same.INSTANCE;
    }

    /**
     * {@return {@code p} cells on every side}
     *
     * @param p cells per side, at least 0
     */
    static Padding of(int p) {
        return new Explicit(p, p, p, p);
    }

    /**
     * {@return {@code ph} above and below, {@code pw} left and right}
     *
     * @param ph cells above and below, at least 0
     * @param pw cells left and right, at least 0
     */
    static Padding of(int ph, int pw) {
        return new Explicit(ph, ph, pw, pw);
    }

    /**
     * {@return each side given separately (asymmetric padding)}
     *
     * @param top    cells above
     * @param bottom cells below
     * @param left   cells on the left
     * @param right  cells on the right
     */
    static Padding of(int top, int bottom, int left, int right) {
        return new Explicit(top, bottom, left, right);
    }

    /** "same" padding, resolved against kernel and dilation when the op runs. */
    enum Same implements Padding {
        /** The only value. */
        INSTANCE
    }

    /**
     * Explicit cells per side.
     *
     * @param top    cells above, at least 0
     * @param bottom cells below, at least 0
     * @param left   cells on the left, at least 0
     * @param right  cells on the right, at least 0
     */
    record Explicit(int top, int bottom, int left, int right) implements Padding {
        /**
         * Checks the sides.
         *
         * @throws IllegalArgumentException if a side is negative
         */
        public Explicit {
            if (top < 0 || bottom < 0 || left < 0 || right < 0) {
                throw new IllegalArgumentException("conv2d: padding must be >= 0, got (top " + top + ", bottom " + bottom
                        + ", left " + left + ", right " + right + ")");
            }
        }
    }
}
