package dev.kiln.cpu.kernels;

/**
 * Walks a row-major index space from a given flat index, keeping one element offset per operand
 * (each with its own strides, 0 where broadcast) up to date incrementally: the broadcasting
 * kernels' inner loop costs an add per operand instead of a division per dimension.
 */
final class Odometer {
    private final int[] shape;
    private final long[][] strides;
    private final int[] index;
    private final long[] offsets;

    /** Positioned at flat index {@code start} of {@code shape}, with {@code strides[k]} the strides of operand k. */
    Odometer(int[] shape, long[][] strides, long start) {
        this.shape = shape;
        this.strides = strides;
        this.index = new int[shape.length];
        this.offsets = new long[strides.length];
        long rem = start;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = (int) (rem % shape[d]);
            rem /= shape[d];
            for (int k = 0; k < strides.length; k++) offsets[k] += index[d] * strides[k][d];
        }
    }

    /** {@return the current element offset of operand k} */
    long offset(int k) {
        return offsets[k];
    }

    /** Moves to the next flat index. */
    void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            for (int k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
            if (++index[d] < shape[d]) return;
            for (int k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * shape[d];
            index[d] = 0;
        }
    }
}
