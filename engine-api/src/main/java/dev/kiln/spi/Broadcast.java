package dev.kiln.spi;

import dev.kiln.tensor.Shape;

/**
 * Index arithmetic for a broadcasting binary op: both operands are contiguous; their shapes
 * are right-aligned against {@code outShape}. {@link #aStrides()} and {@link #bStrides()} have
 * the output's rank and hold 0 where the operand is broadcast.
 */
public record Broadcast(int[] outShape, int[] aShape, int[] bShape) {
    public Broadcast {
        outShape = outShape.clone();
        aShape = aShape.clone();
        bShape = bShape.clone();
    }

    /** Broadcast of two shapes, or an exception naming the op. */
    public static Broadcast of(String op, int[] a, int[] b) {
        return new Broadcast(Shape.broadcast(op, a, b), a, b);
    }

    /** Elements of the output. */
    public long numel() {
        return Shape.numel(outShape);
    }

    /** Strides (in elements) of operand a against the output's dimensions; 0 where broadcast. */
    public long[] aStrides() {
        return stridesFor(aShape);
    }

    /** Strides of operand b against the output's dimensions; 0 where broadcast. */
    public long[] bStrides() {
        return stridesFor(bShape);
    }

    /** True when neither operand is broadcast (plain elementwise). */
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
