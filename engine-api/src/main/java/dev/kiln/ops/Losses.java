package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/** Cross-entropy (fused with log-softmax on the backend) and mean squared error (composite). */
final class Losses {
    private Losses() {}

    static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, float labelSmoothing) {
        String op = "cross_entropy";
        Checks.notNull(op, new Tensor[] {logits, targets}, "logits", "targets");
        if (reduction == null) throw new IllegalArgumentException(op + ": reduction must not be null");
        if (targets.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": targets must be INT32 class indices, got " + targets.dtype()
                    + " (targets shape " + Shape.str(targets.shape()) + ", logits shape " + Shape.str(logits.shape()) + ")");
        }
        Checks.floats(op, logits);
        Checks.sameDevice(op, logits, targets);
        int[] ls = logits.shape(), ts = targets.shape();
        if (ls.length != 2 || ts.length != 1 || ls[0] != ts[0]) {
            throw new IllegalArgumentException(op + ": expected logits [N, C] and targets [N], got " + Shape.str(ls) + " and " + Shape.str(ts));
        }
        int n = ls[0], classes = ls[1];
        CrossEntropySpec spec = new CrossEntropySpec(n, classes, labelSmoothing);
        Backend backend = logits.backend();
        Tensor losses = empty(backend, n);
        Tensor logProbs = empty(backend, n, classes);
        try (Pin pl = pin(op, logits); Pin pt = pin(op, targets)) {
            backend.crossEntropy(spec, pl.storage(), pt.storage(), storage(losses), storage(logProbs));
        } catch (IllegalArgumentException e) { // a target outside [0, C), found by a synchronous backend
            losses.close();
            logProbs.close();
            throw new IllegalArgumentException(e.getMessage() + " (logits shape " + Shape.str(ls) + ", targets shape " + Shape.str(ts) + ")", e);
        }
        Tensor out;
        if (reduction == Reduction.NONE) {
            out = losses;
        } else {
            out = empty(backend);
            backend.sum(new ReduceSpec(new int[] {n}, new int[] {0}), storage(losses), storage(out));
            if (reduction == Reduction.MEAN) backend.scalar(ScalarOp.MUL, storage(out), 1f / n, storage(out));
            losses.close();
        }
        if (Autograd.needsGrad(logits)) {
            Autograd.record(op, out, new Tensor[] {logits, targets}, g -> {
                Tensor gradLoss = reduction == Reduction.NONE ? g
                        : Elementwise.expand(g, new int[0], new int[] {n}, reduction == Reduction.MEAN ? 1f / n : 1f);
                Tensor gx = empty(backend, n, classes);
                try (Pin pt = pin(op, targets)) {
                    backend.crossEntropyBackward(spec, storage(logProbs), pt.storage(), storage(gradLoss), storage(gx));
                }
                if (gradLoss != g) gradLoss.close();
                return new Tensor[] {gx, null};
            });
        } else {
            logProbs.close();
        }
        return out;
    }

    static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        String op = "mse_loss";
        Checks.operands(op, input, target);
        if (reduction == null) throw new IllegalArgumentException(op + ": reduction must not be null");
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": input and target shapes differ: " + Shape.str(input.shape()) + " and " + Shape.str(target.shape()));
        }
        boolean grad = Autograd.needsGrad(input, target);
        Tensor diff = Functional.sub(input, target);
        Tensor sq = Functional.mul(diff, diff);
        if (reduction == Reduction.NONE) {
            if (!grad) diff.close();
            return sq;
        }
        Tensor out = reduction == Reduction.MEAN ? Functional.mean(sq) : Functional.sum(sq);
        if (!grad) {
            diff.close();
            sq.close();
        }
        return out;
    }
}
