package dev.kiln.ops;

/** Which form of GELU to compute: PyTorch's {@code approximate='none'} or {@code approximate='tanh'}. */
public enum GeluApproximation {
    /** Exact GELU, {@code x * Phi(x)} with Phi the standard normal CDF (the default). */
    NONE,
    /** GPT-2's tanh form, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    TANH
}
