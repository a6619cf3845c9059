package dev.kiln.data;

import java.util.Arrays;

/**
 * The contents of an unsigned-byte IDX file: its dimensions and its row-major bytes.
 *
 * @param name   the file name, for messages
 * @param dims   dimensions as stored (e.g. [60000, 28, 28] for images, [60000] for labels)
 * @param data   {@code product(dims)} unsigned bytes, row-major
 */
public record IdxData(String name, int[] dims, byte[] data) {
    /** Copies {@code dims}; checks that {@code data} holds exactly {@code product(dims)} bytes. */
    public IdxData {
        dims = dims.clone();
        long n = 1;
        for (int d : dims) n *= d;
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": dimensions " + Arrays.toString(dims) + " need " + n
                    + " bytes, got " + data.length);
        }
    }

    /** {@return the dimensions (a copy)} */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /**
     * {@return element {@code i} as an int in [0, 255]}
     *
     * @param i element index
     */
    public int unsigned(int i) {
        return data[i] & 0xFF;
    }
}
