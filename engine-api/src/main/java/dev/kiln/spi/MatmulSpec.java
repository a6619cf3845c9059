package dev.kiln.spi;

/**
 * Batched row-major GEMM: for each of {@code batch} matrices,
 * {@code out[m x n] = op(a) @ op(b)} (or {@code out += ...} when {@code accumulate}), where
 * op(a) is {@code [m x k]} (stored {@code [k x m]} when {@code transA}) and op(b) is
 * {@code [k x n]} (stored {@code [n x k]} when {@code transB}). A batch stride of 0 for a or b
 * means that operand is shared by every batch entry.
 */
public record MatmulSpec(int batch, int m, int n, int k, boolean transA, boolean transB,
                         boolean aBatched, boolean bBatched, boolean accumulate) {
    public MatmulSpec {
        if (batch < 1 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("matmul: invalid sizes batch=" + batch + " m=" + m + " n=" + n + " k=" + k);
        }
    }

    /** A single, unbatched GEMM that overwrites {@code out}. */
    public static MatmulSpec of(int m, int n, int k, boolean transA, boolean transB) {
        return new MatmulSpec(1, m, n, k, transA, transB, false, false, false);
    }

    /** Floating-point operations (2mnk per batch entry). */
    public double flops() {
        return 2.0 * batch * m * n * k;
    }
}
