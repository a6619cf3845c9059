package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * {@code maxPool2d(relu(conv2d(x, w, b)))} as one op and one autograd node
 * ({@link Backend#conv2dReluMaxPool2d}): the backend pools the convolution's output while it is
 * in cache, so the full-size activation is not read back; without a gradient it is not even
 * written. With one, the pre-pool activation is kept for the backward, which routes the pooled
 * gradient, masks it by the ReLU and sums the bias gradient in one pass
 * ({@link Backend#conv2dReluMaxPool2dBackward}), then runs the convolution's data and weight
 * gradients. Options are validated as {@link Functional#conv2d} and {@link Functional#maxPool2d}
 * validate them.
 */
final class ConvReluPool {
    static final String OP = "conv2d_relu_max_pool2d";

    private ConvReluPool() {}

    static Tensor conv2dReluMaxPool2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions conv, Pool2dOptions pool) {
        if (pool == null) throw new IllegalArgumentException(OP + ": pool options must not be null");
        return Convolution.conv2d(x, weight, bias, conv, true, pool);
    }

    /** The op on an input already padded as far as the backend does not do it (symmetric zero padding {@code padH, padW}). */
    static Tensor core(Tensor x, Tensor weight, Tensor bias, Conv2dOptions o, int padH, int padW, Pool2dOptions p) {
        int[] xs = x.shape(), ws = weight.shape();
        Conv2dSpec cs = new Conv2dSpec(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], o.strideH(), o.strideW(),
                padH, padW, o.dilationH(), o.dilationW(), o.groups());
        Pool2dSpec ps = poolSpec(cs, p);
        Backend backend = x.backend();
        boolean grad = Autograd.needsGrad(x, weight, bias);
        // The pre-pool activation is only needed by the backward.
        Tensor y = grad ? empty(backend, cs.outputShape()) : null;
        Tensor out = empty(backend, ps.outputShape());
        try (Pin px = pin(OP, x); Pin pw = pin(OP, weight); Pin pb = bias == null ? null : pin(OP, bias)) {
            backend.conv2dReluMaxPool2d(cs, ps, px.storage(), pw.storage(), pb == null ? null : pb.storage(), y == null ? null : storage(y), storage(out));
        }
        if (grad) {
            Autograd.record(OP, out, new Tensor[] {x, weight, bias}, gOut -> {
                Tensor gx = null, gw = null, gb = null;
                Tensor g = empty(backend, y.shape());
                if (bias != null && bias.requiresGrad()) gb = empty(backend, ws[0]);
                backend.conv2dReluMaxPool2dBackward(cs, ps, storage(y), storage(out), storage(gOut), storage(g), gb == null ? null : storage(gb));
                if (x.requiresGrad()) {
                    gx = empty(backend, xs);
                    try (Pin pw = pin(OP, weight)) {
                        backend.conv2dBackwardData(cs, storage(g), pw.storage(), storage(gx));
                    }
                }
                if (weight.requiresGrad()) {
                    gw = empty(backend, ws);
                    try (Pin px = pin(OP, x)) {
                        backend.conv2dBackwardWeight(cs, px.storage(), storage(g), storage(gw));
                    }
                }
                g.close();
                return new Tensor[] {gx, gw, gb};
            });
        }
        return out;
    }

    /** The pooling's spec over the convolution's output, its errors labelled with this op and that shape. */
    private static Pool2dSpec poolSpec(Conv2dSpec cs, Pool2dOptions o) {
        int[] s = cs.outputShape();
        try {
            return new Pool2dSpec(s[0], s[1], s[2], s[3], o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW(),
                    o.dilationH(), o.dilationW(), o.ceilMode(), o.countIncludePad());
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage().startsWith("pool2d: ") ? e.getMessage().substring("pool2d: ".length()) : e.getMessage();
            throw new IllegalArgumentException(OP + ": " + msg + " (convolution output shape " + Shape.str(s) + ")", e);
        }
    }
}
