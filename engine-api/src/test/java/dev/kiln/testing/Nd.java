package dev.kiln.testing;

import java.util.Arrays;

/**
 * A row-major float64 n-d array for the references: a shape and its data. Deliberately
 * nothing but storage and index arithmetic, so the references read like the maths.
 */
public final class Nd {
    private final int[] shape;
    private final double[] data;

    /** Wraps {@code data} (not copied) as an array of {@code shape}. */
    public Nd(int[] shape, double[] data) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != data.length) throw new IllegalArgumentException("Nd: shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        this.shape = shape.clone();
        this.data = data;
    }

    /** Zeros of the given shape. */
    public static Nd zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return new Nd(shape, new double[Math.toIntExact(n)]);
    }

    /** Widens float32 values (exactly). */
    public static Nd of(float[] values, int... shape) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i];
        return new Nd(shape, d);
    }

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d}. */
    public int dim(int d) {
        return shape[d];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return data.length;
    }

    /** The backing values (not a copy: references write results through it). */
    public double[] data() {
        return data;
    }

    /** Element at a row-major flat index. */
    public double at(int i) {
        return data[i];
    }

    /** A deep copy. */
    public Nd copy() {
        return new Nd(shape, data.clone());
    }

    /** The values rounded to float32 (what a Kiln tensor of these values holds). */
    public float[] toFloats() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
        return f;
    }

    /** Row-major strides in elements. */
    public int[] strides() {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Multi-index of flat index {@code flat}. */
    public int[] unravel(int flat) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = shape[i] == 0 ? 0 : flat % shape[i];
            flat = shape[i] == 0 ? 0 : flat / shape[i];
        }
        return idx;
    }

    @Override
    public String toString() {
        return "Nd" + Arrays.toString(shape);
    }
}
