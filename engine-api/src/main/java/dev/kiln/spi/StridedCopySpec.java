package dev.kiln.spi;

import dev.kiln.tensor.Shape;

/**
 * A strided copy of elements of any dtype: for every multi-index {@code j} of {@code shape},
 * {@code out[outOffset + sum j_d * outStrides[d]] = in[inOffset + sum j_d * inStrides[d]]}
 * (offsets and strides in elements). Input strides may be anything non-negative, including 0 (a
 * broadcast read); output strides must give each index its own element, so every element written
 * is written once (a contiguous output has {@link Shape#strides} strides and offset 0). Elements
 * outside the written set are left as they were, which is how a gradient is placed into a slice of
 * a zeroed tensor. Elements move as opaque words of the storage's element size (1, 4 or 8 bytes),
 * so every dtype copies alike. The arrays are copied in and the accessors return the record's own
 * copies: do not modify them.
 *
 * @param shape      the index space walked (the shape of what is copied)
 * @param inOffset   the input element read at index zero
 * @param inStrides  per dimension, the input step in elements (0 repeats an element)
 * @param outOffset  the output element written at index zero
 * @param outStrides per dimension, the output step in elements
 */
public record StridedCopySpec(int[] shape, long inOffset, long[] inStrides, long outOffset, long[] outStrides) {
    /**
     * Copies and checks the arguments.
     *
     * @throws IllegalArgumentException if the ranks differ, a size, offset or stride is negative, or
     *     an output stride of a dimension longer than 1 is 0 (when anything is copied)
     */
    public StridedCopySpec {
        shape = shape.clone();
        inStrides = inStrides.clone();
        outStrides = outStrides.clone();
        if (inStrides.length != shape.length || outStrides.length != shape.length) {
            throw new IllegalArgumentException("stridedCopy: expected " + shape.length + " strides for shape " + Shape.str(shape)
                    + ", got " + inStrides.length + " input and " + outStrides.length + " output strides");
        }
        if (inOffset < 0 || outOffset < 0) {
            throw new IllegalArgumentException("stridedCopy: offsets must be non-negative, got " + inOffset + " and " + outOffset);
        }
        boolean copies = Shape.numel(shape) > 0;  // a zero-size shape has contiguous strides of 0 and writes nothing
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || inStrides[d] < 0 || outStrides[d] < 0) {
                throw new IllegalArgumentException("stridedCopy: negative size or stride at dimension " + d + " of shape " + Shape.str(shape));
            }
            if (copies && outStrides[d] == 0 && shape[d] > 1) {
                throw new IllegalArgumentException("stridedCopy: output stride 0 at dimension " + d + " of size " + shape[d]
                        + " would write one element twice");
            }
        }
    }

    /**
     * A copy of {@code shape} into a contiguous output from the given input strides and offset.
     *
     * @param shape     the output shape
     * @param inOffset  the input element read first
     * @param inStrides per output dimension, the input step in elements
     * @return the spec
     */
    public static StridedCopySpec gather(int[] shape, long inOffset, long[] inStrides) {
        return new StridedCopySpec(shape, inOffset, inStrides, 0, Shape.strides(shape));
    }

    /**
     * A copy from a contiguous input of {@code shape} into the given output strides and offset.
     *
     * @param shape      the input shape
     * @param outOffset  the output element written first
     * @param outStrides per input dimension, the output step in elements
     * @return the spec
     */
    public static StridedCopySpec scatter(int[] shape, long outOffset, long[] outStrides) {
        return new StridedCopySpec(shape, 0, Shape.strides(shape), outOffset, outStrides);
    }

    /** {@return the number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /** {@return the number of elements copied} */
    public long numel() {
        return Shape.numel(shape);
    }

    /** {@return one past the highest input element read (0 when nothing is copied)} */
    public long inExtent() {
        return extent(inOffset, inStrides);
    }

    /** {@return one past the highest output element written (0 when nothing is copied)} */
    public long outExtent() {
        return extent(outOffset, outStrides);
    }

    /**
     * Checks that storages of the given sizes hold everything read and written (backends call this
     * before a kernel that does not check bounds itself).
     *
     * @param inNumel  elements in the input storage
     * @param outNumel elements in the output storage
     * @throws IllegalArgumentException if the copy would read or write past the end
     */
    public void checkFits(long inNumel, long outNumel) {
        if (inExtent() > inNumel || outExtent() > outNumel) {
            throw new IllegalArgumentException("stridedCopy: needs " + inExtent() + " input and " + outExtent()
                    + " output elements, storages hold " + inNumel + " and " + outNumel);
        }
    }

    private long extent(long offset, long[] strides) {
        if (numel() == 0) return 0;
        long last = offset;
        for (int d = 0; d < shape.length; d++) last += (shape[d] - 1L) * strides[d];
        return last + 1;
    }
}
