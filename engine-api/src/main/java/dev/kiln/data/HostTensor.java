package dev.kiln.data;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor's values on the host, before it becomes a {@link Tensor}: its dtype, its shape and a
 * row-major Java array ({@code float[]} for FLOAT32, {@code int[]} for INT32, {@code long[]} for
 * INT64, {@code boolean[]} for BOOL). One sample's field in a {@link TensorDataset} or one field
 * of a collated batch. The array is handed over, not copied; the record compares by identity.
 *
 * @param dtype the element type
 * @param shape the sizes (a copy is kept)
 * @param data  the values, an array of the dtype's Java type with {@code product(shape)} elements
 */
public record HostTensor(DType dtype, int[] shape, Object data) {
    /**
     * Checks that the array's type and length fit the dtype and the shape.
     *
     * @throws IllegalArgumentException if they do not, or a size is negative
     */
    public HostTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = Shape.checked("HostTensor", shape.clone());
        Class<?> expected = switch (dtype) {
            case FLOAT32 -> float[].class;
            case INT32 -> int[].class;
            case INT64 -> long[].class;
            case BOOL -> boolean[].class;
        };
        if (data.getClass() != expected) {
            throw new IllegalArgumentException("HostTensor: " + dtype + " needs a " + expected.getSimpleName() + ", got a "
                    + data.getClass().getSimpleName());
        }
        long numel = Shape.numel(shape);
        if (java.lang.reflect.Array.getLength(data) != numel) {
            throw new IllegalArgumentException("HostTensor: shape " + Shape.str(shape) + " needs " + numel + " values, got "
                    + java.lang.reflect.Array.getLength(data));
        }
    }

    /**
     * {@return FLOAT32 values with {@code shape}}
     *
     * @param data  the values, row-major
     * @param shape the sizes
     */
    public static HostTensor floats(float[] data, int... shape) {
        return new HostTensor(DType.FLOAT32, shape, data);
    }

    /**
     * {@return INT32 values with {@code shape}}
     *
     * @param data  the values, row-major
     * @param shape the sizes
     */
    public static HostTensor ints(int[] data, int... shape) {
        return new HostTensor(DType.INT32, shape, data);
    }

    /**
     * {@return INT64 values with {@code shape}} (PyTorch's index and class-target type)
     *
     * @param data  the values, row-major
     * @param shape the sizes
     */
    public static HostTensor longs(long[] data, int... shape) {
        return new HostTensor(DType.INT64, shape, data);
    }

    /**
     * {@return BOOL values with {@code shape}}
     *
     * @param data  the values, row-major
     * @param shape the sizes
     */
    public static HostTensor booleans(boolean[] data, int... shape) {
        return new HostTensor(DType.BOOL, shape, data);
    }

    /**
     * {@return one 1-D INT64 tensor per row of {@code sequences}, lengths as they are (token sequences)}
     *
     * @param sequences the sequences, of any lengths
     */
    public static java.util.List<HostTensor> sequences(long[]... sequences) {
        return Arrays.stream(sequences).map(s -> longs(s.clone(), s.length)).toList();
    }

    /** {@return the shape (a copy)} */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** {@return the number of elements} */
    public int numel() {
        return java.lang.reflect.Array.getLength(data);
    }

    /**
     * {@return size of dimension {@code d}}
     *
     * @param d the dimension, from 0
     */
    public int size(int d) {
        return shape[d];
    }

    /** {@return the rank} */
    public int rank() {
        return shape.length;
    }

    /**
     * {@return a tensor of these values on {@code backend}, in the current scope}
     *
     * @param backend where to create it
     */
    public Tensor toTensor(Backend backend) {
        return switch (dtype) {
            case FLOAT32 -> Tensor.fromArray(backend, (float[]) data, shape);
            case INT32 -> Tensor.fromInts(backend, (int[]) data, shape);
            case INT64 -> Tensor.fromLongs(backend, (long[]) data, shape);
            case BOOL -> Tensor.fromBooleans(backend, (boolean[]) data, shape);
        };
    }

    /** Slice {@code i} along dimension 0 (a copy), shape {@code shape[1:]}. */
    HostTensor row(int i) {
        int[] rest = Arrays.copyOfRange(shape, 1, shape.length);
        int n = Math.toIntExact(Shape.numel(rest));
        Object out = newArray(dtype, n);
        System.arraycopy(data, Math.multiplyExact(i, n), out, 0, n);
        return new HostTensor(dtype, rest, out);
    }

    /** A zeroed Java array of {@code dtype}'s type. */
    static Object newArray(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new float[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new boolean[n];
        };
    }

    /** Sets {@code array[from, to)} to {@code value} converted to the array's type (BOOL: value != 0). */
    static void fill(Object array, int from, int to, double value) {
        switch (array) {
            case float[] f -> Arrays.fill(f, from, to, (float) value);
            case int[] a -> Arrays.fill(a, from, to, (int) value);
            case long[] a -> Arrays.fill(a, from, to, (long) value);
            case boolean[] a -> Arrays.fill(a, from, to, value != 0);
            default -> throw new IllegalStateException("not a tensor array: " + array.getClass());
        }
    }
}
