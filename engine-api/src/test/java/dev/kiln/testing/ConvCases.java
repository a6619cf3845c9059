package dev.kiln.testing;

import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Padding;
import dev.kiln.ops.PaddingMode;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.tensor.Tensor;
import java.util.List;

/**
 * conv2d samples: batch 1 and odd sizes, non-square kernels, stride > 1, dilation, groups
 * (including depthwise), bias or none, and padding valid / same (odd and even kernels, the
 * latter asymmetric) / explicit per side, in zeros and circular mode.
 */
final class ConvCases {
    private ConvCases() {}

    static List<OpCase> all() {
        Conv2dOptions d = Conv2dOptions.defaults();
        PaddingMode circ = PaddingMode.CIRCULAR;
        return List.of(
                conv(1, 1, 1, 5, 5, 1, 3, 3, d, true),
                conv(2, 2, 3, 7, 6, 4, 3, 2, d.stride(2).padding(1), true),
                conv(3, 1, 2, 9, 8, 3, 3, 3, d.dilation(2).padding(Padding.of(2, 1)), false),
                conv(4, 2, 4, 6, 7, 6, 3, 3, d.groups(2).padding(Padding.same()), true),
                conv(5, 1, 3, 5, 5, 3, 3, 3, d.groups(3).stride(2), true),
                conv(6, 2, 2, 6, 5, 2, 2, 2, d.padding(Padding.same()), true),
                conv(7, 1, 2, 5, 6, 3, 3, 2, d.stride(1, 2).padding(Padding.of(2, 0, 1, 3)), true),
                conv(8, 2, 2, 5, 5, 3, 3, 3, d.padding(Padding.same()).paddingMode(circ), true),
                conv(9, 1, 2, 6, 5, 2, 2, 3, d.padding(Padding.of(1, 2, 0, 1)).paddingMode(circ), false),
                conv(10, 1, 1, 7, 7, 2, 3, 3, d.dilation(2).padding(Padding.same()).paddingMode(circ), true),
                conv(11, 2, 3, 6, 6, 4, 1, 1, d.stride(2), true),
                conv(12, 1, 2, 7, 9, 2, 2, 3, d.stride(2, 3).dilation(1, 2).padding(Padding.of(1, 2)), true),
                conv(13, 2, 2, 3, 4, 3, 3, 4, d, true),
                conv(14, 1, 2, 7, 6, 4, 3, 3, d.stride(2).padding(1).paddingMode(circ), true),
                conv(15, 2, 4, 5, 6, 4, 2, 3, d.groups(4).dilation(2, 1).padding(Padding.same()), false),
                conv(16, 1, 3, 4, 4, 2, 4, 4, d.padding(Padding.of(0, 1, 1, 0)), true),
                conv(17, 2, 4, 3, 5, 6, 1, 1, d.groups(2), true),
                conv(18, 1, 3, 4, 4, 2, 1, 1, d, false),
                conv(19, 17, 1, 4, 4, 3, 3, 3, d.padding(1), true),
                conv(20, 1, 4, 5, 6, 4, 3, 3, d.groups(2).padding(Padding.of(1, 0, 2, 1)).paddingMode(circ), true),
                // The usual training case: the input needs no gradient, only the parameters do.
                withConstant(0, conv(21, 2, 2, 6, 5, 3, 3, 2, d.padding(Padding.of(0, 1, 1, 0)), true)),
                withConstant(0, conv(22, 1, 3, 5, 5, 3, 3, 3, d.padding(Padding.same()).paddingMode(circ).groups(3), false)),
                // Frozen weights: only the input's gradient is computed.
                withConstant(1, conv(23, 2, 2, 5, 5, 2, 3, 3, d.stride(2).padding(1), true)),
                // The fused convolution + ReLU (nn.Sequential runs Conv2d then ReLU this way).
                convRelu(24, 2, 3, 7, 6, 4, 3, 3, d.padding(Padding.same()), true),
                convRelu(25, 1, 4, 6, 7, 4, 3, 2, d.groups(2).stride(2).padding(Padding.of(1, 0, 2, 1)).paddingMode(circ), true),
                withConstant(0, convRelu(26, 3, 2, 5, 5, 3, 3, 3, d.dilation(2).padding(2), false)),
                // The fused convolution + ReLU + max pool (nn.Sequential runs Conv2d, ReLU, MaxPool2d this way):
                // 2x2 / stride 2 (the CPU's in-cache path; an odd output column dropped), then pools that compose.
                convReluPool(27, 2, 3, 8, 9, 4, 3, 3, d, Pool2dOptions.kernel(2), true),
                withConstant(0, convReluPool(28, 3, 1, 9, 8, 3, 3, 3, d.padding(1), Pool2dOptions.kernel(2), true)),
                convReluPool(29, 2, 4, 7, 7, 4, 3, 3, d.groups(2).padding(Padding.same()), Pool2dOptions.kernel(3).stride(2).padding(1), false),
                convReluPool(30, 1, 2, 11, 11, 3, 2, 2, d.stride(2), Pool2dOptions.kernel(2).ceilMode(true), true),
                // Asymmetric circular padding: the input is padded by its own op first, then the fused op runs on it.
                convReluPool(31, 2, 2, 6, 6, 3, 2, 2, d.padding(Padding.same()).paddingMode(circ), Pool2dOptions.kernel(2), true));
    }

    /**
     * {@code Functional.conv2dReluMaxPool2d}; the reference max-pools the ReLU of the float64
     * convolution. Uniform inputs make ties and zeros (the two kinks) measure-zero events.
     */
    private static OpCase convReluPool(long seed, int n, int c, int h, int w, int o, int kh, int kw, Conv2dOptions opt, Pool2dOptions pool,
                                       boolean bias) {
        Inputs in = new Inputs(seed);
        RefConv.Geometry g = geometry(opt, kh, kw);
        String name = String.format("conv2d_relu_max_pool2d x[%d,%d,%d,%d] w[%d,%d,%d,%d] stride(%d,%d) groups %d pad(t%d b%d l%d r%d) pool %dx%d/%d pad %d ceil %s%s",
                n, c, h, w, o, c / opt.groups(), kh, kw, opt.strideH(), opt.strideW(), opt.groups(), g.top(), g.bottom(), g.left(), g.right(),
                pool.kernelH(), pool.kernelW(), pool.strideH(), pool.padH(), pool.ceilMode(), bias ? " +bias" : "");
        OpCase k = OpCase.named(name).input(in.uniform(n, c, h, w)).input(in.uniform(o, c / opt.groups(), kh, kw));
        if (bias) k = k.input(in.uniform(o));
        return k.kiln((b, t) -> Functional.conv2dReluMaxPool2d(t[0], t[1], bias ? t[2] : null, opt, pool))
                .ref(r -> RefPool.maxPool2d(RefMath.map(RefConv.conv2d(r[0], r[1], bias ? r[2] : null, g), RefMath::relu), PoolCases.window(pool)));
    }

    /** The same sample with input {@code i} passed as a constant (no gradient requested). */
    private static OpCase withConstant(int i, OpCase c) {
        return c.asConstant(i);
    }

    /** One sample: x [n, c, h, w], weight [o, c/groups, kh, kw], bias [o] when {@code bias}. */
    private static OpCase conv(long seed, int n, int c, int h, int w, int o, int kh, int kw, Conv2dOptions opt, boolean bias) {
        return conv(seed, n, c, h, w, o, kh, kw, opt, bias, false);
    }

    /** As {@link #conv}, through {@code Functional.conv2dRelu}; the reference applies ReLU to the float64 convolution. */
    private static OpCase convRelu(long seed, int n, int c, int h, int w, int o, int kh, int kw, Conv2dOptions opt, boolean bias) {
        return conv(seed, n, c, h, w, o, kh, kw, opt, bias, true);
    }

    private static OpCase conv(long seed, int n, int c, int h, int w, int o, int kh, int kw, Conv2dOptions opt, boolean bias, boolean relu) {
        Inputs in = new Inputs(seed);
        RefConv.Geometry g = geometry(opt, kh, kw);
        String name = String.format("conv2d x[%d,%d,%d,%d] w[%d,%d,%d,%d] stride(%d,%d) dil(%d,%d) groups %d pad(t%d b%d l%d r%d) %s%s",
                n, c, h, w, o, c / opt.groups(), kh, kw, opt.strideH(), opt.strideW(), opt.dilationH(), opt.dilationW(), opt.groups(),
                g.top(), g.bottom(), g.left(), g.right(), opt.paddingMode(), bias ? " +bias" : "") + (relu ? " +relu (fused)" : "");
        OpCase k = OpCase.named(name).input(in.uniform(n, c, h, w)).input(in.uniform(o, c / opt.groups(), kh, kw));
        if (bias) k = k.input(in.uniform(o));
        return k.kiln((b, t) -> {
                    Tensor bt = bias ? t[2] : null;
                    return relu ? Functional.conv2dRelu(t[0], t[1], bt, opt) : Functional.conv2d(t[0], t[1], bt, opt);
                })
                .ref(r -> {
                    Nd y = RefConv.conv2d(r[0], r[1], bias ? r[2] : null, g);
                    return relu ? RefMath.map(y, RefMath::relu) : y;
                });
    }

    /** Resolves options to per-side padding as PyTorch does ('same': total d*(k-1), the odd cell after). */
    static RefConv.Geometry geometry(Conv2dOptions o, int kh, int kw) {
        int top, bottom, left, right;
        if (o.padding() instanceof Padding.Explicit p) {
            top = p.top();
            bottom = p.bottom();
            left = p.left();
            right = p.right();
        } else {
            int th = o.dilationH() * (kh - 1), tw = o.dilationW() * (kw - 1);
            top = th / 2;
            bottom = th - th / 2;
            left = tw / 2;
            right = tw - tw / 2;
        }
        return new RefConv.Geometry(o.strideH(), o.strideW(), o.dilationH(), o.dilationW(), o.groups(),
                top, bottom, left, right, o.paddingMode() == PaddingMode.CIRCULAR);
    }
}
