package dev.kiln.spi;

import dev.kiln.tensor.Shape;

/**
 * Sum of a contiguous tensor over a set of axes. The output keeps the reduced axes with
 * size 1 (its numel is the product of {@link #outShape()}).
 *
 * @param shape input shape
 * @param axes  sorted, distinct axes to reduce
 */
public record ReduceSpec(int[] shape, int[] axes) {
    public ReduceSpec {
        shape = shape.clone();
        axes = axes.clone();
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < 0 || axes[i] >= shape.length || (i > 0 && axes[i] <= axes[i - 1])) {
                throw new IllegalArgumentException("sum: axes " + java.util.Arrays.toString(axes)
                        + " must be sorted, distinct and within rank " + shape.length);
            }
        }
    }

    /** The input shape with reduced axes set to 1. */
    public int[] outShape() {
        int[] o = shape.clone();
        for (int a : axes) o[a] = 1;
        return o;
    }

    /** True if axis {@code a} is reduced. */
    public boolean reduces(int a) {
        for (int x : axes) if (x == a) return true;
        return false;
    }

    public long inNumel() {
        return Shape.numel(shape);
    }

    public long outNumel() {
        return Shape.numel(outShape());
    }
}
