package dev.kiln.optim;

import dev.kiln.tensor.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), PyTorch's formulas: first
 * {@code p *= 1 - lr*wd}, then the Adam update without any decay term in the gradient.
 * Default weight decay 0.01, as PyTorch.
 */
public final class AdamW extends Adam {
    /**
     * Learning rate 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
     *
     * @param params the parameters to update, for example {@code model.parameters()}
     */
    public AdamW(Iterable<Tensor> params) {
        this(params, 1e-3);
    }

    /**
     * Betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
     *
     * @param params the parameters to update
     * @param lr the learning rate
     */
    public AdamW(Iterable<Tensor> params, double lr) {
        this(single(params), lr, 0.9, 0.999, 1e-8, 0.01);
    }

    /**
     * AdamW over parameter groups.
     *
     * @param groups      parameter groups; unset lr / weight decay take {@code lr} / {@code weightDecay}
     * @param lr          default learning rate
     * @param beta1       decay of the first moment, in [0, 1)
     * @param beta2       decay of the second moment, in [0, 1)
     * @param eps         added to the denominator, >= 0
     * @param weightDecay default decoupled weight decay
     * @throws IllegalArgumentException if a value is out of range
     */
    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(groups, lr, beta1, beta2, eps, weightDecay, true);
    }
}
