package dev.kiln.spi;

/**
 * Cross-entropy fused with log-softmax over logits {@code [n, classes]} and int32 class
 * indices {@code [n]}. With label smoothing {@code s}, the target distribution is
 * {@code (1-s)} on the true class plus {@code s/classes} on every class (PyTorch's rule):
 * {@code loss_i = -(1-s) * logp[i, y_i] - (s/classes) * sum_j logp[i, j]}.
 *
 * @param n              rows (samples)
 * @param classes        columns (classes)
 * @param labelSmoothing {@code s}, in [0, 1]
 */
public record CrossEntropySpec(int n, int classes, float labelSmoothing) {
    /**
     * Checks the sizes and the smoothing.
     *
     * @throws IllegalArgumentException if a size is below 1 or the smoothing is outside [0, 1]
     */
    public CrossEntropySpec {
        if (n < 1 || classes < 1) throw new IllegalArgumentException("cross_entropy: invalid sizes n=" + n + " classes=" + classes);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("cross_entropy: label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
    }
}
