package dev.kiln.cpu.kernels;

/**
 * The innermost GEMM step on packed panels: {@code acc[rows x cols] += a[rows x depth] @ b[depth x cols]},
 * all row-major. Contract shared by every implementation, so they are interchangeable bit for bit:
 * each {@code acc} element is updated as {@code acc = acc + (a * b)} (product rounded to float,
 * then the sum; no fused multiply-add), for {@code p} in increasing order.
 */
public interface MicroKernel {
    /** Accumulates the product of the packed panels into {@code acc}. */
    void multiplyAdd(float[] a, float[] b, float[] acc, int rows, int depth, int cols);

    /** Short name for logs ("scalar", "vector 512-bit"). */
    String name();
}
