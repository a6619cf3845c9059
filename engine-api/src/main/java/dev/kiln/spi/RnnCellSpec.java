package dev.kiln.spi;

/**
 * Sizes of one step of a fused recurrent cell ({@link Backend#lstmCell}, {@link Backend#gruCell}):
 * {@code batch} rows of {@code hidden} units. Gate tensors hold {@code gates} blocks of
 * {@code hidden} columns per row, in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n).
 *
 * @param batch  rows, at least 0
 * @param hidden hidden units per row, at least 0
 */
public record RnnCellSpec(int batch, int hidden) {
    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException if a size is negative or a gate tensor would exceed 2^31 - 1 elements
     */
    public RnnCellSpec {
        if (batch < 0 || hidden < 0 || (long) batch * hidden * 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rnn cell: invalid sizes batch=" + batch + " hidden=" + hidden);
        }
    }

    /** {@return elements of a state tensor {@code [batch, hidden]}} */
    public long stateNumel() {
        return (long) batch * hidden;
    }
}
