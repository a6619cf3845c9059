package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.ops.GeluApproximation;
import dev.kiln.tensor.Tensor;

/**
 * Elementwise {@code x*Phi(x)}, the exact (erf) form by default or GPT-2's tanh approximation
 * (PyTorch's {@code nn.GELU(approximate='tanh')}); any shape in, the same shape out.
 */
public class GELU extends Module {
    private final GeluApproximation approximate;

    /** The exact activation (no parameters). */
    public GELU() { this(GeluApproximation.NONE); }

    /**
     * The activation in the form {@code approximate} selects (no parameters).
     *
     * @param approximate the form to compute
     * @throws NullPointerException if {@code approximate} is null
     */
    public GELU(GeluApproximation approximate) {
        if (approximate == null) throw new NullPointerException("GELU: approximate must not be null (use GeluApproximation.NONE)");
        this.approximate = approximate;
    }

    /** Same shape as the input. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.gelu(input, approximate);
    }

    @Override
    protected String extraRepr() {
        return approximate == GeluApproximation.TANH ? "approximate='tanh'" : "";
    }
}
