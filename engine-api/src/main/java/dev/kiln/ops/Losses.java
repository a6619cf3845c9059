package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/** Cross-entropy (fused with log-softmax on the backend) and mean squared error (composite). */
final class Losses {
    private Losses() {}

    static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, float labelSmoothing) {
        return crossEntropy(logits, targets, reduction, labelSmoothing, CrossEntropySpec.DEFAULT_IGNORE_INDEX);
    }

    /**
     * Logits {@code [C]}, {@code [N, C]} or {@code [N, C, d1, ...]} against INT64 or INT32 targets
     * {@code []}, {@code [N]} or {@code [N, d1, ...]} (PyTorch's {@code F.cross_entropy}); positions
     * whose target is {@code ignoreIndex} add nothing and are not counted by the mean.
     */
    static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, float labelSmoothing, long ignoreIndex) {
        String op = "cross_entropy";
        Checks.notNull(op, new Tensor[] {logits, targets}, "logits", "targets");
        if (reduction == null) throw new IllegalArgumentException(op + ": reduction must not be null");
        if (targets.dtype() != DType.INT64 && targets.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": targets must be INT64 or INT32 class indices, got " + targets.dtype()
                    + " (targets shape " + Shape.str(targets.shape()) + ", logits shape " + Shape.str(logits.shape()) + ")");
        }
        Checks.floats(op, logits);
        Checks.sameDevice(op, logits, targets);
        int[] ls = logits.shape(), ts = targets.shape();
        if (!shapesFit(ls, ts)) {
            throw new IllegalArgumentException(op + ": expected logits [N, C] and targets [N], or logits [N, C, d1, ...] and targets "
                    + "[N, d1, ...], or logits [C] and a target [], got " + Shape.str(ls) + " and " + Shape.str(ts));
        }
        int n = ls.length == 1 ? 1 : ls[0], classes = ls.length == 1 ? ls[0] : ls[1], inner = 1;
        for (int d = 2; d < ls.length; d++) inner *= ls[d];
        if (n == 0 || classes == 0 || inner == 0) {
            throw new IllegalArgumentException(op + ": empty logits " + Shape.str(ls) + " are not supported");
        }
        CrossEntropySpec spec = new CrossEntropySpec(n, classes, inner, labelSmoothing, ignoreIndex, targets.dtype());
        int positions = spec.positions();
        Backend backend = logits.backend();
        Tensor losses = empty(backend, ts);
        Tensor logProbs = empty(backend, ls);
        Tensor counted = reduction == Reduction.MEAN ? empty(backend, positions) : null;
        try (Pin pl = pin(op, logits); Pin pt = pin(op, targets)) {
            backend.crossEntropy(spec, pl.storage(), pt.storage(), storage(losses), storage(logProbs), counted == null ? null : storage(counted));
        } catch (IllegalArgumentException e) { // a target outside [0, C), found by a synchronous backend
            losses.close();
            logProbs.close();
            if (counted != null) counted.close();
            throw new IllegalArgumentException(e.getMessage() + " (logits shape " + Shape.str(ls) + ", targets shape " + Shape.str(ts) + ")", e);
        }
        Tensor out;
        Tensor count = null; // the number of counted positions, the divisor of the mean (0 when all are ignored: NaN, as PyTorch)
        if (reduction == Reduction.NONE) {
            out = losses;
        } else {
            ReduceSpec all = new ReduceSpec(new int[] {positions}, new int[] {0});
            out = empty(backend);
            backend.sum(all, storage(losses), storage(out));
            losses.close();
            if (reduction == Reduction.MEAN) {
                count = empty(backend);
                backend.sum(all, storage(counted), storage(count));
                counted.close();
                backend.binary(BinaryOp.DIV, new Broadcast(new int[0], new int[0], new int[0]), storage(out), storage(count), storage(out));
            }
        }
        if (Autograd.needsGrad(logits)) {
            Tensor divisor = count;
            Autograd.record(op, out, new Tensor[] {logits, targets}, g -> {
                Tensor gradLoss = switch (reduction) {
                    case NONE -> g;
                    case SUM -> Elementwise.expand(g, new int[0], new int[] {positions}, 1f);
                    case MEAN -> {
                        Tensor scaled = empty(backend, positions);
                        try (Pin pg = pin(op, g)) {
                            backend.binary(BinaryOp.DIV, new Broadcast(new int[] {positions}, new int[0], new int[0]), pg.storage(),
                                    storage(divisor), storage(scaled));
                        }
                        yield scaled;
                    }
                };
                Tensor gx = empty(backend, ls);
                try (Pin pt = pin(op, targets); Pin pg = pin(op, gradLoss)) {
                    backend.crossEntropyBackward(spec, storage(logProbs), pt.storage(), pg.storage(), storage(gx));
                }
                if (gradLoss != g) gradLoss.close();
                return new Tensor[] {gx, null};
            });
        } else {
            logProbs.close();
            if (count != null) count.close();
        }
        return out;
    }

    /** [N, C] with [N], [N, C, d...] with [N, d...], or [C] with []. */
    private static boolean shapesFit(int[] ls, int[] ts) {
        if (ls.length == 1) return ts.length == 0;
        if (ls.length < 2 || ts.length != ls.length - 1 || ts[0] != ls[0]) return false;
        for (int d = 2; d < ls.length; d++) if (ts[d - 1] != ls[d]) return false;
        return true;
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
