package dev.kiln.ops;

import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Options of {@link Functional#scaledDotProductAttention}, with the defaults of PyTorch's
 * {@code F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None)};
 * immutable, built fluently: {@code AttentionOptions.defaults().causal(true).dropoutP(0.1f)}.
 *
 * @param attnMask  a mask broadcastable to {@code [..., L, S]}, or null for none: BOOL, where True lets
 *                  the key take part and False hides it (PyTorch's convention for this function, the
 *                  opposite of {@code nn.MultiheadAttention}'s), or FLOAT32, added to the scores
 *                  ({@code -inf} hides a key); it gets no gradient
 * @param causal    PyTorch's {@code is_causal}: query i sees keys {@code j <= i} (top-left aligned
 *                  {@code tril}); not allowed together with a mask
 * @param dropoutP  dropout probability on the attention weights, in [0, 1]; applied whenever above 0
 *                  (PyTorch's functional form has no training flag: pass 0 in evaluation)
 * @param scale     multiplies {@code Q K^T}; NaN (the default) means {@code 1/sqrt(E)}
 * @param generator the dropout stream, or null for {@link dev.kiln.Kiln#generator()}
 */
public record AttentionOptions(Tensor attnMask, boolean causal, float dropoutP, float scale, Generator generator) {
    /**
     * Checks the dropout probability on its own (the mask's fit is checked when the op runs).
     *
     * @throws IllegalArgumentException if {@code dropoutP} is outside [0, 1]
     */
    public AttentionOptions {
        if (!(dropoutP >= 0f && dropoutP <= 1f)) {
            throw new IllegalArgumentException("scaled_dot_product_attention: dropout_p must be in [0, 1], got " + dropoutP);
        }
    }

    /** {@return no mask, not causal, no dropout, scale {@code 1/sqrt(E)}, the default generator} */
    public static AttentionOptions defaults() {
        return new AttentionOptions(null, false, 0f, Float.NaN, null);
    }

    /**
     * {@return a copy with a mask}
     *
     * @param mask BOOL (True takes part) or additive FLOAT32, broadcastable to {@code [..., L, S]}, or null for none
     */
    public AttentionOptions attnMask(Tensor mask) { return new AttentionOptions(mask, causal, dropoutP, scale, generator); }

    /**
     * {@return a copy with causal masking on or off}
     *
     * @param on whether query i only sees keys {@code j <= i}
     */
    public AttentionOptions causal(boolean on) { return new AttentionOptions(attnMask, on, dropoutP, scale, generator); }

    /**
     * {@return a copy with dropout on the attention weights}
     *
     * @param p drop probability, in [0, 1]
     */
    public AttentionOptions dropoutP(float p) { return new AttentionOptions(attnMask, causal, p, scale, generator); }

    /**
     * {@return a copy with an explicit scale}
     *
     * @param s the factor applied to {@code Q K^T}; NaN restores the default {@code 1/sqrt(E)}
     */
    public AttentionOptions scale(float s) { return new AttentionOptions(attnMask, causal, dropoutP, s, generator); }

    /**
     * {@return a copy drawing dropout masks from {@code g}}
     *
     * @param g the stream, or null for {@link dev.kiln.Kiln#generator()}
     */
    public AttentionOptions generator(Generator g) { return new AttentionOptions(attnMask, causal, dropoutP, scale, g); }
}
