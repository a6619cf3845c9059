package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation) over NCHW images: input {@code [N, in, H, W]}, output
 * {@code [N, out, H', W']} with H' = floor((H + pad_top + pad_bottom - dilation*(kh-1) - 1)/stride) + 1.
 * Parameters {@code weight [out, in/groups, kh, kw]} and optionally {@code bias [out]}, both
 * drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in/groups*kh*kw (PyTorch's default),
 * weight first, then bias.
 */
public class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final Conv2dOptions options;

    /**
     * A square {@code kernel} with default options (stride 1, no padding) and a bias, seeded from {@link Kiln#generator()}.
     *
     * @param inChannels channels of the input
     * @param outChannels channels of the output (filters)
     * @param kernel kernel height and width
     */
    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, Conv2dOptions.defaults(), true);
    }

    /**
     * A square {@code kernel} with the given options, on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param inChannels channels of the input
     * @param outChannels channels of the output (filters)
     * @param kernel kernel height and width
     * @param options stride, padding, dilation, groups, padding mode
     * @param bias whether to add a learned bias per output channel
     */
    public Conv2d(int inChannels, int outChannels, int kernel, Conv2dOptions options, boolean bias) {
        this(inChannels, outChannels, kernel, kernel, options, bias, Kiln.generator(), Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param inChannels  input channels C
     * @param outChannels output channels O
     * @param kernelH     kernel height
     * @param kernelW     kernel width
     * @param options     stride, padding, dilation, groups, padding mode
     * @param bias        whether to add a learned bias per output channel
     * @param generator   source of the initial values
     * @param backend     where the parameters live
     * @throws IllegalArgumentException if a size is below 1 or groups does not divide both channel counts
     */
    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, Conv2dOptions options, boolean bias,
                  Generator generator, Backend backend) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("Conv2d: channels must be >= 1, got in " + inChannels + ", out " + outChannels);
        }
        if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("Conv2d: kernel size must be >= 1, got " + kernelH + "x" + kernelW);
        int g = options.groups();
        if (inChannels % g != 0 || outChannels % g != 0) {
            throw new IllegalArgumentException("Conv2d: groups " + g + " must divide in channels " + inChannels + " and out channels " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = options;
        double bound = Init.defaultBound((long) inChannels / g * kernelH * kernelW);
        registerParameter("weight", Init.uniformParameter(backend, generator, bound, outChannels, inChannels / g, kernelH, kernelW));
        if (bias) registerParameter("bias", Init.uniformParameter(backend, generator, bound, outChannels));
    }

    /** {@code [N, in, H, W] -> [N, out, H', W']}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.conv2d(input, parameter("weight"), parameter("bias"), options);
    }

    /** {@code relu(forward(input))} in one fused op (same result; used by {@link Sequential}). */
    Tensor forwardRelu(Tensor input) {
        return Functional.conv2dRelu(input, parameter("weight"), parameter("bias"), options);
    }

    /** {@code maxPool(relu(forward(input)))} in one fused op (same result; used by {@link Sequential}). */
    Tensor forwardReluMaxPool(Tensor input, MaxPool2d pool) {
        return Functional.conv2dReluMaxPool2d(input, parameter("weight"), parameter("bias"), options, pool.options);
    }

    /** {@return the weight {@code [out, in/groups, kh, kw]}} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** {@return the bias {@code [out]}, or null when built without one} */
    public Tensor bias() {
        return parameter("bias");
    }

    /** {@return the convolution options} */
    public Conv2dOptions options() {
        return options;
    }

    private String paddingText() {
        return switch (options.padding()) {
            case dev.kiln.ops.Padding.Same s -> "same";
            case dev.kiln.ops.Padding.Explicit e when e.top() == e.bottom() && e.left() == e.right() && e.top() == e.left() -> Integer.toString(e.top());
            case dev.kiln.ops.Padding.Explicit e -> e.top() + "," + e.bottom() + "," + e.left() + "," + e.right();
        };
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel=" + kernelH + "x" + kernelW + ", stride=" + options.strideH() + "x" + options.strideW()
                + ", padding=" + paddingText() + (options.groups() > 1 ? ", groups=" + options.groups() : "")
                + (bias() == null ? ", bias=false" : "");
    }
}
