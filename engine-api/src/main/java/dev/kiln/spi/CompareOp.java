package dev.kiln.spi;

/**
 * Elementwise comparisons with NumPy broadcasting ({@link Backend#compare}); each gives a BOOL
 * result. On FLOAT32 they follow IEEE-754: every comparison with NaN is false except {@link #NE}.
 */
public enum CompareOp {
    /** {@code a == b} */
    EQ,
    /** {@code a != b} */
    NE,
    /** {@code a < b} */
    LT,
    /** {@code a <= b} */
    LE,
    /** {@code a > b} */
    GT,
    /** {@code a >= b} */
    GE
}
