package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/** Elementwise {@code tanh(x)}; any shape in, the same shape out. */
public class Tanh extends Module {
    /** The activation (no parameters). */
    public Tanh() {}

    /** Same shape as the input. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.tanh(input);
    }
}
