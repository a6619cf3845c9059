package dev.kiln.spi;

import dev.kiln.tensor.Shape;
import java.util.Arrays;

/**
 * A permuted copy of a contiguous tensor into a contiguous output (run as the
 * {@link StridedCopySpec} of {@link #copySpec()}): output dimension {@code i} is
 * input dimension {@code perm[i]}, so {@code out[j_0, ..., j_r-1] = in[k]} with
 * {@code k = sum of j_i * inStrides[perm[i]]}. Elements are moved as opaque words, so every
 * dtype is permuted alike. The arrays are copied in and the accessors
 * return the record's own copies: do not modify them.
 *
 * @param inShape the input's shape
 * @param perm    a permutation of {@code 0 .. inShape.length - 1} (non-negative)
 */
public record PermuteSpec(int[] inShape, int[] perm) {
    /**
     * Copies and checks the arguments.
     *
     * @throws IllegalArgumentException if {@code perm} has the wrong length, or a dimension is out
     *     of range or repeats
     */
    public PermuteSpec {
        inShape = inShape.clone();
        perm = perm.clone();
        if (perm.length != inShape.length) {
            throw new IllegalArgumentException("permute: expected " + inShape.length + " dimensions for a tensor of shape "
                    + Shape.str(inShape) + ", got " + perm.length);
        }
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            if (p < 0 || p >= perm.length) {
                throw new IllegalArgumentException("permute: dimension " + p + " out of range [0, " + perm.length + ") for shape "
                        + Shape.str(inShape));
            }
            if (seen[p]) throw new IllegalArgumentException("permute: dimension " + p + " repeats in " + Arrays.toString(perm));
            seen[p] = true;
        }
    }

    /** {@return the number of dimensions} */
    public int rank() {
        return perm.length;
    }

    /** {@return elements of the input and of the output} */
    public long numel() {
        return Shape.numel(inShape);
    }

    /** {@return the output shape: {@code inShape[perm[i]]} at {@code i} (a new array)} */
    public int[] outShape() {
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = inShape[perm[i]];
        return out;
    }

    /** {@return for each output dimension, the input stride (in elements) it walks: {@code inStrides[perm[i]]} (a new array)} */
    public long[] sourceStrides() {
        long[] in = Shape.strides(inShape);
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = in[perm[i]];
        return out;
    }

    /** {@return the permutation that undoes this one (the backward of a permute)} */
    public int[] inversePerm() {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }

    /** {@return this permutation as a strided copy: the output shape read at {@link #sourceStrides()}, written contiguously} */
    public StridedCopySpec copySpec() {
        return StridedCopySpec.gather(outShape(), 0, sourceStrides());
    }
}
