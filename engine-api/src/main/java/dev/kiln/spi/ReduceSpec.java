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
    /**
     * Copies the arrays and checks the axes.
     *
     * @throws IllegalArgumentException if the axes are not sorted, distinct and within the rank
     */
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

    /** {@return the input shape with reduced axes set to 1 (a new array)} */
    public int[] outShape() {
        int[] o = shape.clone();
        for (int a : axes) o[a] = 1;
        return o;
    }

    /**
     * Whether an axis is summed over.
     *
     * @param a an axis of the input
     * @return true if axis {@code a} is reduced
     */
    public boolean reduces(int a) {
        for (int x : axes) if (x == a) return true;
        return false;
    }

    /** {@return elements of the input} */
    public long inNumel() {
        return Shape.numel(shape);
    }

    /** {@return elements of the output} */
    public long outNumel() {
        return Shape.numel(outShape());
    }
}
