package dev.kiln.spi;

/**
 * The {@code k} largest (or smallest) elements and their indices along the middle axis of a
 * contiguous tensor viewed as {@code [outer, dim, inner]}; outputs are {@code [outer, k, inner]}.
 * Order: by value, descending when {@code largest} (else ascending), equal values by ascending
 * index; a NaN counts as larger than every number (PyTorch's {@code topk}). {@code sorted = false}
 * allows any order of the selected elements (backends may still sort them).
 *
 * <p>The same spec describes the backward ({@link Backend#topkBackward}), which max and min along a
 * dimension use too, with {@code k = 1}.
 *
 * @param outer   product of the dimensions before the axis
 * @param dim     length of the axis
 * @param inner   product of the dimensions after the axis
 * @param k       elements selected per line, {@code 0 <= k <= dim}
 * @param largest select the largest (true) or the smallest (false)
 * @param sorted  return the selection in the order above
 */
public record TopkSpec(int outer, int dim, int inner, int k, boolean largest, boolean sorted) {
    /**
     * Checks the view and {@code k}.
     *
     * @throws IllegalArgumentException if a size is negative or {@code k} exceeds {@code dim}
     */
    public TopkSpec {
        if (outer < 0 || dim < 0 || inner < 0 || k < 0 || k > dim) {
            throw new IllegalArgumentException("topk: invalid view [" + outer + ", " + dim + ", " + inner + "] with k=" + k);
        }
    }

    /** {@return elements of the input, {@code outer * dim * inner}} */
    public long numel() {
        return (long) outer * dim * inner;
    }

    /** {@return elements of each output, {@code outer * k * inner}} */
    public long outNumel() {
        return (long) outer * k * inner;
    }
}
