package dev.kiln.train;

import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import dev.kiln.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** The exact bits of a model's and an optimizer's tensors, for bit-identical resume checks. */
final class StateBits {
    private StateBits() {}

    /** {@code model.<name>} for each state-dict tensor, then {@code optim.<key>} for each optimizer state tensor. */
    static Map<String, int[]> of(Module model, Optimizer optimizer) {
        Map<String, int[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> out.put("model." + k, bitsOf(t)));
        optimizer.state().tensors().forEach((k, t) -> out.put("optim." + k, bitsOf(t)));
        return out;
    }

    private static int[] bitsOf(Tensor t) {
        float[] v = t.toFloatArray();
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
