package dev.kiln.spi;

/**
 * The maximum (or minimum) and its index along the middle axis of a contiguous tensor viewed as
 * {@code [outer, dim, inner]}: for each line {@code (o, i)}, the value and the index {@code j} of
 * {@code x[o, j, i]} that wins. The first index wins among equal values, and a NaN wins over every
 * number (the first NaN of the line), for the minimum too: PyTorch's {@code max}/{@code min} along a
 * dimension on the CPU. Outputs are {@code [outer, inner]}.
 *
 * @param outer product of the dimensions before the reduced axis
 * @param dim   length of the reduced axis, at least 1
 * @param inner product of the dimensions after the reduced axis
 * @param max   true for the maximum, false for the minimum
 */
public record ArgReduceSpec(int outer, int dim, int inner, boolean max) {
    /**
     * Checks the view.
     *
     * @throws IllegalArgumentException if {@code dim} is below 1 or another size is negative
     */
    public ArgReduceSpec {
        if (outer < 0 || dim < 1 || inner < 0) {
            throw new IllegalArgumentException("argReduce: invalid view [" + outer + ", " + dim + ", " + inner + "]");
        }
    }

    /** {@return elements of the input, {@code outer * dim * inner}} */
    public long numel() {
        return (long) outer * dim * inner;
    }

    /** {@return elements of each output, {@code outer * inner}} */
    public long lines() {
        return (long) outer * inner;
    }
}
