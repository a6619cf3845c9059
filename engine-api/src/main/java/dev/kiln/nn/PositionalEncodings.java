package dev.kiln.nn;

import dev.kiln.autograd.Autograd;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * What the two positional modules share: the input check and adding the first {@code T} rows of a
 * {@code [maxLen, D]} table to {@code [B, T, D]} (batch first) or {@code [T, B, D]} input.
 */
final class PositionalEncodings {
    private PositionalEncodings() {}

    /** {@code input + table[:T]} broadcast over the batch; {@code module} names the caller in messages. */
    static Tensor addRows(String module, Tensor input, Tensor table, boolean batchFirst) {
        int[] s = input.shape();
        int maxLen = table.size(0), d = table.size(1);
        String layout = batchFirst ? "[B, T, " + d + "]" : "[T, B, " + d + "]";
        if (s.length != 3 || s[2] != d) {
            throw new IllegalArgumentException(module + ": expected input " + layout + ", got " + Shape.str(s));
        }
        int t = batchFirst ? s[1] : s[0];
        if (t > maxLen) {
            throw new IllegalArgumentException(module + ": sequence length " + t + " exceeds max_len " + maxLen + " (input "
                    + Shape.str(s) + ", " + layout + ")");
        }
        Tensor rows = table.narrow(0, 0, t);
        Tensor aligned = batchFirst ? rows : rows.reshape(t, 1, d);
        Tensor out = input.add(aligned);
        if (!Autograd.needsGrad(input, table)) {  // otherwise the slices are in the graph, and the scope frees them
            if (aligned != rows) aligned.close();
            rows.close();
        }
        return out;
    }

    /** {@code maxLen} and {@code dModel} at least 1; {@code module} names the caller in messages. */
    static void checkSizes(String module, int maxLen, int dModel) {
        if (maxLen < 1 || dModel < 1) {
            throw new IllegalArgumentException(module + ": max_len and d_model must be >= 1, got " + maxLen + " and " + dModel);
        }
    }
}
