package dev.kiln.spi;

/** Elementwise binary functions with NumPy broadcasting. */
public enum BinaryOp {
    /** {@code a + b} */
    ADD,
    /** {@code a - b} */
    SUB,
    /** {@code a * b} */
    MUL,
    /** {@code a / b} (IEEE: division by zero gives an infinity or NaN) */
    DIV
}
