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
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    /** Plain SGD: no momentum, no weight decay. */
    public SGD(Iterable<Tensor> params, double lr) {
        this(single(params), lr, 0, 0, 0, false);
    }

    /** One group of {@code params}; see {@link #SGD(List, double, double, double, double, boolean)}. */
    public SGD(Iterable<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        this(single(params), lr, momentum, dampening, weightDecay, nesterov);
    }

    /**
     * SGD over parameter groups.
     *
     * @param groups      parameter groups; unset lr / weight decay take {@code lr} / {@code weightDecay}
     * @param lr          default learning rate
     * @param momentum    momentum factor (0 for none)
     * @param dampening   dampening of the momentum
     * @param weightDecay default L2 penalty
     * @param nesterov    Nesterov momentum
     * @throws IllegalArgumentException if a value is negative, or nesterov is set without momentum or with dampening
     */
    public SGD(List<ParamGroup> groups, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(groups, lr, weightDecay);
        if (!(momentum >= 0) || Double.isInfinite(momentum)) throw new IllegalArgumentException("SGD: momentum must be finite and >= 0, got " + momentum);
        if (!(dampening >= 0) || Double.isInfinite(dampening)) throw new IllegalArgumentException("SGD: dampening must be finite and >= 0, got " + dampening);
        if (nesterov && (momentum == 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum "
                    + momentum + ", dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
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
