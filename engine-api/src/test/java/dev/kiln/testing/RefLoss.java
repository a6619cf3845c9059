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

    // ---- data and training (issue 11) ----

    /**
     * Cross-entropy of logits {@code [N, C, d1, ...]} (or {@code [N, C]}, or {@code [C]}) against
     * per-position targets {@code [N, d1, ...]} with label smoothing s, skipping positions whose
     * target is {@code ignoreIndex}: NONE gives the targets' shape (0 where ignored), SUM the sum,
     * MEAN the sum over the counted positions divided by their number (NaN when there are none),
     * as PyTorch's {@code F.cross_entropy}.
     */
    public static Nd crossEntropy(Nd logits, long[] targets, int[] targetShape, Reduction reduction, double smoothing, long ignoreIndex) {
        int[] s = logits.shape();
        int n = s.length == 1 ? 1 : s[0], c = s.length == 1 ? s[0] : s[1], inner = 1;
        for (int d = 2; d < s.length; d++) inner *= s[d];
        Nd per = Nd.zeros(targetShape);
        double total = 0;
        int counted = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < inner; k++) {
                int p = i * inner + k;
                if (targets[p] == ignoreIndex) continue;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) max = Math.max(max, logits.at((i * c + j) * inner + k));
                double sum = 0;
                for (int j = 0; j < c; j++) sum += Math.exp(logits.at((i * c + j) * inner + k) - max);
                double lse = max + Math.log(sum), loss = 0;
                for (int j = 0; j < c; j++) {
                    double q = (j == targets[p] ? 1 - smoothing : 0) + smoothing / c;
                    loss -= q * (logits.at((i * c + j) * inner + k) - lse);
                }
                per.data()[p] = loss;
                total += loss;
                counted++;
            }
        }
        return switch (reduction) {
            case NONE -> per;
            case SUM -> new Nd(new int[0], new double[] {total});
            case MEAN -> new Nd(new int[0], new double[] {total / counted});
        };
    }
}
