package dev.kiln.spi;

/**
 * Batch normalisation over a contiguous {@code [n, c, spatial]} view (spatial = H*W, or 1
 * for [N, C] inputs), per channel. Training uses batch statistics (biased variance to
 * normalise) and updates running stats with {@code running = (1-momentum)*running +
 * momentum*batch}, the variance term unbiased (PyTorch's rule).
 */
public record BatchNormSpec(int n, int c, int spatial, float eps, float momentum) {
    public BatchNormSpec {
        if (n < 1 || c < 1 || spatial < 1) throw new IllegalArgumentException("batch_norm: invalid view [" + n + ", " + c + ", " + spatial + "]");
        if (!(eps > 0)) throw new IllegalArgumentException("batch_norm: eps must be > 0, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("batch_norm: momentum must be in [0, 1], got " + momentum);
    }

    public long numel() { return (long) n * c * spatial; }
}
