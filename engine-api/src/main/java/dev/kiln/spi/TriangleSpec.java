package dev.kiln.spi;

/**
 * The lower or upper triangle of each matrix of a contiguous {@code [batch, rows, cols]} view
 * ({@link Backend#triangle}): element {@code (i, j)} of a matrix is kept when
 * {@code j - i <= diagonal} (lower, {@code tril}) or {@code j - i >= diagonal} (upper,
 * {@code triu}), and zeroed otherwise. {@code diagonal} 0 is the main diagonal, positive values
 * are above it, negative below, as in PyTorch.
 *
 * @param batch    how many matrices (the product of the leading dimensions)
 * @param rows     rows of each matrix
 * @param cols     columns of each matrix
 * @param diagonal the diagonal bounding the kept part
 * @param upper    true for the upper triangle, false for the lower
 */
public record TriangleSpec(long batch, int rows, int cols, long diagonal, boolean upper) {
    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException if a size is negative
     */
    public TriangleSpec {
        if (batch < 0 || rows < 0 || cols < 0) {
            throw new IllegalArgumentException((upper ? "triu" : "tril") + ": negative size [" + batch + ", " + rows + ", " + cols + "]");
        }
    }

    /** {@return the number of elements, {@code batch * rows * cols}} */
    public long numel() {
        return batch * rows * cols;
    }

    /**
     * {@return whether element (i, j) of a matrix is kept}
     *
     * @param i the row
     * @param j the column
     */
    public boolean keeps(long i, long j) {
        return upper ? j - i >= diagonal : j - i <= diagonal;
    }
}
