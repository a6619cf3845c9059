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

/**
 * Matrix products. Backward passes use the GEMM's transpose flags rather than transposed
 * copies: for {@code C = A @ B}, {@code gA = g @ B^T} and {@code gB = A^T @ g}.
 */
final class LinearAlgebra {
    private LinearAlgebra() {}

    /** [m, k] @ [k, n]; [b, m, k] @ [b, k, n]; [b, m, k] @ [k, n]; [m, k] @ [b, k, n]. */
    static Tensor matmul(Tensor a, Tensor b) {
        Checks.operands("matmul", a, b);
        int[] as = a.shape(), bs = b.shape();
        if (as.length < 2 || as.length > 3 || bs.length < 2 || bs.length > 3) {
            throw new IllegalArgumentException("matmul: expected 2-D or 3-D tensors, got shapes " + Shape.str(as) + " and " + Shape.str(bs));
        }
        int m = as[as.length - 2], k = as[as.length - 1], kb = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: a has " + k + " columns, b has " + kb + " rows ("
                    + Shape.str(as) + " @ " + Shape.str(bs) + ")");
        }
        if (as.length == 3 && bs.length == 3 && as[0] != bs[0]) {
            throw new IllegalArgumentException("matmul: batch dimensions differ: " + as[0] + " vs " + bs[0] + " ("
                    + Shape.str(as) + " @ " + Shape.str(bs) + ")");
        }
        Backend backend = a.backend();
        Tensor out;
        if (as.length == 3 && bs.length == 2) {
            // A shared weight: [b, m, k] @ [k, n] is one GEMM on [(b*m), k] @ [k, n].
            int rows = as[0] * m;
            out = empty(backend, as[0], m, n);
            gemm(backend, MatmulSpec.of(rows, n, k, false, false), a, b, out);
            if (Autograd.needsGrad(a, b)) {
                Autograd.record("matmul", out, new Tensor[] {a, b}, g -> new Tensor[] {
                    a.requiresGrad() ? gemmNew(backend, MatmulSpec.of(rows, k, n, false, true), g, b, as) : null,
                    b.requiresGrad() ? gemmNew(backend, MatmulSpec.of(k, n, rows, true, false), a, g, bs) : null});
            }
            return out;
        }
        int batch = as.length == 3 ? as[0] : bs.length == 3 ? bs[0] : 1;
        boolean aB = as.length == 3, bB = bs.length == 3;
        int[] outShape = (aB || bB) ? new int[] {batch, m, n} : new int[] {m, n};
        if (batch == 0) return emptyBatch(a, b, outShape);
        out = empty(backend, outShape);
        gemm(backend, new MatmulSpec(batch, m, n, k, false, false, aB, bB, false), a, b, out);
        if (Autograd.needsGrad(a, b)) {
            Autograd.record("matmul", out, new Tensor[] {a, b}, g -> {
                boolean gB = aB || bB;
                Tensor ga = null, gb = null;
                if (a.requiresGrad()) {
                    MatmulSpec s = new MatmulSpec(batch, m, k, n, false, true, gB, bB, false);
                    ga = aB || !gB ? gemmNew(backend, s, g, b, aB ? as : new int[] {m, k}) : sumBatches(backend, s, g, b, batch, m, k);
                }
                if (b.requiresGrad()) {
                    MatmulSpec s = new MatmulSpec(batch, k, n, m, true, false, aB, gB, false);
                    gb = bB || !gB ? gemmNew(backend, s, a, g, bB ? bs : new int[] {k, n}) : sumBatches(backend, s, a, g, batch, k, n);
                }
                return new Tensor[] {ga, gb};
            });
        }
        return out;
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

    /** The gradient of an operand shared across the batch: per-batch products summed over the batch. */
    private static Tensor sumBatches(Backend backend, MatmulSpec spec, Tensor a, Tensor b, int batch, int rows, int cols) {
        Tensor per = gemmNew(backend, spec, a, b, new int[] {batch, rows, cols});
        Tensor out = empty(backend, rows, cols);
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
