package dev.kiln.spi;

/**
 * Batch normalisation over a contiguous {@code [n, c, spatial]} view (spatial = H*W, or 1
 * for [N, C] inputs), per channel. Training uses batch statistics (biased variance to
 * normalise) and updates running stats with {@code running = (1-momentum)*running +
 * momentum*batch}, the variance term unbiased (PyTorch's rule).
 *
 * @param n        batch size
 * @param c        channels (one mean, variance, scale and shift each)
 * @param spatial  elements per channel per sample (H*W, or 1)
 * @param eps      added to the variance before the square root, greater than 0
 * @param momentum weight of the batch statistic in the running-stat update, in [0, 1]
 */
public record BatchNormSpec(int n, int c, int spatial, float eps, float momentum) {
    /**
     * Checks the view and the hyper-parameters.
     *
     * @throws IllegalArgumentException if a size is below 1, {@code eps} is not positive or
     *     {@code momentum} is outside [0, 1]
     */
    public BatchNormSpec {
        if (n < 1 || c < 1 || spatial < 1) throw new IllegalArgumentException("batch_norm: invalid view [" + n + ", " + c + ", " + spatial + "]");
        if (!(eps > 0)) throw new IllegalArgumentException("batch_norm: eps must be > 0, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("batch_norm: momentum must be in [0, 1], got " + momentum);
    }

    /** {@return elements of the input, {@code n * c * spatial}} */
    public long numel() { return (long) n * c * spatial; }
}
