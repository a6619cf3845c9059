package dev.kiln.tensor;

import java.util.Arrays;

/** Static helpers for shapes given as {@code int[]} (row-major, contiguous). */
public final class Shape {
    private Shape() {}

    /**
     * {@return number of elements of a shape (1 for a scalar, shape {@code []})}
     *
     * @param shape the dimensions, each at least 0
     */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /**
     * {@return row-major strides in elements}
     *
     * @param shape the dimensions
     */
    public static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /**
     * {@return "[64, 1, 28, 28]"}
     *
     * @param shape the dimensions
     */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /**
     * Normalises a possibly negative axis against a tensor's shape, or throws naming the op,
     * the axis, the valid range and the shape.
     *
     * @param op the op's name, for the message
     * @param axis an axis, negative counting from the end
     * @param shape the tensor's shape
     * @return the axis in [0, rank)
     * @throws IllegalArgumentException if the axis is outside [-rank, rank)
     */
    public static int axis(String op, int axis, int[] shape) {
        int rank = shape.length;
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + axis + " out of range for a tensor of shape " + str(shape)
                    + " (expected " + (rank == 0 ? "no dimension" : "-" + rank + " to " + (rank - 1)) + ")");
        }
        return a;
    }

    /**
     * Normalises a possibly negative axis against a rank, or throws naming the op.
     *
     * @param op the op's name, for the message
     * @param axis an axis, negative counting from the end
     * @param rank the tensor's rank
     * @return the axis in [0, rank)
     * @throws IllegalArgumentException if the axis is outside [-rank, rank)
     */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + axis + " out of range for a tensor of rank " + rank);
        }
        return a;
    }

    /**
     * Checks every dimension is non-negative and returns a defensive copy.
     *
     * @param op the op's name, for the message
     * @param shape the dimensions
     * @return a copy of {@code shape}
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static int[] checked(String op, int[] shape) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + str(shape));
        }
        return shape.clone();
    }

    /**
     * {@return broadcast shape of two shapes under NumPy rules, or an exception naming the op and both shapes}
     *
     * @param op the op's name, for the message
     * @param a one shape
     * @param b the other shape
     * @throws IllegalArgumentException if a dimension differs and neither side is 1
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da; // 1 stretches to the other size, even to 0 (NumPy)
        }
        return out;
    }
}
