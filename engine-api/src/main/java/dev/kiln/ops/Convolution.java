package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation, NCHW). Options resolve to a backend {@link Conv2dSpec}
 * with symmetric zero padding; asymmetric ("same" with an even dilated kernel, explicit
 * per-side) or circular padding is applied first by a differentiable {@code pad2d}, so a
 * backend only ever sees cuDNN's form.
 */
final class Convolution {
    private Convolution() {}

    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions options) {
        return conv2d(x, weight, bias, options, false);
    }

    /** {@code conv2d}, followed by a ReLU when {@code relu} (one fused backend call and one autograd node). */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions options, boolean relu) {
        return conv2d(x, weight, bias, options, relu, null);
    }

    /**
     * {@code conv2d}, followed by a ReLU when {@code relu} and then, when {@code pool} is not null,
     * by a max pooling ({@link ConvReluPool}; {@code relu} is then true): one fused op.
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions options, boolean relu, Pool2dOptions pool) {
        Checks.notNull("conv2d", new Tensor[] {x, weight}, "input", "weight");
        if (options == null) throw new IllegalArgumentException("conv2d: options must not be null");
        Checks.floats("conv2d", x, weight, bias);
        Checks.sameDevice("conv2d", x, weight, bias);
        Checks.rank("conv2d", x, 4, "input [N, C, H, W]");
        Checks.rank("conv2d", weight, 4, "weight [O, C/groups, kh, kw]");
        int[] xs = x.shape(), ws = weight.shape();
        int groups = options.groups();
        String shapes = " (weight shape " + Shape.str(ws) + ", input shape " + Shape.str(xs) + ")";
        if ((long) ws[1] * groups != xs[1]) {
            String perGroup = groups == 1 ? "" : " (" + ws[1] + " per group x groups=" + groups + ")";
            throw new IllegalArgumentException("conv2d: input has " + xs[1] + " channels, weight expects " + (long) ws[1] * groups
                    + perGroup + shapes);
        }
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException("conv2d: out_channels=" + ws[0] + " is not divisible by groups=" + groups + shapes);
        }
        Checks.vector("conv2d", "bias", bias, ws[0]);
        if (Shape.numel(xs) == 0 || Shape.numel(ws) == 0) {
            throw new IllegalArgumentException("conv2d: empty tensors are not supported" + shapes);
        }
        int kh = ws[2], kw = ws[3];
        int dh = options.dilationH(), dw = options.dilationW();
        int top, bottom, left, right;
        if (options.padding() instanceof Padding.Explicit p) {
            top = p.top();
            bottom = p.bottom();
            left = p.left();
            right = p.right();
        } else {
            if (options.strideH() != 1 || options.strideW() != 1) {
                throw new IllegalArgumentException("conv2d: padding='same' requires stride 1, got stride (" + options.strideH() + ", " + options.strideW() + ")");
            }
            int th = dh * (kh - 1), tw = dw * (kw - 1);
            top = th / 2;
            bottom = th - top;
            left = tw / 2;
            right = tw - left;
        }
        int paddedH = xs[2] + top + bottom, paddedW = xs[3] + left + right;
        int effH = dh * (kh - 1) + 1, effW = dw * (kw - 1) + 1;
        if (effH > paddedH || effW > paddedW) {
            throw new IllegalArgumentException("conv2d: kernel size (" + effH + ", " + effW + ") (dilated) is larger than the padded input ("
                    + paddedH + ", " + paddedW + ")" + shapes);
        }
        boolean circular = options.paddingMode() == PaddingMode.CIRCULAR;
        if (circular && (top > xs[2] || bottom > xs[2] || left > xs[3] || right > xs[3])) {
            throw new IllegalArgumentException("conv2d: circular padding (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right
                    + ") must not exceed the input size (" + xs[2] + ", " + xs[3] + ")" + shapes);
        }
        boolean anyPad = top + bottom + left + right > 0;
        if (anyPad && (circular || top != bottom || left != right)) {
            Tensor padded = Shaping.pad2d(x, top, bottom, left, right, options.paddingMode());
            Tensor out = pool != null ? ConvReluPool.core(padded, weight, bias, options, 0, 0, pool) : core(padded, weight, bias, options, 0, 0, relu);
            // The padded input is saved for the weight gradient; free it now only when no backward will run.
            if (!Autograd.needsGrad(x, weight, bias)) padded.close();
            return out;
        }
        if (pool != null) return ConvReluPool.core(x, weight, bias, options, top, left, pool);
        return core(x, weight, bias, options, top, left, relu);
    }

    /**
     * Convolution with symmetric zero padding {@code (padH, padW)} (and a fused ReLU when
     * {@code relu}), recorded for autograd. The fused op's backward first turns the output
     * gradient into the pre-activation gradient (with the bias gradient in the same pass), then
     * runs the convolution's data and weight gradients on it.
     */
    private static Tensor core(Tensor x, Tensor weight, Tensor bias, Conv2dOptions o, int padH, int padW, boolean relu) {
        int[] xs = x.shape(), ws = weight.shape();
        Conv2dSpec spec = new Conv2dSpec(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], o.strideH(), o.strideW(),
                padH, padW, o.dilationH(), o.dilationW(), o.groups());
        Backend backend = x.backend();
        Tensor y = empty(backend, spec.outputShape());
        String op = relu ? "conv2d_relu" : "conv2d";
        try (Pin px = pin(op, x); Pin pw = pin(op, weight); Pin pb = bias == null ? null : pin(op, bias)) {
            Storage b = pb == null ? null : pb.storage();
            if (relu) backend.conv2dRelu(spec, px.storage(), pw.storage(), b, storage(y));
            else backend.conv2d(spec, px.storage(), pw.storage(), b, storage(y));
        }
        if (Autograd.needsGrad(x, weight, bias)) {
            Autograd.record(op, y, new Tensor[] {x, weight, bias}, gOut -> {
                Tensor gx = null, gw = null, gb = null;
                Tensor g = gOut;
                boolean biasGrad = bias != null && bias.requiresGrad();
                if (relu) {
                    g = empty(backend, y.shape());
                    if (biasGrad) gb = empty(backend, ws[0]);
                    backend.conv2dReluBackward(spec, storage(y), storage(gOut), storage(g), gb == null ? null : storage(gb));
                }
                if (x.requiresGrad()) {
                    gx = empty(backend, xs);
                    try (Pin pw = pin(op, weight)) {
                        backend.conv2dBackwardData(spec, storage(g), pw.storage(), storage(gx));
                    }
                }
                if (weight.requiresGrad()) {
                    gw = empty(backend, ws);
                    try (Pin px = pin(op, x)) {
                        backend.conv2dBackwardWeight(spec, px.storage(), storage(g), storage(gw));
                    }
                }
                if (biasGrad && !relu) {
                    gb = empty(backend, ws[0]);
                    backend.conv2dBackwardBias(spec, storage(g), storage(gb));
                }
                if (relu) g.close();
                return new Tensor[] {gx, gw, gb};
            });
        }
        return y;
    }
}
