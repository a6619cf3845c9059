package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.tensor.Tensor;

/** Average pooling over NCHW: {@code [N, C, H, W] -> [N, C, H', W']} (PyTorch semantics, see {@link Pool2dOptions}). */
public class AvgPool2d extends Pool2dModule {
    /**
     * A {@code kernel x kernel} window with stride {@code kernel}.
     *
     * @param kernel window size and stride, in both directions
     */
    public AvgPool2d(int kernel) {
        this(Pool2dOptions.kernel(kernel));
    }

    /**
     * Pooling with explicit options.
     *
     * @param options window, stride, padding, ceil mode and divisor rule
     */
    public AvgPool2d(Pool2dOptions options) {
        super(options);
    }

    /** {@code [N, C, H, W] -> [N, C, H', W']}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.avgPool2d(input, options);
    }
}
