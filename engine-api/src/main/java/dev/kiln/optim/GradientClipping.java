package dev.kiln.optim;

import dev.kiln.Kiln;
import dev.kiln.tensor.Tensor;

/** Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm}: with
     * {@code norm = sqrt(sum of every grad element squared)}, each gradient is multiplied by
     * {@code maxNorm/(norm + 1e-6)} when that factor is below 1 (as PyTorch, whose clamped factor
     * leaves smaller norms untouched). Parameters without a gradient are skipped.
     *
     * @param params  parameters whose gradients to clip (e.g. {@code model.parameters()})
     * @param maxNorm the largest allowed norm, finite and >= 0
     * @return the norm before clipping (0 when no parameter has a gradient; NaN or infinity
     *         when a gradient holds such values, in which case nothing is scaled)
     * @throws IllegalArgumentException if {@code maxNorm} is negative or not finite
     */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm) {
        if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be finite and >= 0, got " + maxNorm);
        double norm;
        try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
            Tensor sumSq = null;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                Tensor sq = g.mul(g).sum();
                sumSq = sumSq == null ? sq : sumSq.add(sq);
            }
            if (sumSq == null) return 0;
            norm = Math.sqrt(sumSq.item());
            double coef = maxNorm / (norm + 1e-6);
            if (!Double.isFinite(norm) || coef >= 1) return norm;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) p.setGrad(g.mul((float) coef));
            }
        }
        return norm;
    }
}
