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
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;

    /** Learning rate 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(Iterable<Tensor> params) {
        this(params, 1e-3);
    }

    /** Betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(Iterable<Tensor> params, double lr) {
        this(single(params), lr, 0.9, 0.999, 1e-8, 0);
    }

    /**
     * Adam over parameter groups.
     *
     * @param groups      parameter groups; unset lr / weight decay take {@code lr} / {@code weightDecay}
     * @param lr          default learning rate
     * @param beta1       decay of the first moment, in [0, 1)
     * @param beta2       decay of the second moment, in [0, 1)
     * @param eps         added to the denominator, >= 0
     * @param weightDecay default L2 penalty added to the gradient
     * @throws IllegalArgumentException if a value is out of range
     */
    public Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(groups, lr, beta1, beta2, eps, weightDecay, false);
    }

    /** For {@link AdamW}: {@code decoupled} selects decoupled weight decay. */
    Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(groups, lr, weightDecay);
        String name = getClass().getSimpleName();
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException(name + ": beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException(name + ": beta2 must be in [0, 1), got " + beta2);
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException(name + ": eps must be finite and >= 0, got " + eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
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
