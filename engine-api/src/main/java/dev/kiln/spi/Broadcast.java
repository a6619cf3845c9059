package dev.kiln.spi;

import dev.kiln.tensor.Shape;

/**
 * Index arithmetic for a broadcasting binary op: both operands are contiguous; their shapes
 * are right-aligned against {@code outShape}. {@link #aStrides()} and {@link #bStrides()} have
 * the output's rank and hold 0 where the operand is broadcast. The arrays are copied in and
 * the accessors return the record's own copies: do not modify them.
 *
 * @param outShape the broadcast result shape
 * @param aShape   shape of the first operand
 * @param bShape   shape of the second operand
 */
public record Broadcast(int[] outShape, int[] aShape, int[] bShape) {
    /** Copies the three shapes, so later changes to the caller's arrays do not leak in. */
    public Broadcast {
        outShape = outShape.clone();
        aShape = aShape.clone();
        bShape = bShape.clone();
    }

    /**
     * Broadcasts two shapes (NumPy rules: right-aligned, each dimension equal or 1).
     *
     * @param op name of the op, for the error message
     * @param a  shape of the first operand
     * @param b  shape of the second operand
     * @return the index arithmetic for {@code a op b}
     * @throws IllegalArgumentException naming {@code op} and both shapes if they do not broadcast
     */
    public static Broadcast of(String op, int[] a, int[] b) {
        return new Broadcast(Shape.broadcast(op, a, b), a, b);
    }

    /** {@return elements of the output} */
    public long numel() {
        return Shape.numel(outShape);
    }

    /** {@return strides (in elements) of operand a against the output's dimensions; 0 where broadcast} */
    public long[] aStrides() {
        return stridesFor(aShape);
    }

    /** {@return strides of operand b against the output's dimensions; 0 where broadcast} */
    public long[] bStrides() {
        return stridesFor(bShape);
    }

    /** {@return true when neither operand is broadcast (plain elementwise)} */
    public boolean isElementwise() {
        return java.util.Arrays.equals(aShape, outShape) && java.util.Arrays.equals(bShape, outShape);
    }

    private long[] stridesFor(int[] shape) {
        int rank = outShape.length;
        long[] own = Shape.strides(shape);
        long[] s = new long[rank];
        for (int i = 0; i < shape.length; i++) {
            int o = i + rank - shape.length;
            s[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : own[i];
        }
        return s;
    }
}
