package dev.kiln.ops;

import dev.kiln.tensor.Tensor;

/** Variance and standard deviation along one dimension, composed of mean, sub, mul and sum (autograd follows). */
final class Statistics {
    private Statistics() {}

    /**
     * {@code sum((x - mean(x))^2) / (n - correction)} along {@code dim}; two passes (mean first)
     * rather than {@code E[x^2] - E[x]^2}, which cancels catastrophically in float32.
     */
    static Tensor var(String op, Tensor x, int dim, int correction, boolean keepDim) {
        Checks.notNull(op, x, "input");
        Checks.floats(op, x);
        int d = Checks.axes(op, x.shape(), new int[] {dim})[0];
        if (correction < 0) throw new IllegalArgumentException(op + ": correction must be >= 0, got " + correction);
        int n = x.shape()[d];
        Tensor diff = x.sub(Functional.mean(x, true, d));
        // n <= correction divides by zero or less: infinity or NaN, as PyTorch (which also warns).
        return Functional.sum(diff.mul(diff), keepDim, d).div((float) (n - correction));
    }
}
