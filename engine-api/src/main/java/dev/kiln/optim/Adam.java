package dev.kiln.optim;

import dev.kiln.spi.AdamSpec;
import dev.kiln.tensor.Tensor;
import java.util.List;

/**
 * Adam with PyTorch's formulas, per parameter with its own step count t:
 * {@code g += wd*p} (L2 weight decay), {@code m = b1*m + (1-b1)*g}, {@code v = b2*v + (1-b2)*g^2},
 * {@code p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)}. State per parameter:
 * {@code exp_avg}, {@code exp_avg_sq} and its step. Runs on the backend's fused {@code adamStep}.
 * {@link AdamW} decouples the weight decay instead.
 *
 * <p>Options are named, with PyTorch's defaults:
 * {@code Adam.builder(model.parameters()).lr(3e-4).betas(0.9, 0.98).build()}.
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;

    /**
     * Learning rate 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay.
     *
     * @param params the parameters
     * @throws IllegalArgumentException if a parameter appears twice
     */
    public Adam(Iterable<Tensor> params) {
        this(builder(params));
    }

    /**
     * Betas (0.9, 0.999), eps 1e-8, no weight decay.
     *
     * @param params the parameters
     * @param lr     the learning rate, finite and {@code >= 0}
     * @throws IllegalArgumentException if {@code lr} is out of range or a parameter appears twice
     */
    public Adam(Iterable<Tensor> params, double lr) {
        this(builder(params).lr(lr));
    }

    /** From a builder's checked values; {@link AdamW} passes its own. */
    Adam(Builder b) {
        super(b.groups, b.lr, b.weightDecay);
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.decoupled = b.decoupled;
    }

    /**
     * Options for Adam over one group of {@code params}.
     *
     * @param params the parameters
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder(Iterable<Tensor> params) {
        return new Builder("Adam", single(params), 0, false);
    }

    /**
     * Options for Adam over parameter groups; values a group does not set (lr, weight decay) take
     * the builder's.
     *
     * @param groups the parameter groups
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder(List<ParamGroup> groups) {
        return new Builder("Adam", List.copyOf(groups), 0, false);
    }

    /** {@return the decay rate of the first moment (beta1)} */
    public final double beta1() {
        return beta1;
    }

    /** {@return the decay rate of the second moment (beta2)} */
    public final double beta2() {
        return beta2;
    }

    /** {@return the term added to the denominator (eps)} */
    public final double eps() {
        return eps;
    }

    /**
     * Adam's options by name, with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
     * weight decay 0 (0.01 for {@link AdamW}). Each setter checks its value.
     */
    public static class Builder {
        private final String name;
        private final List<ParamGroup> groups;
        private final boolean decoupled;
        private double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;

        Builder(String name, List<ParamGroup> groups, double weightDecay, boolean decoupled) {
            this.name = name;
            this.groups = groups;
            this.weightDecay = weightDecay;
            this.decoupled = decoupled;
        }

        /**
         * The learning rate (default 1e-3).
         *
         * @param lr finite and {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lr(double lr) {
            this.lr = nonNegative(name, "lr", lr);
            return this;
        }

        /**
         * The decays of the first and second moments (default 0.9 and 0.999).
         *
         * @param beta1 in [0, 1)
         * @param beta2 in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if either is out of range
         */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta(name, "beta1", beta1);
            this.beta2 = beta(name, "beta2", beta2);
            return this;
        }

        /**
         * The term added to the denominator for numerical stability (default 1e-8).
         *
         * @param eps finite and {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder eps(double eps) {
            this.eps = nonNegative(name, "eps", eps);
            return this;
        }

        /**
         * The weight decay (default 0 for Adam, where it is an L2 penalty on the gradient; 0.01 for
         * AdamW, where it is decoupled).
         *
         * @param weightDecay finite and {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = nonNegative(name, "weightDecay", weightDecay);
            return this;
        }

        /**
         * The optimizer.
         *
         * @return a new Adam over the builder's parameters
         * @throws IllegalArgumentException if there are no groups or a parameter appears twice
         */
        public Adam build() {
            return new Adam(this);
        }

        private static double beta(String name, String option, double v) {
            if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + ": " + option + " must be in [0, 1), got " + v);
            return v;
        }
    }

    @Override
    protected final void update(ParamGroup group, List<Integer> indices) {
        try (Batches<Long> batches = new Batches<>(4, getClass().getSimpleName() + ".step")) {
            for (int i : indices) {
                Tensor p = param(i);
                ParamState s = state(i);
                Tensor m = s.getOrZeros("exp_avg", p);
                Tensor v = s.getOrZeros("exp_avg_sq", p);
                s.step(s.step() + 1);
                batches.add(p.backend(), s.step(), p, p.grad(), m, v);
            }
            batches.forEach((step, b) -> b.backend.adamStep(
                    new AdamSpec((float) group.lr(), (float) beta1, (float) beta2, (float) eps, (float) group.weightDecay(), decoupled, step),
                    b.get(0), b.get(1), b.get(2), b.get(3)));
        }
    }
}
