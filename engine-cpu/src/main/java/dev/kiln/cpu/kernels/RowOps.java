package dev.kiln.cpu.kernels;

/**
 * The two vector primitives of the attention kernel over float arrays: a dot product and an
 * {@code y += a * x} update. {@link #get()} picks the Vector API implementation (loaded
 * reflectively from {@code dev.kiln.cpu.simd}) when {@link MicroKernels} uses SIMD, else
 * {@link ScalarRowOps}. Either is deterministic: the same inputs give the same bits every call.
 */
public interface RowOps {
    /**
     * {@return {@code sum_t a[ao + t] * b[bo + t]} for t in [0, n)}
     *
     * @param a  first array
     * @param ao offset into a
     * @param b  second array
     * @param bo offset into b
     * @param n  length
     */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /**
     * {@code y[yo + t] += alpha * x[xo + t]} for t in [0, n).
     *
     * @param alpha the factor
     * @param x     the added array
     * @param xo    offset into x
     * @param y     the updated array
     * @param yo    offset into y
     * @param n     length
     */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

    /** {@return a name for logs and tests} */
    String name();

    /** {@return the implementation matching the GEMM micro-kernel's choice (SIMD unless turned off or absent)} */
    static RowOps get() {
        return RowOpsChoice.CHOSEN;
    }
}
