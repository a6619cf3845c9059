package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/** Elementwise {@code 1/(1+exp(-x))}; any shape in, the same shape out. */
public class Sigmoid extends Module {
    /** The activation (no parameters). */
    public Sigmoid() {}

    /** Same shape as the input. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.sigmoid(input);
    }
}
