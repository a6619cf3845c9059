package dev.kiln.spi;

/**
 * Softmax (or log-softmax) over the middle axis of a contiguous tensor viewed as
 * {@code [outer, dim, inner]} (e.g. NCHW over channels: outer=N, dim=C, inner=H*W).
 *
 * @param outer product of the dimensions before the softmax axis
 * @param dim   length of the softmax axis, at least 1
 * @param inner product of the dimensions after the softmax axis
 * @param log   compute log-softmax instead (numerically stable, not {@code log(softmax)})
 */
public record SoftmaxSpec(int outer, int dim, int inner, boolean log) {
    /**
     * Checks the view.
     *
     * @throws IllegalArgumentException if {@code dim} is below 1 or another size is negative
     */
    public SoftmaxSpec {
        if (outer < 0 || dim < 1 || inner < 0) throw new IllegalArgumentException("softmax: invalid view [" + outer + ", " + dim + ", " + inner + "]");
    }

    /** {@return elements of the tensor, {@code outer * dim * inner}} */
    public long numel() { return (long) outer * dim * inner; }
}
