package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.tensor.Tensor;

/**
 * Cross-entropy of logits {@code [N, C]} against INT64 or INT32 class indices {@code [N]} (or
 * logits {@code [N, C, d1, ...]} against per-position targets {@code [N, d1, ...]}), fused with
 * log-softmax, with optional label smoothing (the target becomes {@code (1-s)*onehot + s/C}) and
 * an ignored target value (default -100: those positions add no loss and no gradient, and the mean
 * is over the others), as PyTorch's {@code nn.CrossEntropyLoss}.
 */
public final class CrossEntropyLoss implements Loss {
    private final Reduction reduction;
    private final float labelSmoothing;
    private final long ignoreIndex;

    /** Mean over the counted positions, no smoothing, ignore index -100. */
    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0f);
    }

    /**
     * A cross-entropy loss with the given reduction and label smoothing, ignore index -100.
     *
     * @param reduction how per-sample losses are combined (mean, sum, none)
     * @param labelSmoothing weight {@code s} moved from the true class to a uniform distribution, in [0, 1]
     * @throws IllegalArgumentException if {@code labelSmoothing} is not in [0, 1]
     */
    public CrossEntropyLoss(Reduction reduction, float labelSmoothing) {
        this(reduction, labelSmoothing, CrossEntropySpec.DEFAULT_IGNORE_INDEX);
    }

    /**
     * A cross-entropy loss with the given reduction, label smoothing and ignored target value
     * (PyTorch's {@code ignore_index}, e.g. the value padded targets carry).
     *
     * @param reduction how per-position losses are combined (mean over the counted positions, sum, none)
     * @param labelSmoothing weight {@code s} moved from the true class to a uniform distribution, in [0, 1]
     * @param ignoreIndex the target value of positions that add no loss and no gradient
     * @throws IllegalArgumentException if {@code labelSmoothing} is not in [0, 1]
     */
    public CrossEntropyLoss(Reduction reduction, float labelSmoothing, long ignoreIndex) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.reduction = java.util.Objects.requireNonNull(reduction, "reduction");
        this.labelSmoothing = labelSmoothing;
        this.ignoreIndex = ignoreIndex;
    }

    /** {@return the target value whose positions are ignored} */
    public long ignoreIndex() {
        return ignoreIndex;
    }

    /**
     * Logits {@code [N, C]} (or {@code [N, C, d1, ...]}), targets INT64 or INT32 {@code [N]} (or
     * {@code [N, d1, ...]}); returns {@code []}, or the targets' shape for {@link Reduction#NONE}.
     */
    @Override
    public Tensor apply(Tensor logits, Tensor targets) {
        return Functional.crossEntropy(logits, targets, reduction, labelSmoothing, ignoreIndex);
    }
}
