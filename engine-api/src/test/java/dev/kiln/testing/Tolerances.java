package dev.kiln.testing;

/**
 * Named tolerances: {@code |actual - expected| <= atol + rtol * |expected|} (PyTorch's
 * {@code assert_close} rule). Each constant says where its size comes from.
 */
public final class Tolerances {
    private Tolerances() {}

    /** A tolerance pair with the reason for its size. */
    public record Tol(double rtol, double atol, String why) {
        /** True when {@code actual} is within this tolerance of {@code expected}. */
        public boolean accepts(double expected, double actual) {
            if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
            if (expected == actual) return true; // equal infinities
            return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }
    }

    /**
     * FP32 forward vs the float64 reference. PyTorch's float32 default is rtol 1.3e-6, atol 1e-5;
     * our rtol is looser because a blocked GEMM reorders sums of up to ~100 products of O(1)
     * values (error ~ sqrt(k) * 6e-8 * sum|terms|).
     */
    public static final Tol FORWARD = new Tol(1e-5, 1e-5, "FP32 forward vs float64");

    /**
     * FP32 analytic gradients vs float64 central differences of the reference. The backward
     * sums over every output (and, for weights, every position), so rounding grows with the
     * reduction length; PyTorch's gradcheck (in float64) uses rtol 1e-3, atol 1e-5.
     */
    public static final Tol GRADIENT = new Tol(1e-4, 1e-4, "FP32 gradient vs float64 finite differences");

    /**
     * Statistics over many elements computed in float32 (batch-norm mean/variance, running
     * statistics): a float32 sum of n values has relative error up to ~n * 6e-8.
     */
    public static final Tol STATISTICS = new Tol(1e-5, 1e-5, "FP32 statistics vs float64");

    /**
     * FP32 forward values on two backends with the same inputs (CPU vs CUDA): each is within
     * {@link #FORWARD} of the exact value, so they are within twice that of each other.
     */
    public static final Tol PARITY_FP32 = new Tol(2e-5, 2e-5, "FP32 forward on two backends");

    /** FP32 gradients on two backends: twice {@link #GRADIENT}, by the same argument. */
    public static final Tol PARITY_GRADIENT_FP32 = new Tol(2e-4, 2e-4, "FP32 gradients on two backends");

    /**
     * TF32 tensor-core math keeps 10 mantissa bits (relative error ~5e-4 per product, growing
     * with sqrt(k)); only used when a backend runs GEMM/convolution in TF32.
     */
    public static final Tol PARITY_TF32 = new Tol(1e-2, 1e-2, "TF32 vs FP32");
}
