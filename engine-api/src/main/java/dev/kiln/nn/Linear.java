package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Fully connected layer {@code y = x W^T + b}: input {@code [N, in]}, output {@code [N, out]}.
 * Parameters {@code weight [out, in]} and optionally {@code bias [out]}, drawn from
 * U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's default), weight first, then bias.
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    /**
     * With a bias, on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param inFeatures size of each input sample's last dimension
     * @param outFeatures size of each output sample's last dimension
     */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /**
     * On the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param inFeatures size of each input sample's last dimension
     * @param outFeatures size of each output sample's last dimension
     * @param bias whether to add a learned bias
     */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Kiln.generator(), Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param inFeatures size of each input sample's last dimension
     * @param outFeatures size of each output sample's last dimension
     * @param bias whether to add a learned bias
     * @param generator source of the initial values
     * @param backend where the parameters live
     * @throws IllegalArgumentException if a feature count is below 1
     */
    public Linear(int inFeatures, int outFeatures, boolean bias, Generator generator, Backend backend) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: features must be >= 1, got in " + inFeatures + ", out " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = Init.defaultBound(inFeatures);
        registerParameter("weight", Init.uniformParameter(backend, generator, bound, outFeatures, inFeatures));
        if (bias) registerParameter("bias", Init.uniformParameter(backend, generator, bound, outFeatures));
    }

    /** {@code [N, in] -> [N, out]}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.linear(input, parameter("weight"), parameter("bias"));
    }

    /** {@return the weight {@code [out, in]}} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** {@return the bias {@code [out]}, or null when built without one} */
    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    protected String extraRepr() {
        return "in=" + inFeatures + ", out=" + outFeatures + (bias() == null ? ", bias=false" : "");
    }
}
