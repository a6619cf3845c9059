package dev.kiln.spi;

/**
 * Elementwise functions {@code y = f(x)}. The scalar parameter {@code alpha} is used by
 * {@link #LEAKY_RELU} (negative slope) and ignored by the others.
 */
public enum UnaryOp {
    /** {@code max(x, 0)} */
    RELU,
    /** {@code x} for {@code x >= 0}, else {@code alpha * x} */
    LEAKY_RELU,
    /** {@code 1 / (1 + exp(-x))} */
    SIGMOID,
    /** hyperbolic tangent */
    TANH,
    /** Exact GELU, {@code x * Phi(x)} with the error function (PyTorch's default). */
    GELU,
    /** {@code e^x} */
    EXP,
    /** natural logarithm (NaN below 0, negative infinity at 0) */
    LOG,
    /** {@code -x} */
    NEG,
    /** square root (NaN below 0) */
    SQRT,
    /** {@code |x|} */
    ABS
}
