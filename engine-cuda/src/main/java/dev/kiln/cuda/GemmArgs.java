package dev.kiln.cuda;

import dev.kiln.cuda.ffi.Blas;
import dev.kiln.spi.MatmulSpec;

/**
 * A column-major cuBLAS call computing Kiln's row-major GEMM. A row-major {@code [r x c]} matrix
 * is, read column-major, its transpose {@code [c x r]}, so {@code C = op(A) op(B)} is computed as
 * {@code C^T = op(B)^T op(A)^T}: cuBLAS's first operand is Kiln's b, its second Kiln's a, and its
 * {@code m, n} are Kiln's {@code n, m}. Leading dimensions are the stored row lengths; strides and
 * leading dimensions are in elements. All sizes must be positive (the backend handles empty cases).
 *
 * @param opA     cuBLAS op of its first operand (Kiln's b)
 * @param opB     cuBLAS op of its second operand (Kiln's a)
 * @param first   address of the first operand (Kiln's b)
 * @param second  address of the second operand (Kiln's a)
 * @param m cuBLAS's m: rows of its result, Kiln's n
 * @param n cuBLAS's n: columns of its result, Kiln's m
 * @param k the contracted dimension
 * @param lda leading dimension of the first operand
 * @param strideA elements between batch entries of the first operand (0: shared)
 * @param ldb leading dimension of the second operand
 * @param strideB elements between batch entries of the second operand (0: shared)
 * @param ldc leading dimension of the result (Kiln's n)
 * @param strideC elements between batch entries of the result
 * @param batch number of products
 */
record GemmArgs(int opA, int opB, int m, int n, int k, long first, int lda, long strideA, long second, int ldb,
                       long strideB, int ldc, long strideC, int batch) {

    /**
     * {@return the cuBLAS arguments for {@code spec} with Kiln operands at addresses {@code a} and {@code b}}
     *
     * @param spec Kiln's row-major GEMM
     * @param a device address of Kiln's left operand
     * @param b device address of Kiln's right operand
     */
    static GemmArgs rowMajor(MatmulSpec spec, long a, long b) {
        int m = spec.m(), n = spec.n(), k = spec.k();
        // Kiln's b: stored [k x n] (ld n), or [n x k] (ld k) when transB; column-major reading gives op(b)^T directly or transposed.
        int opFirst = spec.transB() ? Blas.OP_T : Blas.OP_N;
        int ldFirst = spec.transB() ? k : n;
        int opSecond = spec.transA() ? Blas.OP_T : Blas.OP_N;
        int ldSecond = spec.transA() ? m : k;
        long strideFirst = spec.bBatched() ? (long) k * n : 0;
        long strideSecond = spec.aBatched() ? (long) m * k : 0;
        return new GemmArgs(opFirst, opSecond, n, m, k, b, ldFirst, strideFirst, a, ldSecond, strideSecond, n, (long) m * n,
                spec.batch());
    }
}
