package dev.kiln.ops;

import dev.kiln.autograd.Autograd;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * 1-D convolution as a 2-D one of height 1: input {@code [N, C, L]} is viewed as
 * {@code [N, C, 1, L]} and the weight {@code [O, C/groups, k]} as {@code [O, C/groups, 1, k]}
 * (reshapes are views, so no copy), so it runs wherever {@code conv2d} does, with its autograd.
 * The checks a user can trip are made here first, so that messages name conv1d and 3-D shapes.
 */
final class Convolution1d {
    private Convolution1d() {}

    static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, Conv1dOptions options) {
        String op = "conv1d";
        Checks.notNull(op, new Tensor[] {x, weight}, "input", "weight");
        if (options == null) throw new IllegalArgumentException(op + ": options must not be null");
        Checks.floats(op, x, weight, bias);
        Checks.sameDevice(op, x, weight, bias);
        Checks.rank(op, x, 3, "input [N, C, L]");
        Checks.rank(op, weight, 3, "weight [O, C/groups, k]");
        int[] xs = x.shape(), ws = weight.shape();
        int groups = options.groups();
        String shapes = " (weight shape " + Shape.str(ws) + ", input shape " + Shape.str(xs) + ")";
        if ((long) ws[1] * groups != xs[1]) {
            String perGroup = groups == 1 ? "" : " (" + ws[1] + " per group x groups=" + groups + ")";
            throw new IllegalArgumentException(op + ": input has " + xs[1] + " channels, weight expects " + (long) ws[1] * groups
                    + perGroup + shapes);
        }
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException(op + ": out_channels=" + ws[0] + " is not divisible by groups=" + groups + shapes);
        }
        Checks.vector(op, "bias", bias, ws[0]);
        if (Shape.numel(xs) == 0 || Shape.numel(ws) == 0) {
            throw new IllegalArgumentException(op + ": empty tensors are not supported" + shapes);
        }
        if (options.same() && options.stride() != 1) {
            throw new IllegalArgumentException(op + ": padding='same' requires stride 1, got stride " + options.stride());
        }
        int span = options.dilation() * (ws[2] - 1);
        int left = options.same() ? span / 2 : options.padding();
        int right = options.same() ? span - left : options.padding();
        if (span + 1 > xs[2] + left + right) {
            throw new IllegalArgumentException(op + ": kernel size " + (span + 1) + " (dilated) is larger than the padded input length "
                    + (xs[2] + left + right) + shapes);
        }
        if (options.paddingMode() == PaddingMode.CIRCULAR && Math.max(left, right) > xs[2]) {
            throw new IllegalArgumentException(op + ": circular padding (left " + left + ", right " + right
                    + ") must not exceed the input length " + xs[2] + shapes);
        }
        Tensor x4 = x.reshape(xs[0], xs[1], 1, xs[2]);
        Tensor w4 = weight.reshape(ws[0], ws[1], 1, ws[2]);
        Tensor y4 = Convolution.conv2d(x4, w4, bias, options.toConv2d());
        int[] ys = y4.shape();
        Tensor y = y4.reshape(ys[0], ys[1], ys[3]);
        if (!Autograd.needsGrad(x, weight, bias)) {  // otherwise the 4-D views are part of the graph (the scope frees them)
            x4.close();
            w4.close();
            y4.close();
        }
        return y;
    }
}
