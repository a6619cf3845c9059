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
     * @throws IllegalArgumentException as {@link Builder#build()}
     */
    public LayerNorm(int... normalizedShape) {
        this(builder(normalizedShape));
    }

    /**
     * A builder with PyTorch's defaults: eps 1e-5, a learned weight and bias, {@link Kiln#backend()}.
     * {@code LayerNorm.builder(64).eps(1e-6f).bias(false).build()}.
     *
     * @param normalizedShape the trailing dimensions to normalise over, at least one, each at least 1
     * @return a builder; {@link Builder#build()} checks the options
     */
    public static Builder builder(int... normalizedShape) {
        return new Builder(normalizedShape);
    }

    private LayerNorm(Builder b) {
        this.normalizedShape = checkShape("LayerNorm", b.normalizedShape);
        if (!(b.eps >= 0f)) throw new IllegalArgumentException("LayerNorm: eps must be >= 0, got " + b.eps);
        this.eps = b.eps;
        Backend backend = b.backend != null ? b.backend : Kiln.backend();
        if (b.elementwiseAffine) {
            registerParameter("weight", Init.constantParameter(backend, 1f, this.normalizedShape));
            if (b.bias) registerParameter("bias", Init.constantParameter(backend, 0f, this.normalizedShape));
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

    /** Options of a {@link LayerNorm}, PyTorch's defaults until set. */
    public static final class Builder {
        private final int[] normalizedShape;
        private float eps = 1e-5f;
        private boolean elementwiseAffine = true;
        private boolean bias = true;
        private Backend backend;

        private Builder(int[] normalizedShape) {
            this.normalizedShape = normalizedShape == null ? null : normalizedShape.clone();
        }

        /**
         * Added to the variance.
         *
         * @param eps at least 0 (default 1e-5)
         * @return this builder
         */
        public Builder eps(float eps) {
            this.eps = eps;
            return this;
        }

        /**
         * Whether to learn a scale ({@code weight}) and, with {@link #bias}, a shift.
         *
         * @param on default true
         * @return this builder
         */
        public Builder elementwiseAffine(boolean on) {
            this.elementwiseAffine = on;
            return this;
        }

        /**
         * Whether to learn a shift ({@code bias}); ignored without elementwise affine.
         *
         * @param on default true
         * @return this builder
         */
        public Builder bias(boolean on) {
            this.bias = on;
            return this;
        }

        /**
         * Where the parameters live.
         *
         * @param backend default {@link Kiln#backend()}
         * @return this builder
         */
        public Builder backend(Backend backend) {
            this.backend = java.util.Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * {@return the layer}
         *
         * @throws IllegalArgumentException if the shape is empty or holds a size below 1, or eps is negative
         */
        public LayerNorm build() {
            return new LayerNorm(this);
        }
    }
}
