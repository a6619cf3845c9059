package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.tensor.Tensor;

/** Max pooling over NCHW: {@code [N, C, H, W] -> [N, C, H', W']} (PyTorch semantics, see {@link Pool2dOptions}). */
public class MaxPool2d extends Pool2dModule {
    /**
     * A {@code kernel x kernel} window with stride {@code kernel}.
     *
     * @param kernel window size and stride, in both directions
     */
    public MaxPool2d(int kernel) {
        this(Pool2dOptions.kernel(kernel));
    }

    /**
     * Pooling with explicit options.
     *
     * @param options window, stride, padding, dilation and ceil mode
     */
    public MaxPool2d(Pool2dOptions options) {
        super(options);
    }

    /** {@code [N, C, H, W] -> [N, C, H', W']}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.maxPool2d(input, options);
    }
}
