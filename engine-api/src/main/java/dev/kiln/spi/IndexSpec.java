package dev.kiln.spi;

/**
 * A gather or scatter-add along one dimension, the primitive under {@code indexSelect},
 * {@code gather}, {@code scatterAdd} and {@code embedding}. The indexed tensor (what a gather reads,
 * what a scatter-add writes) is viewed as {@code [outer, size, inner]}; the other side (the gather's
 * output, the scatter's source) as {@code [outer, count, inner]}. Entry {@code (o, k, i)} of the
 * other side pairs with row {@code index(o, k, i)} of the indexed tensor, where the index is either
 * shared, 1-D {@code [count]} and the same for every {@code o} and {@code i} ({@code indexSelect},
 * {@code embedding}), or per element, {@code [outer, count, inner]} ({@code gather},
 * {@code scatterAdd}). Index storages are INT32 or INT64.
 *
 * <p>An index outside {@code [0, size)} is an error: {@link #outOfRange} builds the message, naming
 * {@link #op} and {@link #dim} as the user wrote them.
 *
 * @param op     the user-facing op, for messages ("gather", "embedding")
 * @param dim    the indexed dimension of the user's tensor, for messages
 * @param outer  product of the dimensions before the indexed one
 * @param size   length of the indexed dimension of the indexed tensor
 * @param count  length of the indexed dimension of the other side (index entries per column)
 * @param inner  product of the dimensions after the indexed one
 * @param shared the index is 1-D {@code [count]}, shared by every column; else {@code [outer, count, inner]}
 * @param skip   a scatter-add drops the entries whose index equals this (embedding's padding row), or -1
 */
public record IndexSpec(String op, int dim, int outer, int size, int count, int inner, boolean shared, long skip) {
    /**
     * Checks the view.
     *
     * @throws IllegalArgumentException if op is null, a size is negative, or skip is below -1
     */
    public IndexSpec {
        if (op == null) throw new IllegalArgumentException("index: op must not be null");
        if (outer < 0 || size < 0 || count < 0 || inner < 0 || skip < -1) {
            throw new IllegalArgumentException(op + ": invalid index view outer " + outer + ", size " + size + ", count " + count
                    + ", inner " + inner + ", skip " + skip);
        }
    }

    /** {@return elements of the indexed tensor, {@code outer * size * inner}} */
    public long indexedNumel() {
        return (long) outer * size * inner;
    }

    /** {@return elements of the other side (gather output, scatter source), {@code outer * count * inner}} */
    public long otherNumel() {
        return (long) outer * count * inner;
    }

    /** {@return elements of the index: {@code count} when shared, else {@link #otherNumel()}} */
    public long indexNumel() {
        return shared ? count : otherNumel();
    }

    /**
     * The error for an index outside {@code [0, size)}, in PyTorch's words.
     *
     * @param index the offending value
     * @return e.g. {@code gather: index 5 is out of bounds for dimension 1 with size 4}
     */
    public IllegalArgumentException outOfRange(long index) {
        return outOfRange(op, dim, index, size);
    }

    /**
     * The error for {@code index} outside {@code [0, size)} of dimension {@code dim}, in PyTorch's words.
     *
     * @param op    the op
     * @param dim   the dimension
     * @param index the offending value
     * @param size  the dimension's length
     * @return e.g. {@code indexSelect: index 5 is out of bounds for dimension 0 with size 3}
     */
    public static IllegalArgumentException outOfRange(String op, int dim, long index, long size) {
        return new IllegalArgumentException(op + ": index " + index + " is out of bounds for dimension " + dim + " with size " + size);
    }

    /**
     * The error of {@code oneHot} for a class value outside {@code [0, classes)}, in PyTorch's words.
     *
     * @param value   the offending value
     * @param classes the number of classes
     * @return the exception to throw
     */
    public static IllegalArgumentException classOutOfRange(long value, long classes) {
        return new IllegalArgumentException(value < 0 ? "oneHot: class values must be non-negative, got " + value
                : "oneHot: class values must be smaller than num_classes (" + classes + "), got " + value);
    }
}
