package dev.kiln.cpu.kernels;

/**
 * The vector primitives of the attention kernel over float arrays: a dot product, an
 * {@code y += a * x} update and a small dense product of two tiles. {@link #get()} picks the Vector API implementation (loaded
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

    /**
     * A tile product {@code C (+)= A B}: for {@code i < m}, {@code j < n},
     * {@code C(i, j) = fma(A(i, k-1), B(k-1, j), ... fma(A(i, 0), B(0, j), start))} with {@code start} the
     * old {@code C(i, j)} when {@code accumulate}, else +0. Every implementation computes each element
     * as this one chain in increasing depth, so all of them give the same bits, whatever the tile
     * position. {@code A(i, p) = a[aOff + i*aRow + p*aCol]} (any strides: a transposed tile needs no
     * copy), {@code B(p, j) = b[bOff + p*ldb + j]}, {@code C(i, j) = c[cOff + i*ldc + j]}.
     *
     * @param m          rows of C
     * @param n          columns of C
     * @param k          depth
     * @param a          the left factor's array
     * @param aOff       offset of A(0, 0)
     * @param aRow       distance between A(i, p) and A(i + 1, p)
     * @param aCol       distance between A(i, p) and A(i, p + 1)
     * @param b          the right factor's array
     * @param bOff       offset of B(0, 0)
     * @param ldb        distance between B's rows
     * @param c          the result's array
     * @param cOff       offset of C(0, 0)
     * @param ldc        distance between C's rows
     * @param accumulate add to C instead of overwriting it
     */
    void tile(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
              float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * {@code x[off + t] = exp(x[off + t] - shift)} for t in [0, n), in float32 by {@link ScalarRowOps#exp(float)}'s
     * recipe (correct to about 1 ulp; 0 below {@value ScalarRowOps#EXP_FLUSH}, so {@code -inf} gives 0; NaN stays
     * NaN). Every implementation gives the same bits.
     *
     * @param x     the array, updated in place
     * @param off   first element
     * @param n     count
     * @param shift subtracted (in float) before the exponential
     */
    void exp(float[] x, int off, int n, float shift);

    /**
     * {@code x[off + t] = exp(x[off + t])} for t in [0, n), in double precision, for arguments at most 0
     * (larger ones are taken as 0), by {@link ScalarRowOps#expNonPositive(double)}'s recipe (within
     * about 1 ulp; 0 below {@value ScalarRowOps#EXP_DOUBLE_FLUSH}; NaN stays NaN). Every implementation
     * gives the same bits. For GELU's {@code exp(-v^2/2)} and softmax's shifted exponentials.
     *
     * @param x   the array, updated in place
     * @param off first element
     * @param n   count
     */
    void expNonPositive(double[] x, int off, int n);

    /** {@return a name for logs and tests} */
    String name();

    /** {@return the implementation matching the GEMM micro-kernel's choice (SIMD unless turned off or absent)} */
    static RowOps get() {
        return RowOpsChoice.CHOSEN;
    }
}
