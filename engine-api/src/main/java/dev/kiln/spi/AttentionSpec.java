package dev.kiln.spi;

import java.util.Arrays;

/**
 * One fused scaled dot-product attention ({@link Backend#attention}): {@code outer * heads}
 * independent problems, each {@code softmax(scale * Q K^T + mask) V} with dropout on the
 * probabilities. Layouts, all contiguous FLOAT32: {@code q [outer, heads, lq, e]},
 * {@code k [outer, heads, lk, e]}, {@code v [outer, heads, lk, ev]}, {@code out [outer, heads, lq, ev]}
 * and the per-row log-sum-exp {@code lse [outer, heads, lq]}.
 *
 * <p>The mask is read in place with broadcast strides: element {@code (o, h, i, j)} is at
 * {@code o*maskStrides[0] + h*maskStrides[1] + i*maskStrides[2] + j*maskStrides[3]} (a stride of 0
 * repeats it along that index), so a {@code [lq, lk]} or key-padding {@code [outer, 1, 1, lk]} mask
 * is never expanded. {@link MaskKind#ADDITIVE} adds the FLOAT32 value to the scaled score;
 * {@link MaskKind#BOOLEAN} reads one byte per element, keeping the score where it is non-zero and
 * removing the key ({@code -inf}) where it is zero (PyTorch's {@code scaled_dot_product_attention}
 * convention: True takes part).
 *
 * <p>Causal masking is PyTorch's top-left aligned {@code tril}: query i sees keys {@code j <= i}.
 * Dropout keeps element {@code (b, i, j)} (b = o * heads + h) with weight {@code 1/(1-p)} when
 * {@code Philox.uniform(seed, offset + (b * lq + i) * lk + j) >= dropoutP}, as {@link Backend#dropoutMask}
 * does for a mask of {@code [outer * heads, lq, lk]}, so backward can regenerate it. A row whose
 * every score is {@code -inf} (fully masked) gives an output of 0, a log-sum-exp of {@code -inf} and
 * zero gradients (PyTorch's math path, {@code _safe_softmax}).
 *
 * @param outer       product of the leading dimensions before the heads
 * @param heads       the last leading dimension (1 for a 3-D problem)
 * @param lq          query length L
 * @param lk          key and value length S
 * @param e           query and key feature size E
 * @param ev          value feature size Ev
 * @param scale       multiplies {@code Q K^T} before the mask is added
 * @param causal      whether query i only sees keys {@code j <= i}
 * @param maskKind    how the mask storage is read ({@link MaskKind#NONE}: no mask)
 * @param maskStrides four element strides (outer, head, row, column) into the mask; zeros when there is none
 * @param dropoutP    drop probability on the attention weights, in [0, 1]
 * @param seed        Philox key of the dropout stream
 * @param offset      Philox position of element 0 of the dropout mask, at least 0
 */
public record AttentionSpec(int outer, int heads, int lq, int lk, int e, int ev, float scale, boolean causal,
                            MaskKind maskKind, long[] maskStrides, float dropoutP, long seed, long offset) {
    /** How a backend reads the mask storage. */
    public enum MaskKind {
        /** No mask: the storage argument is null. */
        NONE,
        /** A FLOAT32 mask added to the scaled scores ({@code -inf} removes a key). */
        ADDITIVE,
        /** A BOOL mask, one byte per element: non-zero keeps the score, zero removes the key ({@code -inf}). */
        BOOLEAN
    }

    /**
     * Checks sizes, strides and the dropout setting.
     *
     * @throws IllegalArgumentException if a size is negative, the strides are not four non-negative
     *                                  numbers, the dropout probability is outside [0, 1] or the offset is negative
     * @throws NullPointerException     if {@code maskKind} or {@code maskStrides} is null
     */
    public AttentionSpec {
        if (outer < 0 || heads < 0 || lq < 0 || lk < 0 || e < 0 || ev < 0) {
            throw new IllegalArgumentException("attention: invalid sizes outer " + outer + ", heads " + heads + ", L " + lq
                    + ", S " + lk + ", E " + e + ", Ev " + ev);
        }
        java.util.Objects.requireNonNull(maskKind, "maskKind");
        maskStrides = maskStrides.clone();
        if (maskStrides.length != 4 || Arrays.stream(maskStrides).anyMatch(s -> s < 0)) {
            throw new IllegalArgumentException("attention: expected 4 non-negative mask strides, got " + Arrays.toString(maskStrides));
        }
        if (!(dropoutP >= 0f && dropoutP <= 1f)) throw new IllegalArgumentException("attention: dropout must be in [0, 1], got " + dropoutP);
        if (offset < 0) throw new IllegalArgumentException("attention: random offset must be >= 0, got " + offset);
    }

    /** {@return the mask strides (a copy)} */
    @Override
    public long[] maskStrides() {
        return maskStrides.clone();
    }

    /** {@return the number of (batch, head) problems, {@code outer * heads}} */
    public long batch() {
        return (long) outer * heads;
    }

    /** {@return whether a mask storage is read} */
    public boolean hasMask() {
        return maskKind != MaskKind.NONE;
    }

    /** {@return elements of the mask storage the strides reach (0 without a mask)} */
    public long maskExtent() {
        if (!hasMask() || batch() == 0 || lq == 0 || lk == 0) return 0;
        return (outer - 1L) * maskStrides[0] + (heads - 1L) * maskStrides[1] + (lq - 1L) * maskStrides[2]
                + (lk - 1L) * maskStrides[3] + 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionSpec s && outer == s.outer && heads == s.heads && lq == s.lq && lk == s.lk && e == s.e
                && ev == s.ev && Float.compare(scale, s.scale) == 0 && causal == s.causal && maskKind == s.maskKind
                && Arrays.equals(maskStrides, s.maskStrides) && Float.compare(dropoutP, s.dropoutP) == 0 && seed == s.seed
                && offset == s.offset;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(outer, heads, lq, lk, e, ev, scale, causal, maskKind, Arrays.hashCode(maskStrides),
                dropoutP, seed, offset);
    }

    @Override
    public String toString() {
        return "AttentionSpec[outer=" + outer + ", heads=" + heads + ", L=" + lq + ", S=" + lk + ", E=" + e + ", Ev=" + ev
                + ", scale=" + scale + ", causal=" + causal + ", mask=" + maskKind + Arrays.toString(maskStrides)
                + ", dropout=" + dropoutP + "]";
    }
}
