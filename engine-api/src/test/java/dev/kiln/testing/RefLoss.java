package dev.kiln.testing;

import dev.kiln.ops.Reduction;

/**
 * Float64 references for softmax, log-softmax, cross-entropy with label smoothing and mean
 * squared error, from their definitions (log-sum-exp with the maximum subtracted).
 */
public final class RefLoss {
    private RefLoss() {}

    /** Softmax (or log-softmax) of x along {@code dim} (negative allowed). */
    public static Nd softmax(Nd x, int dim, boolean log) {
        int d = dim < 0 ? dim + x.rank() : dim;
        int size = x.dim(d), inner = x.strides()[d], outer = x.numel() / (size * inner);
        Nd y = Nd.zeros(x.shape());
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * size * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < size; k++) max = Math.max(max, x.at(base + k * inner));
                double sum = 0;
                for (int k = 0; k < size; k++) sum += Math.exp(x.at(base + k * inner) - max);
                for (int k = 0; k < size; k++) {
                    double z = x.at(base + k * inner) - max;
                    y.data()[base + k * inner] = log ? z - Math.log(sum) : Math.exp(z) / sum;
                }
            }
        }
        return y;
    }

    /**
     * Cross-entropy of logits [N, C] against class indices with label smoothing s: the target
     * distribution is {@code (1-s)} on the true class plus {@code s/C} everywhere (PyTorch).
     */
    public static Nd crossEntropy(Nd logits, int[] targets, Reduction reduction, double smoothing) {
        int n = logits.dim(0), c = logits.dim(1);
        Nd logp = softmax(logits, 1, true);
        Nd per = Nd.zeros(n);
        for (int i = 0; i < n; i++) {
            double loss = 0;
            for (int j = 0; j < c; j++) {
                double q = (j == targets[i] ? 1 - smoothing : 0) + smoothing / c;
                loss -= q * logp.at(i * c + j);
            }
            per.data()[i] = loss;
        }
        return reduce(per, reduction);
    }

    /** (input - target)^2, reduced. */
    public static Nd mse(Nd input, Nd target, Reduction reduction) {
        return reduce(RefMath.binary(input, target, (a, b) -> (a - b) * (a - b)), reduction);
    }

    private static Nd reduce(Nd values, Reduction reduction) {
        return switch (reduction) {
            case NONE -> values;
            case SUM -> RefMath.sum(values, false);
            case MEAN -> RefMath.mean(values, false);
        };
    }
}
