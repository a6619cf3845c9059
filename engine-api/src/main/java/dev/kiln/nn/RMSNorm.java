package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Root-mean-square normalisation over the trailing {@code normalizedShape} dimensions, as
 * PyTorch 2.4's {@code nn.RMSNorm}: {@code y = x / sqrt(mean(x^2) + eps) * weight}. With
 * {@code elementwiseAffine}, parameter {@code weight} (ones) of shape {@code normalizedShape};
 * no bias. When eps is not given it is float32's machine epsilon ({@link Functional#RMS_NORM_EPS}),
 * PyTorch's {@code eps=None} for float32 inputs.
 */
public class RMSNorm extends Module {
    private final int[] normalizedShape;
    private final float eps;

    /**
     * Default eps, with a weight, on the default backend.
     *
     * @param normalizedShape the trailing dimensions to normalise over (e.g. the model width)
     */
    public RMSNorm(int... normalizedShape) {
        this(normalizedShape, Functional.RMS_NORM_EPS, true, Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param normalizedShape   the trailing dimensions to normalise over, at least one, each at least 1
     * @param eps               added to the mean square, at least 0 ({@link Functional#RMS_NORM_EPS} for PyTorch's default)
     * @param elementwiseAffine whether to learn a scale ({@code weight})
     * @param backend           where the parameter lives
     * @throws IllegalArgumentException if the shape is empty or holds a size below 1, or eps is negative
     */
    public RMSNorm(int[] normalizedShape, float eps, boolean elementwiseAffine, Backend backend) {
        this.normalizedShape = LayerNorm.checkShape("RMSNorm", normalizedShape);
        if (!(eps >= 0f)) throw new IllegalArgumentException("RMSNorm: eps must be >= 0, got " + eps);
        this.eps = eps;
        if (elementwiseAffine) registerParameter("weight", Init.constantParameter(backend, 1f, this.normalizedShape));
    }

    /**
     * {@code [*, normalizedShape] -> } the same shape.
     *
     * @throws IllegalArgumentException if the input's trailing dimensions are not {@code normalizedShape}
     */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.rmsNorm(input, normalizedShape, parameter("weight"), eps);
    }

    /** {@return the normalised trailing shape (a copy)} */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** {@return the eps in use} */
    public float eps() {
        return eps;
    }

    /** {@return the scale, or null without elementwise affine} */
    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    protected String extraRepr() {
        return Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight() != null);
    }
}
