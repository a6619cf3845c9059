package dev.kiln.nn;

import dev.kiln.ops.Pool2dOptions;
import java.util.Objects;

/** What the 2-D pooling layers share: their {@link Pool2dOptions} and how they print. */
abstract class Pool2dModule extends Module {
    /** The window, stride, padding and dilation of this layer. */
    final Pool2dOptions options;

    Pool2dModule(Pool2dOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    protected String extraRepr() {
        return "kernel=" + options.kernelH() + "x" + options.kernelW() + ", stride=" + options.strideH() + "x" + options.strideW();
    }
}
