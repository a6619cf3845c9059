package dev.kiln.spi;

import dev.kiln.tensor.Shape;

/**
 * Index arithmetic for {@link Backend#where}, a select between two operands by a condition, all
 * three contiguous and broadcast (NumPy rules, right-aligned) against {@code outShape}. The
 * stride accessors have the output's rank and hold 0 where an operand is broadcast. The arrays are
 * copied in and the accessors return the record's own copies: do not modify them.
 *
 * @param outShape  the broadcast result shape
 * @param condShape shape of the condition
 * @param aShape    shape of the operand taken where the condition is true
 * @param bShape    shape of the operand taken where it is false
 */
public record WhereSpec(int[] outShape, int[] condShape, int[] aShape, int[] bShape) {
    /** Copies the four shapes, so later changes to the caller's arrays do not leak in. */
    public WhereSpec {
        outShape = outShape.clone();
        condShape = condShape.clone();
        aShape = aShape.clone();
        bShape = bShape.clone();
    }

    /**
     * Broadcasts the three shapes together.
     *
     * @param op   name of the op, for the error message
     * @param cond shape of the condition
     * @param a    shape of the first operand
     * @param b    shape of the second operand
     * @return the index arithmetic of {@code where(cond, a, b)}
     * @throws IllegalArgumentException naming {@code op} and two shapes if they do not broadcast
     */
    public static WhereSpec of(String op, int[] cond, int[] a, int[] b) {
        return new WhereSpec(Shape.broadcast(op, Shape.broadcast(op, cond, a), b), cond, a, b);
    }

    /** {@return elements of the output} */
    public long numel() {
        return Shape.numel(outShape);
    }

    /** {@return strides (in elements) of the condition against the output's dimensions; 0 where broadcast} */
    public long[] condStrides() {
        return stridesFor(condShape);
    }

    /** {@return strides of operand a against the output's dimensions; 0 where broadcast} */
    public long[] aStrides() {
        return stridesFor(aShape);
    }

    /** {@return strides of operand b against the output's dimensions; 0 where broadcast} */
    public long[] bStrides() {
        return stridesFor(bShape);
    }

    private long[] stridesFor(int[] shape) {
        return new Broadcast(outShape, shape, new int[0]).aStrides();
    }
}
