package dev.kiln.optim;

import dev.kiln.spi.SgdSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.Tensor;
import java.util.List;

/**
 * Stochastic gradient descent with PyTorch's formulas: {@code g += wd*p} (L2 weight decay);
 * with momentum {@code buf = momentum*buf + (1-dampening)*g} ({@code buf = g} on a parameter's
 * first step), {@code g = nesterov ? g + momentum*buf : buf}; then {@code p -= lr*g}.
 * State per parameter: {@code momentum_buffer} (only with momentum). Runs on the backend's
 * fused {@code sgdStep}.
 *
 * <p>Options are named, with PyTorch's defaults:
 * {@code SGD.builder(model.parameters()).lr(0.05).momentum(0.9).nesterov(true).build()}.
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    /**
     * Plain SGD over one group: no momentum, no weight decay.
     *
     * @param params the parameters
     * @param lr     the learning rate, finite and {@code >= 0}
     * @throws IllegalArgumentException if {@code lr} is out of range or a parameter appears twice
     */
    public SGD(Iterable<Tensor> params, double lr) {
        this(builder(params).lr(lr));
    }

    private SGD(Builder b) {
        super(b.groups, b.lr, b.weightDecay);
        this.momentum = b.momentum;
        this.dampening = b.dampening;
        this.nesterov = b.nesterov;
    }

    /**
     * Options for SGD over one group of {@code params}.
     *
     * @param params the parameters
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder(Iterable<Tensor> params) {
        return new Builder(single(params));
    }

    /**
     * Options for SGD over parameter groups; values a group does not set (lr, weight decay) take
     * the builder's.
     *
     * @param groups the parameter groups
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder(List<ParamGroup> groups) {
        return new Builder(List.copyOf(groups));
    }

    /** {@return the momentum factor (0: none)} */
    public double momentum() {
        return momentum;
    }

    /** {@return the dampening of the momentum} */
    public double dampening() {
        return dampening;
    }

    /** {@return whether Nesterov momentum is used} */
    public boolean nesterov() {
        return nesterov;
    }

    /**
     * SGD's options by name, with PyTorch's defaults: lr 1e-3, momentum 0, dampening 0, weight
     * decay 0, no Nesterov. Each setter checks its value; {@link #build()} checks the combination.
     */
    public static final class Builder {
        private final List<ParamGroup> groups;
        private double lr = 1e-3, momentum, dampening, weightDecay;
        private boolean nesterov;

        private Builder(List<ParamGroup> groups) {
            this.groups = groups;
        }

        /**
         * The learning rate (default 1e-3).
         *
         * @param lr finite and {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lr(double lr) {
            this.lr = nonNegative("SGD", "lr", lr);
            return this;
        }

        /**
         * The momentum factor (default 0: none).
         *
         * @param momentum finite and {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder momentum(double momentum) {
            this.momentum = nonNegative("SGD", "momentum", momentum);
            return this;
        }

        /**
         * The dampening of the momentum (default 0).
         *
         * @param dampening finite and {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder dampening(double dampening) {
            this.dampening = nonNegative("SGD", "dampening", dampening);
            return this;
        }

        /**
         * The L2 penalty added to the gradient (default 0).
         *
         * @param weightDecay finite and {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = nonNegative("SGD", "weightDecay", weightDecay);
            return this;
        }

        /**
         * Nesterov momentum (default off); needs momentum {@code > 0} and dampening 0.
         *
         * @param nesterov whether to use it
         * @return this builder
         */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /**
         * The optimizer.
         *
         * @return a new SGD over the builder's parameters
         * @throws IllegalArgumentException if Nesterov is set without momentum or with dampening, there
         *                                  are no groups, or a parameter appears twice
         */
        public SGD build() {
            if (nesterov && (momentum == 0 || dampening != 0)) {
                throw new IllegalArgumentException("SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum "
                        + momentum + ", dampening " + dampening);
            }
            return new SGD(this);
        }
    }

    @Override
    protected void update(ParamGroup group, List<Integer> indices) {
        try (Batches<Boolean> batches = new Batches<>(3, "SGD.step")) {
            for (int i : indices) {
                Tensor p = param(i);
                ParamState s = state(i);
                if (momentum == 0) {
                    batches.add(p.backend(), Boolean.FALSE, p, p.grad());
                } else {
                    boolean first = s.get("momentum_buffer") == null;
                    Tensor buf = s.getOrZeros("momentum_buffer", p);
                    batches.add(p.backend(), first, p, p.grad(), buf);
                }
                s.step(s.step() + 1);
            }
            batches.forEach((first, b) -> {
                SgdSpec spec = new SgdSpec((float) group.lr(), (float) momentum, (float) dampening, (float) group.weightDecay(), nesterov, first);
                List<Storage> bufs = b.get(2);
                b.backend.sgdStep(spec, b.get(0), b.get(1), bufs);
            });
        }
    }
}
