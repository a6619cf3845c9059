package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation over the trailing {@code normalizedShape} dimensions, as PyTorch's
 * {@code nn.LayerNorm}: {@code [*, normalizedShape] -> [*, normalizedShape]}, each slice
 * normalised by its own mean and biased variance. With {@code elementwiseAffine}, parameters
 * {@code weight} (ones) and, with {@code bias}, {@code bias} (zeros), both of shape
 * {@code normalizedShape}. Same in training and evaluation (no running statistics).
 */
public class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final float eps;

    /**
     * eps 1e-5, with weight and bias, on the default backend.
     *
     * @param normalizedShape the trailing dimensions to normalise over (e.g. the model width)
     */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f, true, true, Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param normalizedShape   the trailing dimensions to normalise over, at least one, each at least 1
     * @param eps               added to the variance, at least 0
     * @param elementwiseAffine whether to learn a scale ({@code weight})
     * @param bias              whether to learn a shift ({@code bias}) too; ignored without {@code elementwiseAffine}
     * @param backend           where the parameters live
     * @throws IllegalArgumentException if the shape is empty or holds a size below 1, or eps is negative
     */
    public LayerNorm(int[] normalizedShape, float eps, boolean elementwiseAffine, boolean bias, Backend backend) {
        this.normalizedShape = checkShape("LayerNorm", normalizedShape);
        if (!(eps >= 0f)) throw new IllegalArgumentException("LayerNorm: eps must be >= 0, got " + eps);
        this.eps = eps;
        if (elementwiseAffine) {
            registerParameter("weight", Init.constantParameter(backend, 1f, this.normalizedShape));
            if (bias) registerParameter("bias", Init.constantParameter(backend, 0f, this.normalizedShape));
        }
    }

    /**
     * {@code [*, normalizedShape] -> } the same shape.
     *
     * @throws IllegalArgumentException if the input's trailing dimensions are not {@code normalizedShape}
     */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.layerNorm(input, normalizedShape, parameter("weight"), parameter("bias"), eps);
    }

    /** {@return the normalised trailing shape (a copy)} */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** {@return the scale, or null without elementwise affine} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** {@return the shift, or null when built without one} */
    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    protected String extraRepr() {
        return Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight() != null)
                + (weight() != null && bias() == null ? ", bias=false" : "");
    }

    /** A copy of {@code shape}, checked non-empty with sizes of at least 1; {@code module} names the caller in messages. */
    static int[] checkShape(String module, int[] shape) {
        if (shape == null || shape.length == 0) throw new IllegalArgumentException(module + ": normalized_shape must have at least one dimension");
        for (int d : shape) {
            if (d < 1) throw new IllegalArgumentException(module + ": normalized_shape sizes must be >= 1, got " + Arrays.toString(shape));
        }
        return shape.clone();
    }
}
