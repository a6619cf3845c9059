package dev.kiln.spi;

/**
 * Elementwise functions {@code y = f(x)}. The scalar parameter {@code alpha} is used by
 * {@link #LEAKY_RELU} (negative slope), {@link #CLAMP_MIN} and {@link #CLAMP_MAX} (the bound), and
 * ignored by the others. Backends read the ordinal (the CUDA kernels' op code), so new constants go
 * at the end.
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
    ABS,
    /** sine (radians) */
    SIN,
    /** cosine (radians) */
    COS,
    /** {@code 1 / sqrt(x)} (NaN below 0, positive infinity at 0) */
    RSQRT,
    /** SiLU (swish), {@code x * sigmoid(x)} */
    SILU,
    /**
     * GELU's tanh approximation (GPT-2's, PyTorch's {@code approximate='tanh'}),
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
     */
    GELU_TANH,
    /** {@code max(x, alpha)}, NaN kept; gradient 1 where {@code x >= alpha}, else 0 (PyTorch's). */
    CLAMP_MIN,
    /** {@code min(x, alpha)}, NaN kept; gradient 1 where {@code x <= alpha}, else 0 (PyTorch's). */
    CLAMP_MAX
}
