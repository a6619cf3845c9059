package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Matrix products. Backward passes use the GEMM's transpose flags rather than transposed
 * copies: for {@code C = A @ B}, {@code gA = g @ B^T} and {@code gB = A^T @ g}.
 */
final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * torch.matmul: a 1-D left operand is a row {@code [1, k]} and a 1-D right operand a column
     * {@code [k, 1]}, that dimension leaving the result; otherwise the last two dimensions multiply
     * and the ones before them (batch dimensions) broadcast.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        Checks.operands("matmul", a, b);
        int[] as = a.shape(), bs = b.shape();
        if (as.length == 0 || bs.length == 0) {
            throw new IllegalArgumentException("matmul: both arguments need to be at least 1-D, but they are " + as.length + "-D and "
                    + bs.length + "-D (shapes " + Shape.str(as) + " and " + Shape.str(bs) + ")");
        }
        int k = as[as.length - 1], kb = bs.length == 1 ? bs[0] : bs[bs.length - 2];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(as) + " and " + Shape.str(bs) + " cannot be multiplied ("
                    + k + " != " + kb + ": the last dimension of a against the " + (bs.length == 1 ? "length" : "second-to-last dimension")
                    + " of b)");
        }
        Tensor out = product("matmul", as.length == 1 ? a.reshape(1, k) : a, bs.length == 1 ? b.reshape(kb, 1) : b, false, false);
        if (as.length > 1 && bs.length > 1) return out;
        int[] os = out.shape();
        int r = os.length;
        int[] kept = new int[r - (as.length == 1 ? 1 : 0) - (bs.length == 1 ? 1 : 0)];
        int j = 0;
        for (int i = 0; i < r; i++) {
            if ((i == r - 2 && as.length == 1) || (i == r - 1 && bs.length == 1)) continue;
            kept[j++] = os[i];
        }
        return out.reshape(kept);
    }

    /** torch.bmm: {@code [b, n, k] @ [b, k, m]}, both strictly 3-D with the same batch size (no broadcasting). */
    static Tensor bmm(Tensor a, Tensor b) {
        Checks.operands("bmm", a, b);
        Checks.rank("bmm", a, 3, "batch1 [b, n, k]");
        Checks.rank("bmm", b, 3, "batch2 [b, k, m]");
        int[] as = a.shape(), bs = b.shape();
        if (bs[0] != as[0] || bs[1] != as[2]) {
            throw new IllegalArgumentException("bmm: expected size for first two dimensions of batch2 tensor to be: [" + as[0] + ", " + as[2]
                    + "] but got: [" + bs[0] + ", " + bs[1] + "] (shapes " + Shape.str(as) + " and " + Shape.str(bs) + ")");
        }
        return product("bmm", a, b, false, false);
    }

    /**
     * {@code op(a) @ op(b)} over broadcast batch dimensions, for operands of rank 2 or more; op
     * swaps the last two dimensions of an operand whose flag is set, which the GEMM does through
     * its transpose flags, so a transposed operand (as {@code K^T} in attention) is never copied.
     * An operand whose batch dimensions hold one matrix is shared by the whole batch (stride 0);
     * one broadcast only partly (as {@code [B, 1, n, k]} against {@code [1, H, k, m]}) is expanded
     * first. A batched, untransposed left operand times a shared right one runs as one tall GEMM
     * ({@code [B*n, k] @ [k, m]}). Gradients are reduced over broadcast dimensions.
     */
    static Tensor product(String op, Tensor a, Tensor b, boolean transA, boolean transB) {
        int[] as = a.shape(), bs = b.shape();
        int ra = as.length, rb = bs.length;
        int m = transA ? as[ra - 1] : as[ra - 2], k = transA ? as[ra - 2] : as[ra - 1];
        int kb = transB ? bs[rb - 1] : bs[rb - 2], n = transB ? bs[rb - 2] : bs[rb - 1];
        if (k != kb) {
            throw new IllegalArgumentException(op + ": shapes " + Shape.str(as) + (transA ? "^T" : "") + " and " + Shape.str(bs)
                    + (transB ? "^T" : "") + " cannot be multiplied (" + k + " != " + kb + ")");
        }
        int[] batch = broadcastBatch(op, as, bs);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        long total = Shape.numel(batch);
        if (total == 0) return emptyBatch(a, b, outShape);
        int nb = Math.toIntExact(total);
        Tensor ae = toBatch(a, batch, nb), be = toBatch(b, batch, nb);
        boolean aB = batchNumel(ae.shape()) > 1, bB = batchNumel(be.shape()) > 1;
        Backend backend = a.backend();
        Tensor out = empty(backend, outShape);
        gemm(backend, spec(nb, m, n, k, transA, transB, aB, bB), ae, be, out);
        if (Autograd.needsGrad(ae, be)) {
            Autograd.record(op, out, new Tensor[] {ae, be}, g -> new Tensor[] {
                ae.requiresGrad() ? gradLeft(backend, g, ae, be, nb, m, n, k, transA, transB, aB, bB) : null,
                be.requiresGrad() ? gradRight(backend, g, ae, be, nb, m, n, k, transA, transB, aB, bB) : null});
        }
        return out;
    }

    /** Stored a is [m, k] ([k, m] when transA): {@code g op(b)^T}, or {@code op(b) g^T} for a stored transposed; summed over a shared a's batch. */
    private static Tensor gradLeft(Backend backend, Tensor g, Tensor a, Tensor b, int nb, int m, int n, int k,
                                   boolean transA, boolean transB, boolean aB, boolean bB) {
        MatmulSpec s = transA ? spec(nb, k, m, n, transB, true, bB, true) : spec(nb, m, k, n, false, !transB, true, bB);
        Tensor left = transA ? b : g, right = transA ? g : b;
        if (aB || nb == 1) return gemmNew(backend, s, left, right, a.shape());
        return sumBatches(backend, s, left, right, a.shape());
    }

    /** Stored b is [k, n] ([n, k] when transB): {@code op(a)^T g}, or {@code g^T op(a)}; a shared b's batch sum is one GEMM when a's rows are contiguous. */
    private static Tensor gradRight(Backend backend, Tensor g, Tensor a, Tensor b, int nb, int m, int n, int k,
                                    boolean transA, boolean transB, boolean aB, boolean bB) {
        if (!bB && nb > 1 && !transA) {
            // b shared by every entry of a: sum_i a_i^T g_i = [a_0; a_1; ...]^T [g_0; g_1; ...], one GEMM over the stacked rows.
            int rows = Math.multiplyExact(nb, m);
            return transB ? gemmNew(backend, MatmulSpec.of(n, k, rows, true, false), g, a, b.shape())
                    : gemmNew(backend, MatmulSpec.of(k, n, rows, true, false), a, g, b.shape());
        }
        MatmulSpec s = transB ? spec(nb, n, k, m, true, transA, true, aB) : spec(nb, k, n, m, !transA, false, aB, true);
        Tensor left = transB ? g : a, right = transB ? a : g;
        if (bB || nb == 1) return gemmNew(backend, s, left, right, b.shape());
        return sumBatches(backend, s, left, right, b.shape());
    }

    /** A batched GEMM; a batched, untransposed left operand times a shared right one folds into one tall GEMM. */
    private static MatmulSpec spec(int nb, int m, int n, int k, boolean transA, boolean transB, boolean aB, boolean bB) {
        if (nb > 1 && aB && !bB && !transA) return MatmulSpec.of(Math.multiplyExact(nb, m), n, k, false, transB);
        return new MatmulSpec(nb, m, n, k, transA, transB, aB && nb > 1, bB && nb > 1, false);
    }

    /** Broadcasts the batch dimensions (all but the last two) of two shapes, as PyTorch, naming both shapes when they clash. */
    private static int[] broadcastBatch(String op, int[] as, int[] bs) {
        int la = as.length - 2, lb = bs.length - 2, r = Math.max(la, lb);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int x = i - (r - la) >= 0 ? as[i - (r - la)] : 1, y = i - (r - lb) >= 0 ? bs[i - (r - lb)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(op + ": batch dimensions do not broadcast: the size of a (" + x + ") must match the size"
                        + " of b (" + y + ") at non-singleton dimension " + i + " (shapes " + Shape.str(as) + " and " + Shape.str(bs) + ")");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** {@code t} itself when it holds one matrix or one per batch entry (same layout), else expanded to the full batch. */
    private static Tensor toBatch(Tensor t, int[] batch, int nb) {
        long own = batchNumel(t.shape());
        if (own == 1 || own == nb) return t;
        int[] s = t.shape();
        int[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = s[s.length - 2];
        full[batch.length + 1] = s[s.length - 1];
        return Slicing.expand(t, full);
    }

    private static long batchNumel(int[] shape) {
        return Shape.numel(Arrays.copyOf(shape, shape.length - 2));
    }

    /**
     * A product over an empty batch (a GEMM spec needs at least one entry): an empty output. The
     * gradient of a 2-D operand shared by the batch sums over no entries, so it is zero.
     */
    private static Tensor emptyBatch(Tensor a, Tensor b, int[] outShape) {
        Backend backend = a.backend();
        Tensor out = empty(backend, outShape);
        if (Autograd.needsGrad(a, b)) {
            Autograd.record("matmul", out, new Tensor[] {a, b}, g -> new Tensor[] {
                a.requiresGrad() ? zeros(backend, a.shape()) : null, b.requiresGrad() ? zeros(backend, b.shape()) : null});
        }
        return out;
    }

    private static Tensor zeros(Backend backend, int[] shape) {
        Tensor t = empty(backend, shape);
        if (t.numel() > 0) backend.fill(storage(t), 0f);
        return t;
    }

    private static void gemm(Backend backend, MatmulSpec spec, Tensor a, Tensor b, Tensor out) {
        if (out.numel() == 0) return;
        if (spec.k() == 0) {
            backend.fill(storage(out), 0f);
            return;
        }
        try (Pin pa = pin("matmul", a); Pin pb = pin("matmul", b)) {
            backend.matmul(spec, pa.storage(), pb.storage(), storage(out));
        }
    }

    private static Tensor gemmNew(Backend backend, MatmulSpec spec, Tensor a, Tensor b, int[] shape) {
        Tensor out = empty(backend, shape);
        gemm(backend, spec, a, b, out);
        return out;
    }

    /** The gradient of an operand shared across the batch: per-batch products summed over the batch, in {@code shape}. */
    private static Tensor sumBatches(Backend backend, MatmulSpec spec, Tensor a, Tensor b, int[] shape) {
        int rows = spec.m(), cols = spec.n();
        Tensor per = gemmNew(backend, spec, a, b, new int[] {spec.batch(), rows, cols});
        Tensor out = empty(backend, shape);
        if (out.numel() > 0) backend.sum(new ReduceSpec(per.shape(), new int[] {0}), storage(per), storage(out));
        per.close();
        return out;
    }

    /** {@code x [..., in] @ weight[out, in]^T + bias[out]}; leading dims of x are flattened into one batch. */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Checks.notNull("linear", new Tensor[] {x, weight}, "input", "weight");
        Checks.floats("linear", x, weight, bias);
        Checks.sameDevice("linear", x, weight, bias);
        Checks.rank("linear", weight, 2, "weight [out_features, in_features]");
        int[] xs = x.shape(), ws = weight.shape();
        if (xs.length < 1) throw new IllegalArgumentException("linear: expected an input [..., in_features], got shape " + Shape.str(xs));
        int in = xs[xs.length - 1], outF = ws[0];
        if (in != ws[1]) {
            throw new IllegalArgumentException("linear: input has " + in + " features (last dim), weight expects " + ws[1]
                    + " (weight shape " + Shape.str(ws) + ", input shape " + Shape.str(xs) + ")");
        }
        Checks.vector("linear", "bias", bias, outF);
        int rows = Math.toIntExact(x.numel() / Math.max(1, in));
        if (in == 0) rows = Math.toIntExact(Shape.numel(java.util.Arrays.copyOf(xs, xs.length - 1)));
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = outF;
        Backend backend = x.backend();
        Tensor out = empty(backend, outShape);
        gemm(backend, MatmulSpec.of(rows, outF, in, false, true), x, weight, out);
        if (bias != null && out.numel() > 0) {
            int[] flat = {rows, outF};
            try (Pin pb = pin("linear", bias)) {
                backend.binary(BinaryOp.ADD, new Broadcast(flat, flat, new int[] {outF}), storage(out), pb.storage(), storage(out));
            }
        }
        if (Autograd.needsGrad(x, weight, bias)) {
            int r = rows;
            Autograd.record("linear", out, new Tensor[] {x, weight, bias}, g -> new Tensor[] {
                x.requiresGrad() ? gemmNew(backend, MatmulSpec.of(r, in, outF, false, false), g, weight, xs) : null,
                weight.requiresGrad() ? gemmNew(backend, MatmulSpec.of(outF, in, r, true, false), g, x, ws) : null,
                bias != null && bias.requiresGrad() ? biasGrad(backend, g, r, outF) : null});
        }
        return out;
    }

    private static Tensor biasGrad(Backend backend, Tensor g, int rows, int outF) {
        Tensor gb = empty(backend, outF);
        if (rows == 0) {
            backend.fill(storage(gb), 0f);
        } else if (outF > 0) {
            backend.sum(new ReduceSpec(new int[] {rows, outF}, new int[] {0}), storage(g), storage(gb));
        }
        return gb;
    }
}
