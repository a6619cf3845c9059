package dev.kiln.optim;

import dev.kiln.tensor.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), PyTorch's formulas: first
 * {@code p *= 1 - lr*wd}, then the Adam update without any decay term in the gradient.
 * Default weight decay 0.01, as PyTorch. Options are named:
 * {@code AdamW.builder(model.parameters()).lr(3e-4).weightDecay(0.05).build()}.
 */
public final class AdamW extends Adam {
    /**
     * Learning rate 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
     *
     * @param params the parameters
     * @throws IllegalArgumentException if a parameter appears twice
     */
    public AdamW(Iterable<Tensor> params) {
        this(builder(params));
    }

    /**
     * Betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
     *
     * @param params the parameters
     * @param lr     the learning rate, finite and {@code >= 0}
     * @throws IllegalArgumentException if {@code lr} is out of range or a parameter appears twice
     */
    public AdamW(Iterable<Tensor> params, double lr) {
        this(builder(params).lr(lr));
    }

    private AdamW(Builder b) {
        super(b);
    }

    /**
     * Options for AdamW over one group of {@code params}.
     *
     * @param params the parameters
     * @return a builder with PyTorch's defaults (weight decay 0.01)
     */
    public static Builder builder(Iterable<Tensor> params) {
        return new Builder(single(params));
    }

    /**
     * Options for AdamW over parameter groups; values a group does not set (lr, weight decay) take
     * the builder's.
     *
     * @param groups the parameter groups
     * @return a builder with PyTorch's defaults (weight decay 0.01)
     */
    public static Builder builder(List<ParamGroup> groups) {
        return new Builder(List.copyOf(groups));
    }

    /** AdamW's options: those of {@link Adam.Builder}, weight decay 0.01 by default, building an AdamW. */
    public static final class Builder extends Adam.Builder {
        private Builder(List<ParamGroup> groups) {
            super("AdamW", groups, 0.01, true);
        }

        @Override
        public Builder lr(double lr) {
            super.lr(lr);
            return this;
        }

        @Override
        public Builder betas(double beta1, double beta2) {
            super.betas(beta1, beta2);
            return this;
        }

        @Override
        public Builder eps(double eps) {
            super.eps(eps);
            return this;
        }

        @Override
        public Builder weightDecay(double weightDecay) {
            super.weightDecay(weightDecay);
            return this;
        }

        /**
         * The optimizer.
         *
         * @return a new AdamW over the builder's parameters
         * @throws IllegalArgumentException if there are no groups or a parameter appears twice
         */
        @Override
        public AdamW build() {
            return new AdamW(this);
        }
    }
}
