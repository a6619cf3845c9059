package dev.kiln.data;

/** Integer translation of images with zero fill. */
final class Shifts {
    private Shifts() {}

    /**
     * Moves the sample at {@code data[offset..]} of shape [..., H, W] by {@code dy} rows down and
     * {@code dx} columns right (negative: up, left): {@code out[y][x] = in[y - dy][x - dx]}, 0 where
     * that falls outside. Every leading plane moves the same way. {@code scratch} holds one sample.
     */
    static void shift(float[] data, int offset, int[] shape, int dy, int dx, float[] scratch) {
        int h = shape[shape.length - 2], w = shape[shape.length - 1];
        int plane = h * w;
        int planes = scratch.length / plane;
        System.arraycopy(data, offset, scratch, 0, scratch.length);
        java.util.Arrays.fill(data, offset, offset + scratch.length, 0f);
        int x0 = Math.max(0, dx), x1 = Math.min(w, w + dx);
        if (x1 <= x0) return;
        for (int p = 0; p < planes; p++) {
            int base = offset + p * plane;
            for (int y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
                System.arraycopy(scratch, p * plane + (y - dy) * w + (x0 - dx), data, base + y * w + x0, x1 - x0);
            }
        }
    }
}
