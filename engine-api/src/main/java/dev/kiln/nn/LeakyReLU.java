package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/** Elementwise {@code x >= 0 ? x : slope*x}; any shape in, the same shape out. */
public class LeakyReLU extends Module {
    private final float negativeSlope;

    /** Slope 0.01, as PyTorch. */
    public LeakyReLU() {
        this(0.01f);
    }

    /**
     * A leaky ReLU with the given slope for negative inputs.
     *
     * @param negativeSlope multiplier of negative inputs; finite
     * @throws IllegalArgumentException if the slope is not finite
     */
    public LeakyReLU(float negativeSlope) {
        if (!Float.isFinite(negativeSlope)) throw new IllegalArgumentException("LeakyReLU: negative slope must be finite, got " + negativeSlope);
        this.negativeSlope = negativeSlope;
    }

    /** Same shape as the input. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.leakyRelu(input, negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "slope=" + negativeSlope;
    }
}
