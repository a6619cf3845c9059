package dev.kiln.spi;

/** Elementwise ops with one scalar {@code s}: add {@code x+s}, mul {@code x*s}, pow {@code x^s}, rsub {@code s-x}, rdiv {@code s/x}. */
public enum ScalarOp {
    /** {@code x + s} */
    ADD,
    /** {@code x * s} */
    MUL,
    /** {@code x ^ s} */
    POW,
    /** {@code s - x} */
    RSUB,
    /** {@code s / x} */
    RDIV
}
