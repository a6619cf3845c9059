package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Conv1dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.PaddingMode;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * 1-D convolution (cross-correlation) over sequences, as PyTorch's {@code nn.Conv1d}: input
 * {@code [N, in, L]}, output {@code [N, out, L']} with
 * L' = floor((L + 2*padding - dilation*(k-1) - 1)/stride) + 1 (or L with {@code padding='same'}).
 * Parameters {@code weight [out, in/groups, k]} and optionally {@code bias [out]}, both drawn from
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in/groups*k (PyTorch's default), weight first,
 * then bias. Runs as a height-1 {@link Conv2d} on every backend.
 */
public class Conv1d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final Conv1dOptions options;

    /**
     * Default options (stride 1, no padding) and a bias, on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param inChannels  channels of the input
     * @param outChannels channels of the output (filters)
     * @param kernelSize  taps per filter
     */
    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, Conv1dOptions.defaults(), true);
    }

    /**
     * The given options, on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param inChannels  channels of the input
     * @param outChannels channels of the output (filters)
     * @param kernelSize  taps per filter
     * @param options     stride, padding, dilation, groups, padding mode
     * @param bias        whether to add a learned bias per output channel
     */
    public Conv1d(int inChannels, int outChannels, int kernelSize, Conv1dOptions options, boolean bias) {
        this(inChannels, outChannels, kernelSize, options, bias, Kiln.generator(), Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param inChannels  channels of the input
     * @param outChannels channels of the output (filters)
     * @param kernelSize  taps per filter
     * @param options     stride, padding, dilation, groups, padding mode
     * @param bias        whether to add a learned bias per output channel
     * @param generator   source of the initial values
     * @param backend     where the parameters live
     * @throws IllegalArgumentException if a size is below 1 or groups does not divide both channel counts
     */
    public Conv1d(int inChannels, int outChannels, int kernelSize, Conv1dOptions options, boolean bias,
                  Generator generator, Backend backend) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("Conv1d: channels must be >= 1, got in " + inChannels + ", out " + outChannels);
        }
        if (kernelSize < 1) throw new IllegalArgumentException("Conv1d: kernel size must be >= 1, got " + kernelSize);
        int g = options.groups();
        if (inChannels % g != 0 || outChannels % g != 0) {
            throw new IllegalArgumentException("Conv1d: groups " + g + " must divide in channels " + inChannels + " and out channels " + outChannels);
        }
        if (options.same() && options.stride() != 1) {
            throw new IllegalArgumentException("Conv1d: padding='same' requires stride 1, got stride " + options.stride());
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.options = options;
        double bound = Init.defaultBound((long) inChannels / g * kernelSize);
        registerParameter("weight", Init.uniformParameter(backend, generator, bound, outChannels, inChannels / g, kernelSize));
        if (bias) registerParameter("bias", Init.uniformParameter(backend, generator, bound, outChannels));
    }

    /** {@code [N, in, L] -> [N, out, L']}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.conv1d(input, parameter("weight"), parameter("bias"), options);
    }

    /** {@return the weight {@code [out, in/groups, k]}} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** {@return the bias {@code [out]}, or null when built without one} */
    public Tensor bias() {
        return parameter("bias");
    }

    /** {@return the convolution options} */
    public Conv1dOptions options() {
        return options;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + kernelSize + ", stride=" + options.stride()
                + ", padding=" + (options.same() ? "same" : Integer.toString(options.padding()))
                + (options.dilation() > 1 ? ", dilation=" + options.dilation() : "")
                + (options.groups() > 1 ? ", groups=" + options.groups() : "")
                + (bias() == null ? ", bias=false" : "")
                + (options.paddingMode() == PaddingMode.CIRCULAR ? ", padding_mode=circular" : "");
    }
}
