package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/**
 * Adaptive average pooling to a fixed output size. Only the 1x1 output (global average
 * pooling, the common head of convolutional classifiers) is supported:
 * {@code [N, C, H, W] -> [N, C, 1, 1]}.
 */
public class AdaptiveAvgPool2d extends Module {
    /** Global average pooling (output 1x1). */
    public AdaptiveAvgPool2d() {
        this(1, 1);
    }

    /**
     * Pools to {@code outH x outW}.
     *
     * @param outH output height; must be 1
     * @param outW output width; must be 1
     * @throws IllegalArgumentException unless the output size is 1x1
     */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH != 1 || outW != 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: only output size 1x1 (global average pooling) is supported, got "
                    + outH + "x" + outW);
        }
    }

    /** {@code [N, C, H, W] -> [N, C, 1, 1]}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.globalAvgPool2d(input);
    }

    @Override
    protected String extraRepr() {
        return "output=1x1";
    }
}
