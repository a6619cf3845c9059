package dev.kiln.nn;

import dev.kiln.tensor.Tensor;

/** Flattens dimensions {@code startDim..} into one: {@code [N, C, H, W] -> [N, C*H*W]} by default. A view, no copy. */
public class Flatten extends Module {
    private final int startDim;

    /** Keeps the batch dimension: start at dimension 1. */
    public Flatten() {
        this(1);
    }

    /**
     * Flattens from {@code startDim} (negative counts from the end) to the last dimension.
     *
     * @param startDim first dimension to merge (negative counts from the end)
     */
    public Flatten(int startDim) {
        this.startDim = startDim;
    }

    /**
     * {@code [d0, ..., d(s-1), ds, ..., dn] -> [d0, ..., d(s-1), ds*...*dn]}.
     *
     * @throws IllegalArgumentException if {@code startDim} is out of range for the input's rank
     */
    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim);
    }

    @Override
    protected String extraRepr() {
        return "startDim=" + startDim;
    }
}
