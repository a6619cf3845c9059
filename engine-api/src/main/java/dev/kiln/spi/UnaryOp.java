package dev.kiln.spi;

/**
 * Elementwise functions {@code y = f(x)}. The scalar parameter {@code alpha} is used by
 * {@link #LEAKY_RELU} (negative slope) and ignored by the others.
 */
public enum UnaryOp {
    RELU, LEAKY_RELU, SIGMOID, TANH,
    /** Exact GELU, {@code x * Phi(x)} with the error function (PyTorch's default). */
    GELU,
    EXP, LOG, NEG, SQRT, ABS
}
