package dev.kiln.spi;

import dev.kiln.tensor.DType;
import java.util.Objects;

/**
 * Cross-entropy fused with log-softmax over logits {@code [n, classes, inner]} (row-major; inner
 * is 1 for {@code [n, classes]}, the product of the trailing sizes for {@code [n, classes, d1, ...]})
 * and class indices {@code [n, inner]} of {@code targetType} (INT32 or INT64): one loss per
 * position {@code p = i * inner + k}, the classes of position p lying {@code inner} elements apart.
 * With label smoothing {@code s}, the target distribution is {@code (1-s)} on the true class plus
 * {@code s/classes} on every class (PyTorch's rule):
 * {@code loss_p = -(1-s) * logp[p, y_p] - (s/classes) * sum_j logp[p, j]}. A position whose target
 * equals {@code ignoreIndex} has loss 0 and gradient 0 and is not counted.
 *
 * @param n              samples (the logits' first size)
 * @param classes        classes (the logits' second size)
 * @param inner          positions per sample: the product of the sizes after the class dimension, 1 for none
 * @param labelSmoothing {@code s}, in [0, 1]
 * @param ignoreIndex    the target value of positions to ignore (PyTorch's default is -100)
 * @param targetType     INT32 or INT64
 */
public record CrossEntropySpec(int n, int classes, int inner, float labelSmoothing, long ignoreIndex, DType targetType) {
    /** PyTorch's default {@code ignore_index}. */
    public static final long DEFAULT_IGNORE_INDEX = -100;

    /**
     * Checks the sizes, the smoothing and the target type.
     *
     * @throws IllegalArgumentException if a size is below 1, the smoothing is outside [0, 1] or the target type is not
     *                                  INT32 or INT64
     */
    public CrossEntropySpec {
        if (n < 1 || classes < 1 || inner < 1) {
            throw new IllegalArgumentException("cross_entropy: invalid sizes n=" + n + " classes=" + classes + " inner=" + inner);
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("cross_entropy: label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
        Objects.requireNonNull(targetType, "targetType");
        if (targetType != DType.INT32 && targetType != DType.INT64) {
            throw new IllegalArgumentException("cross_entropy: targets must be INT64 or INT32, got " + targetType);
        }
        if ((long) n * inner > Integer.MAX_VALUE || (long) n * classes * inner > (1L << 62)) {
            throw new IllegalArgumentException("cross_entropy: too many positions, n=" + n + " inner=" + inner);
        }
    }

    /**
     * Logits {@code [n, classes]} and INT32 targets {@code [n]}, ignore index -100.
     *
     * @param n              rows (samples)
     * @param classes        columns (classes)
     * @param labelSmoothing {@code s}, in [0, 1]
     */
    public CrossEntropySpec(int n, int classes, float labelSmoothing) {
        this(n, classes, 1, labelSmoothing, DEFAULT_IGNORE_INDEX, DType.INT32);
    }

    /** {@return the number of positions (losses): {@code n * inner}} */
    public int positions() {
        return n * inner;
    }
}
