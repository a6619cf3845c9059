package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.tensor.Tensor;

/**
 * Cross-entropy of logits {@code [N, C]} against INT32 class indices {@code [N]}, fused with
 * log-softmax, with optional label smoothing (the target becomes
 * {@code (1-s)*onehot + s/C}), as PyTorch's {@code nn.CrossEntropyLoss}.
 */
public final class CrossEntropyLoss implements Loss {
    private final Reduction reduction;
    private final float labelSmoothing;

    /** Mean over the batch, no smoothing. */
    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0f);
    }

    /**
     * A cross-entropy loss with the given reduction and label smoothing.
     *
     * @param reduction how per-sample losses are combined (mean, sum, none)
     * @param labelSmoothing weight {@code s} moved from the true class to a uniform distribution, in [0, 1]
     * @throws IllegalArgumentException if {@code labelSmoothing} is not in [0, 1]
     */
    public CrossEntropyLoss(Reduction reduction, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.reduction = java.util.Objects.requireNonNull(reduction, "reduction");
        this.labelSmoothing = labelSmoothing;
    }

    /** Logits {@code [N, C]}, targets INT32 {@code [N]}; returns {@code []}, or {@code [N]} for {@link Reduction#NONE}. */
    @Override
    public Tensor apply(Tensor logits, Tensor targets) {
        return Functional.crossEntropy(logits, targets, reduction, labelSmoothing);
    }
}
