package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/** Max, average and global average pooling over NCHW. */
final class Pooling {
    private Pooling() {}

    static Tensor maxPool2d(Tensor x, Pool2dOptions o) {
        Pool2dSpec spec = spec("max_pool2d", x, o, o == null ? 1 : o.dilationH(), o == null ? 1 : o.dilationW());
        Backend backend = x.backend();
        Tensor y = empty(backend, spec.outputShape());
        if (y.numel() > 0) {
            try (Pin px = pin("max_pool2d", x)) {
                backend.maxPool2d(spec, px.storage(), storage(y));
            }
        }
        if (Autograd.needsGrad(x)) {
            Autograd.record("max_pool2d", y, new Tensor[] {x}, g -> {
                Tensor gx = empty(backend, x.shape());
                if (y.numel() > 0) {
                    try (Pin px = pin("max_pool2d", x); Pin py = pin("max_pool2d", y)) {
                        backend.maxPool2dBackward(spec, px.storage(), py.storage(), storage(g), storage(gx));
                    }
                } else if (gx.numel() > 0) {
                    backend.fill(storage(gx), 0f);
                }
                return new Tensor[] {gx};
            });
        }
        return y;
    }

    static Tensor avgPool2d(Tensor x, Pool2dOptions o) {
        if (o != null && (o.dilationH() != 1 || o.dilationW() != 1)) {
            throw new IllegalArgumentException("avg_pool2d: dilation is not supported for average pooling, expected (1, 1), got ("
                    + o.dilationH() + ", " + o.dilationW() + ")" + (x == null ? "" : " (input shape " + Shape.str(x.shape()) + ")"));
        }
        Pool2dSpec spec = spec("avg_pool2d", x, o, 1, 1);
        Backend backend = x.backend();
        Tensor y = empty(backend, spec.outputShape());
        if (y.numel() > 0) {
            try (Pin px = pin("avg_pool2d", x)) {
                backend.avgPool2d(spec, px.storage(), storage(y));
            }
        }
        if (Autograd.needsGrad(x)) {
            Autograd.record("avg_pool2d", y, new Tensor[] {x}, g -> {
                Tensor gx = empty(backend, x.shape());
                if (y.numel() > 0) {
                    backend.avgPool2dBackward(spec, storage(g), storage(gx));
                } else if (gx.numel() > 0) {
                    backend.fill(storage(gx), 0f);
                }
                return new Tensor[] {gx};
            });
        }
        return y;
    }

    /** Validates input and options and builds the spec, re-labelling the spec's errors with the op and the input shape. */
    private static Pool2dSpec spec(String op, Tensor x, Pool2dOptions o, int dilationH, int dilationW) {
        Checks.notNull(op, x, "input");
        if (o == null) throw new IllegalArgumentException(op + ": options must not be null");
        Checks.floats(op, x);
        Checks.rank(op, x, 4, "input [N, C, H, W]");
        int[] s = x.shape();
        try {
            return new Pool2dSpec(s[0], s[1], s[2], s[3], o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW(),
                    dilationH, dilationW, o.ceilMode(), o.countIncludePad());
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage().startsWith("pool2d: ") ? e.getMessage().substring("pool2d: ".length()) : e.getMessage();
            throw new IllegalArgumentException(op + ": " + msg + " (input shape " + Shape.str(s) + ")", e);
        }
    }

    /** Mean over H and W, keeping them: [N, C, H, W] -> [N, C, 1, 1]. */
    static Tensor globalAvgPool2d(Tensor x) {
        Checks.notNull("global_avg_pool2d", x, "input");
        Checks.floats("global_avg_pool2d", x);
        Checks.rank("global_avg_pool2d", x, 4, "input [N, C, H, W]");
        return Reductions.reduce("global_avg_pool2d", x, true, new int[] {2, 3}, true);
    }
}
