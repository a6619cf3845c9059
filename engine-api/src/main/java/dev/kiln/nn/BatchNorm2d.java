package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;

/**
 * Batch normalisation per channel of NCHW input: {@code [N, C, H, W] -> [N, C, H, W]}.
 * Parameters {@code weight [C]} (1) and {@code bias [C]} (0); buffers {@code running_mean [C]}
 * (0) and {@code running_var [C]} (1), as PyTorch. In training mode it normalises with the
 * batch statistics and updates the running ones:
 * {@code running = (1-momentum)*running + momentum*batch} (the variance term unbiased); in
 * evaluation mode it normalises with the running statistics. PyTorch's
 * {@code num_batches_tracked} is not kept: it only matters when momentum is unset.
 */
public class BatchNorm2d extends Module {
    private final int numFeatures;
    private final float eps;
    private final float momentum;

    /**
     * eps 1e-5, momentum 0.1, on the default backend.
     *
     * @param numFeatures channels {@code C} of the input
     */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5f, 0.1f, Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param numFeatures channels {@code C} of the input
     * @param eps added to the variance before the square root, greater than 0
     * @param momentum weight of each batch's statistics in the running ones, in [0, 1]
     * @param backend where the parameters and buffers live
     * @throws IllegalArgumentException if {@code numFeatures < 1}, {@code eps <= 0} or momentum is not in [0, 1]
     */
    public BatchNorm2d(int numFeatures, float eps, float momentum, Backend backend) {
        if (numFeatures < 1) throw new IllegalArgumentException("BatchNorm2d: num_features must be >= 1, got " + numFeatures);
        if (!(eps > 0f)) throw new IllegalArgumentException("BatchNorm2d: eps must be > 0, got " + eps);
        if (!(momentum >= 0f && momentum <= 1f)) throw new IllegalArgumentException("BatchNorm2d: momentum must be in [0, 1], got " + momentum);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        registerParameter("weight", Init.constantParameter(backend, 1f, numFeatures));
        registerParameter("bias", Init.constantParameter(backend, 0f, numFeatures));
        registerBuffer("running_mean", Init.constantBuffer(backend, 0f, numFeatures));
        registerBuffer("running_var", Init.constantBuffer(backend, 1f, numFeatures));
    }

    /**
     * {@code [N, C, H, W] -> [N, C, H, W]}; in training mode also updates the running statistics in place.
     *
     * @throws IllegalArgumentException if the input is not 4-D with {@code C = numFeatures}
     */
    @Override
    public Tensor forward(Tensor input) {
        int[] s = input.shape();
        if (s.length != 4 || s[1] != numFeatures) {
            throw new IllegalArgumentException("batch_norm2d: expected input [N, " + numFeatures + ", H, W], got " + dev.kiln.tensor.Shape.str(s));
        }
        return Functional.batchNorm(input, buffer("running_mean"), buffer("running_var"), parameter("weight"), parameter("bias"),
                isTraining(), momentum, eps);
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum;
    }
}
