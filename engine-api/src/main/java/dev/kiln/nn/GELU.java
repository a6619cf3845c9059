package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/** Elementwise {@code x*Phi(x), the exact (erf) form}; any shape in, the same shape out. */
public class GELU extends Module {
    /** The activation (no parameters). */
    public GELU() {}

    /** Same shape as the input. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.gelu(input);
    }
}
