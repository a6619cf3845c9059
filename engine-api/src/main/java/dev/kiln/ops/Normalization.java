package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BatchNormSpec;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Batch normalisation over {@code [N, C]} or {@code [N, C, H, W]}. Training (or eval without
 * running statistics) uses batch statistics via the fused SPI kernels; eval with running
 * statistics is an affine map per channel whose backward is composed here.
 */
final class Normalization {
    private Normalization() {}

    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                            boolean training, float momentum, float eps) {
        String op = "batch_norm";
        Checks.notNull(op, x, "input");
        Checks.floats(op, x, runningMean, runningVar, gamma, beta);
        Checks.sameDevice(op, x, runningMean, runningVar, gamma, beta);
        int[] xs = x.shape();
        if (xs.length != 2 && xs.length != 4) {
            throw new IllegalArgumentException(op + ": expected a 2-D input [N, C] or a 4-D input [N, C, H, W], got shape " + Shape.str(xs));
        }
        int c = xs[1];
        Checks.vector(op, "running_mean", runningMean, c);
        Checks.vector(op, "running_var", runningVar, c);
        Checks.vector(op, "weight", gamma, c);
        Checks.vector(op, "bias", beta, c);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(op + ": running_mean and running_var must both be given or both be null");
        }
        int spatial = xs.length == 4 ? Math.multiplyExact(xs[2], xs[3]) : 1;
        BatchNormSpec spec;
        try {
            spec = new BatchNormSpec(xs[0], c, spatial, eps, momentum);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input shape " + Shape.str(xs) + ")", e);
        }
        boolean batchStats = training || runningMean == null;
        if (batchStats && (long) xs[0] * spatial <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input shape " + Shape.str(xs));
        }
        Backend backend = x.backend();
        Tensor w = gamma != null ? gamma : Tensor.full(backend, 1f, c);
        Tensor b = beta != null ? beta : Tensor.full(backend, 0f, c);
        Tensor out = batchStats
                ? train(spec, x, w, b, gamma, beta, training ? runningMean : null, training ? runningVar : null)
                : eval(spec, x, w, b, gamma, beta, runningMean, runningVar, eps);
        if (!Autograd.needsGrad(x, gamma, beta)) {
            if (w != gamma) w.close();
            if (b != beta) b.close();
        }
        return out;
    }

    /** Batch statistics; {@code gammaIn}/{@code betaIn} are the caller's (possibly null) parameters, w/b the ones used. */
    private static Tensor train(BatchNormSpec spec, Tensor x, Tensor w, Tensor b, Tensor gammaIn, Tensor betaIn,
                                Tensor runningMean, Tensor runningVar) {
        Backend backend = x.backend();
        int[] xs = x.shape();
        int c = spec.c();
        Tensor y = empty(backend, xs);
        Tensor mean = empty(backend, c);
        Tensor invStd = empty(backend, c);
        try (Pin px = pin("batch_norm", x); Pin pw = pin("batch_norm", w); Pin pb = pin("batch_norm", b);
             Pin pm = runningMean == null ? null : pin("batch_norm", runningMean);
             Pin pv = runningVar == null ? null : pin("batch_norm", runningVar)) {
            backend.batchNormTrain(spec, px.storage(), pw.storage(), pb.storage(), storage(y), storage(mean), storage(invStd),
                    pm == null ? null : pm.storage(), pv == null ? null : pv.storage());
        }
        if (Autograd.needsGrad(x, gammaIn, betaIn)) {
            Autograd.record("batch_norm", y, new Tensor[] {x, gammaIn, betaIn}, g -> {
                Tensor gx = empty(backend, xs);
                Tensor gGamma = empty(backend, c);
                Tensor gBeta = empty(backend, c);
                try (Pin px = pin("batch_norm", x); Pin pw = pin("batch_norm", w)) {
                    backend.batchNormBackward(spec, px.storage(), pw.storage(), storage(g), storage(mean), storage(invStd),
                            storage(gx), storage(gGamma), storage(gBeta));
                }
                return new Tensor[] {keepIf(gx, x.requiresGrad()), keepIf(gGamma, gammaIn != null && gammaIn.requiresGrad()),
                        keepIf(gBeta, betaIn != null && betaIn.requiresGrad())};
            });
        } else {
            mean.close();
            invStd.close();
        }
        return y;
    }

    private static Tensor keepIf(Tensor t, boolean keep) {
        if (keep) return t;
        t.close();
        return null;
    }

    /**
     * Running statistics: {@code y = (x - mean) * invstd * gamma + beta}. The statistics are
     * snapshotted at forward time so that a later in-place update cannot change this backward.
     */
    private static Tensor eval(BatchNormSpec spec, Tensor x, Tensor w, Tensor b, Tensor gammaIn, Tensor betaIn,
                               Tensor runningMean, Tensor runningVar, float eps) {
        Backend backend = x.backend();
        int[] xs = x.shape();
        int c = spec.c();
        Tensor y = empty(backend, xs);
        Tensor mean = null, invStd = null;
        try (Pin px = pin("batch_norm", x); Pin pw = pin("batch_norm", w); Pin pb = pin("batch_norm", b);
             Pin pm = pin("batch_norm", runningMean); Pin pv = pin("batch_norm", runningVar)) {
            backend.batchNormEval(spec, px.storage(), pw.storage(), pb.storage(), pm.storage(), pv.storage(), storage(y));
            if (Autograd.needsGrad(x, gammaIn, betaIn)) {
                mean = empty(backend, c);
                backend.copy(pm.storage(), storage(mean));
                invStd = empty(backend, c);
                backend.scalar(ScalarOp.ADD, pv.storage(), eps, storage(invStd));
                backend.scalar(ScalarOp.POW, storage(invStd), -0.5f, storage(invStd));
            }
        }
        if (mean != null) {
            Tensor savedMean = mean, savedInvStd = invStd;
            int[] cs = channelShape(xs.length, c);
            int[] vs = {c};
            Autograd.record("batch_norm", y, new Tensor[] {x, gammaIn, betaIn}, g -> {
                Tensor gx = null, gGamma = null, gBeta = null;
                if (x.requiresGrad()) {
                    Tensor scale = empty(backend, c);
                    try (Pin pw = pin("batch_norm", w)) {
                        backend.binary(BinaryOp.MUL, new Broadcast(vs, vs, vs), pw.storage(), storage(savedInvStd), storage(scale));
                    }
                    gx = empty(backend, xs);
                    backend.binary(BinaryOp.MUL, new Broadcast(xs, xs, cs), storage(g), storage(scale), storage(gx));
                    scale.close();
                }
                if (gammaIn != null && gammaIn.requiresGrad()) {
                    Tensor t = empty(backend, xs);
                    try (Pin px = pin("batch_norm", x)) {
                        backend.binary(BinaryOp.SUB, new Broadcast(xs, xs, cs), px.storage(), storage(savedMean), storage(t));
                    }
                    backend.binary(BinaryOp.MUL, new Broadcast(xs, xs, cs), storage(t), storage(savedInvStd), storage(t));
                    backend.binary(BinaryOp.MUL, new Broadcast(xs, xs, xs), storage(t), storage(g), storage(t));
                    gGamma = channelSum(t, c);
                    t.close();
                }
                if (betaIn != null && betaIn.requiresGrad()) gBeta = channelSum(g, c);
                return new Tensor[] {gx, gGamma, gBeta};
            });
        }
        return y;
    }

    /** {@code [1, C]} or {@code [1, C, 1, 1]}: a per-channel vector aligned with the input. */
    private static int[] channelShape(int rank, int c) {
        return rank == 4 ? new int[] {1, c, 1, 1} : new int[] {1, c};
    }

    /** Sum over every axis but the channel axis (1), as a {@code [C]} tensor. */
    private static Tensor channelSum(Tensor t, int c) {
        int[] s = t.shape();
        int[] axes = s.length == 4 ? new int[] {0, 2, 3} : new int[] {0};
        Tensor out = empty(t.backend(), c);
        t.backend().sum(new ReduceSpec(s, axes), storage(t), storage(out));
        return out;
    }
}
