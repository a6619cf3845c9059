package dev.kiln.spi;

/**
 * Batched row-major GEMM: for each of {@code batch} matrices,
 * {@code out[m x n] = op(a) @ op(b)} (or {@code out += ...} when {@code accumulate}), where
 * op(a) is {@code [m x k]} (stored {@code [k x m]} when {@code transA}) and op(b) is
 * {@code [k x n]} (stored {@code [n x k]} when {@code transB}). A batch stride of 0 for a or b
 * means that operand is shared by every batch entry.
 *
 * @param batch      number of independent products, at least 1
 * @param m          rows of the output
 * @param n          columns of the output
 * @param k          the contracted dimension
 * @param transA     a is stored transposed ({@code [k x m]})
 * @param transB     b is stored transposed ({@code [n x k]})
 * @param aBatched   a holds one matrix per batch entry (false: one matrix shared by all)
 * @param bBatched   b holds one matrix per batch entry (false: one matrix shared by all)
 * @param accumulate add the product to {@code out} instead of overwriting it
 */
public record MatmulSpec(int batch, int m, int n, int k, boolean transA, boolean transB,
                         boolean aBatched, boolean bBatched, boolean accumulate) {
    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException if {@code batch} is below 1 or a dimension is negative
     */
    public MatmulSpec {
        if (batch < 1 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("matmul: invalid sizes batch=" + batch + " m=" + m + " n=" + n + " k=" + k);
        }
    }

    /**
     * A single, unbatched GEMM that overwrites {@code out}.
     *
     * @param m      rows of the output
     * @param n      columns of the output
     * @param k      the contracted dimension
     * @param transA a is stored {@code [k x m]}
     * @param transB b is stored {@code [n x k]}
     * @return the spec
     */
    public static MatmulSpec of(int m, int n, int k, boolean transA, boolean transB) {
        return new MatmulSpec(1, m, n, k, transA, transB, false, false, false);
    }

    /** {@return floating-point operations, {@code 2*m*n*k} per batch entry} */
    public double flops() {
        return 2.0 * batch * m * n * k;
    }
}
