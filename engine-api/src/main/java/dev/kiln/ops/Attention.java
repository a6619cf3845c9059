package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.Kiln;
import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Fused scaled dot-product attention: validation and PyTorch's argument rules here, the work in one
 * backend primitive pair ({@link Backend#attention}, {@link Backend#attentionBackward}) that keeps
 * memory linear in the sequence lengths. The op saves only its output and the per-row log-sum-exp;
 * the backward recomputes the probabilities and regenerates the dropout mask from the reserved
 * Philox positions.
 */
final class Attention {
    private static final String OP = "scaled_dot_product_attention";

    private Attention() {}

    static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, AttentionOptions options) {
        Checks.notNull(OP, new Tensor[] {q, k, v}, "query", "key", "value");
        if (options == null) throw new IllegalArgumentException(OP + ": options must not be null (use AttentionOptions.defaults())");
        Tensor mask = options.attnMask();
        Checks.floats(OP, q, k, v);
        if (mask != null && mask.dtype() != DType.FLOAT32 && mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(OP + ": attnMask must be BOOL or FLOAT32, got " + mask.dtype() + " (shape "
                    + Shape.str(mask.shape()) + ")");
        }
        Checks.sameDevice(OP, q, k, v, mask);
        int[] qs = q.shape(), ks = k.shape(), vs = v.shape();
        checkShapes(qs, ks, vs);
        if (options.causal() && mask != null) {
            throw new IllegalArgumentException(OP + ": attnMask and isCausal cannot both be set (got a mask of shape "
                    + Shape.str(mask.shape()) + " and isCausal=true)");
        }
        if (mask != null && Autograd.needsGrad(mask)) {
            throw new IllegalArgumentException(OP + ": attnMask of shape " + Shape.str(mask.shape())
                    + " requires grad, but the fused op does not differentiate the mask; pass mask.detach()");
        }
        int rank = qs.length, lead = rank - 2;
        int lq = qs[rank - 2], e = qs[rank - 1], lk = ks[rank - 2], ev = vs[rank - 1];
        int heads = lead == 0 ? 1 : qs[lead - 1];
        int outer = 1;
        for (int d = 0; d < lead - 1; d++) outer *= qs[d];
        int[] outShape = qs.clone();
        outShape[rank - 1] = ev;
        Backend backend = q.backend();
        float scale = Float.isNaN(options.scale()) ? (float) (1.0 / Math.sqrt(e)) : options.scale();
        float p = options.dropoutP();
        long batch = (long) outer * heads;
        Tensor layoutMask = mask == null ? null : coveringMask(mask, qs, lk);
        long[] strides = layoutMask == null ? new long[4] : maskStrides(layoutMask.shape(), lead);
        long seed = 0, offset = 0;
        if (p > 0f && batch * lq * lk > 0) {
            Generator gen = options.generator() != null ? options.generator() : Kiln.generator();
            seed = gen.seed();
            offset = gen.advance(batch * lq * lk);
        }
        AttentionSpec spec = new AttentionSpec(outer, heads, lq, lk, e, ev, scale, options.causal(),
                maskKind(layoutMask), strides, p, seed, offset);
        Tensor out = empty(backend, outShape);
        int[] lseShape = Arrays.copyOf(qs, rank - 1);
        Tensor lse = empty(backend, lseShape);
        boolean work = out.numel() > 0;
        if (work) {
            try (Pin pq = pin(OP, q); Pin pk = pin(OP, k); Pin pv = pin(OP, v); Pin pm = pinOrNull(layoutMask)) {
                backend.attention(spec, pq.storage(), pk.storage(), pv.storage(), pm == null ? null : pm.storage(), storage(out),
                        storage(lse));
            }
        }
        if (Autograd.needsGrad(q, k, v)) {
            Autograd.record(OP, out, new Tensor[] {q, k, v}, g -> backward(spec, q, k, v, layoutMask, out, lse, g, work));
        } else {
            lse.close();
            if (layoutMask != null && layoutMask != mask) layoutMask.close();
        }
        return out;
    }

    private static Tensor[] backward(AttentionSpec spec, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
                                     Tensor g, boolean work) {
        Backend backend = q.backend();
        Tensor gq = q.requiresGrad() ? empty(backend, q.shape()) : null;
        Tensor gk = k.requiresGrad() ? empty(backend, k.shape()) : null;
        Tensor gv = v.requiresGrad() ? empty(backend, v.shape()) : null;
        if (!work) {
            // No output element: nothing flows back (a key-side tensor may still be non-empty).
            for (Tensor t : new Tensor[] {gq, gk, gv}) if (t != null && t.numel() > 0) backend.fill(storage(t), 0f);
            return new Tensor[] {gq, gk, gv};
        }
        try (Pin pq = pin(OP, q); Pin pk = pin(OP, k); Pin pv = pin(OP, v); Pin pm = pinOrNull(mask); Pin po = pin(OP, out);
             Pin pl = pin(OP, lse); Pin pg = pin(OP, g)) {
            backend.attentionBackward(spec, pq.storage(), pk.storage(), pv.storage(), pm == null ? null : pm.storage(),
                    po.storage(), pl.storage(), pg.storage(), gq == null ? null : storage(gq), gk == null ? null : storage(gk),
                    gv == null ? null : storage(gv));
        }
        return new Tensor[] {gq, gk, gv};
    }

    /** BOOL masks are read as bytes in place (True takes part), FLOAT32 ones added to the scores. */
    private static AttentionSpec.MaskKind maskKind(Tensor mask) {
        if (mask == null) return AttentionSpec.MaskKind.NONE;
        return mask.dtype() == DType.BOOL ? AttentionSpec.MaskKind.BOOLEAN : AttentionSpec.MaskKind.ADDITIVE;
    }

    private static Pin pinOrNull(Tensor t) {
        return t == null ? null : pin(OP, t);
    }

    /** Same rank (at least 2), same leading dimensions, E of query and key equal, S of key and value equal. */
    private static void checkShapes(int[] qs, int[] ks, int[] vs) {
        if (qs.length < 2 || ks.length != qs.length || vs.length != qs.length) {
            throw new IllegalArgumentException(OP + ": expected query [..., L, E], key [..., S, E] and value [..., S, Ev] of one rank"
                    + " (at least 2), got " + Shape.str(qs) + ", " + Shape.str(ks) + " and " + Shape.str(vs));
        }
        int lead = qs.length - 2;
        if (!Arrays.equals(qs, 0, lead, ks, 0, lead) || !Arrays.equals(qs, 0, lead, vs, 0, lead)) {
            throw new IllegalArgumentException(OP + ": query, key and value must have the same batch dimensions, got "
                    + Shape.str(qs) + ", " + Shape.str(ks) + " and " + Shape.str(vs));
        }
        if (ks[lead + 1] != qs[lead + 1]) {
            throw new IllegalArgumentException(OP + ": query and key must have the same embedding size E (last dim): query "
                    + Shape.str(qs) + " has " + qs[lead + 1] + ", key " + Shape.str(ks) + " has " + ks[lead + 1]);
        }
        if (vs[lead] != ks[lead]) {
            throw new IllegalArgumentException(OP + ": key and value must have the same sequence length S: key " + Shape.str(ks)
                    + " has " + ks[lead] + ", value " + Shape.str(vs) + " has " + vs[lead]);
        }
    }

    /**
     * The mask as a tensor of rank {@code q.rank()} whose leading dimensions before the heads are
     * either all broadcast or all present, so the kernel reads it with one outer stride; a mask
     * broadcast over only some of those dimensions is expanded (a copy on the device) to cover them.
     */
    private static Tensor coveringMask(Tensor mask, int[] qs, int lk) {
        int rank = qs.length, lead = rank - 2;
        int[] full = qs.clone();
        full[rank - 1] = lk;
        int[] ms = mask.shape();
        if (ms.length > rank) throw notBroadcastable(ms, full);
        int[] padded = new int[rank];
        Arrays.fill(padded, 1);
        System.arraycopy(ms, 0, padded, rank - ms.length, ms.length);
        for (int d = 0; d < rank; d++) if (padded[d] != 1 && padded[d] != full[d]) throw notBroadcastable(ms, full);
        boolean someOuter = false, allOuter = true;
        for (int d = 0; d < lead - 1; d++) {
            if (full[d] == 1) continue;
            someOuter |= padded[d] != 1;
            allOuter &= padded[d] != 1;
        }
        if (!someOuter || allOuter) return padded.length == ms.length ? mask : mask.reshape(padded);
        int[] sizes = padded.clone();
        System.arraycopy(full, 0, sizes, 0, lead - 1);
        return mask.reshape(padded).expand(sizes);
    }

    private static IllegalArgumentException notBroadcastable(int[] ms, int[] full) {
        return new IllegalArgumentException(OP + ": attnMask of shape " + Shape.str(ms) + " is not broadcastable to the attention"
                + " scores [..., L, S] = " + Shape.str(full));
    }

    /** (outer, head, row, column) element strides of a contiguous mask of {@code shape} (rank lead + 2), 0 where broadcast. */
    private static long[] maskStrides(int[] shape, int lead) {
        long[] cs = Shape.strides(shape);
        int rank = shape.length;
        long[] s = new long[4];
        if (lead >= 2) {
            // Outer dims are all present or all broadcast (coveringMask); present ones are contiguous from dim lead - 2.
            for (int d = 0; d < lead - 1; d++) if (shape[d] != 1) s[0] = cs[lead - 2];
        }
        if (lead >= 1 && shape[lead - 1] != 1) s[1] = cs[lead - 1];
        if (shape[rank - 2] != 1) s[2] = cs[rank - 2];
        if (shape[rank - 1] != 1) s[3] = cs[rank - 1];
        return s;
    }
}
