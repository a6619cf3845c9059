package dev.kiln.spi;

/**
 * Softmax (or log-softmax) over the middle axis of a contiguous tensor viewed as
 * {@code [outer, dim, inner]} (e.g. NCHW over channels: outer=N, dim=C, inner=H*W).
 */
public record SoftmaxSpec(int outer, int dim, int inner, boolean log) {
    public SoftmaxSpec {
        if (outer < 0 || dim < 1 || inner < 0) throw new IllegalArgumentException("softmax: invalid view [" + outer + ", " + dim + ", " + inner + "]");
    }

    public long numel() { return (long) outer * dim * inner; }
}
