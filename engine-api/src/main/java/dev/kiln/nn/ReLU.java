package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/** Elementwise {@code max(0, x)}; any shape in, the same shape out. */
public class ReLU extends Module {
    /** The activation (no parameters). */
    public ReLU() {}

    /** Same shape as the input. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.relu(input);
    }
}
