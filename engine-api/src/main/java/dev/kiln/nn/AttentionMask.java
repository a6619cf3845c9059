package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link MultiheadAttention}'s masks (BOOL True = ignored, or additive FLOAT32) merged into one mask
 * in {@link Functional#scaledDotProductAttention}'s convention, broadcastable to {@code [N, H, L, S]}:
 * BOOL masks stay BOOL (the keys no mask ignores, True = takes part), so the kernel reads bytes; once
 * any mask is FLOAT32, the BOOL ones become 0 / {@code -inf} and all are added, as PyTorch 2 merges
 * them. Everything is computed on the masks' device.
 */
final class AttentionMask {
    private AttentionMask() {}

    /**
     * The merged mask, or null when there is none.
     *
     * @param o       the call's masks
     * @param causal  whether to add the causal mask (keys after the query ignored)
     * @param batched whether the query is 3-D
     * @param n       batch size (1 unbatched)
     * @param heads   number of heads
     * @param lq      query length L
     * @param s       key length S
     * @param backend where the causal mask is made
     */
    static Tensor combine(MultiheadAttention.Options o, boolean causal, boolean batched, int n, int heads, int lq, int s,
                          Backend backend) {
        List<Tensor> parts = new ArrayList<>();
        Tensor attn = o.attnMask();
        if (attn != null) {
            checkDtype("attn_mask", attn);
            int[] ms = attn.shape();
            if (ms.length == 2) {
                if (ms[0] != lq || ms[1] != s) {
                    throw new IllegalArgumentException("MultiheadAttention: the shape of the 2D attn_mask is " + Shape.str(ms)
                            + ", but should be [" + lq + ", " + s + "]");
                }
                parts.add(attn);
            } else if (ms.length == 3) {
                if (!Arrays.equals(ms, new int[] {n * heads, lq, s})) {
                    throw new IllegalArgumentException("MultiheadAttention: the shape of the 3D attn_mask is " + Shape.str(ms)
                            + ", but should be [" + n * heads + ", " + lq + ", " + s + "]");
                }
                parts.add(attn.reshape(n, heads, lq, s));
            } else {
                throw new IllegalArgumentException("MultiheadAttention: attn_mask's dimension " + ms.length + " is not supported (2 or 3)");
            }
        }
        Tensor kpm = o.keyPaddingMask();
        if (kpm != null) {
            checkDtype("key_padding_mask", kpm);
            int[] expected = batched ? new int[] {n, s} : new int[] {s};
            if (!Arrays.equals(kpm.shape(), expected)) {
                throw new IllegalArgumentException("MultiheadAttention: expecting key_padding_mask shape of " + Shape.str(expected)
                        + ", but got " + Shape.str(kpm.shape()));
            }
            parts.add(kpm.reshape(n, 1, 1, s));
        }
        if (causal) parts.add(Functional.triu(Tensor.full(backend, DType.BOOL, 1f, lq, s), 1));
        if (parts.isEmpty()) return null;
        if (parts.stream().allMatch(t -> t.dtype() == DType.BOOL)) {
            Tensor ignored = parts.get(0);
            for (int i = 1; i < parts.size(); i++) ignored = Functional.logicalOr(ignored, parts.get(i));
            return ignored.logicalNot();
        }
        Tensor sum = null;
        for (Tensor t : parts) {
            Tensor additive = t.dtype() == DType.BOOL
                    ? Tensor.full(t.backend(), 0f, t.shape()).maskedFill(t, Float.NEGATIVE_INFINITY) : t;
            sum = sum == null ? additive : Functional.add(sum, additive);
        }
        return sum;
    }

    private static void checkDtype(String name, Tensor mask) {
        if (mask.dtype() != DType.BOOL && mask.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("MultiheadAttention: only bool and floating types of " + name + " are supported, got "
                    + mask.dtype());
        }
    }
}
