package dev.kiln.data;

import java.util.Arrays;

/**
 * Single-channel 8-bit images with int labels, kept as the original bytes (60,000 MNIST images
 * take 47 MB instead of 188 MB as floats) and converted to floats in [0, 1] per sample.
 * Immutable, so safe to read from many threads.
 */
public final class ImageDataset implements Dataset {
    private final byte[] pixels;
    private final int[] labels;
    private final int rows;
    private final int cols;

    /**
     * An in-memory data set of 8-bit grey images.
     *
     * @param pixels {@code n * rows * cols} unsigned bytes, image after image (not copied: do not modify)
     * @param labels {@code n} labels (copied)
     * @param rows height of every image
     * @param cols width of every image
     * @throws IllegalArgumentException if the sizes disagree
     */
    public ImageDataset(byte[] pixels, int[] labels, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || (long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException("ImageDataset: " + labels.length + " labels of " + rows + "x" + cols
                    + " images need " + (long) labels.length * rows * cols + " pixels, got " + pixels.length);
        }
        this.pixels = pixels;
        this.labels = labels.clone();
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public int size() {
        return labels.length;
    }

    /** [1, rows, cols]. */
    @Override
    public int[] sampleShape() {
        return new int[] {1, rows, cols};
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    /** {@return all labels (a copy)} */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * {@return pixel {@code (r, c)} of image {@code index} as an int in [0, 255]}
     *
     * @param index image index
     * @param r row, from 0
     * @param c column, from 0
     */
    public int pixel(int index, int r, int c) {
        java.util.Objects.checkIndex(index, labels.length);
        return pixels[(index * rows + r) * cols + c] & 0xFF;
    }

    /** Writes the image as {@code rows * cols} floats, each pixel divided by 255. */
    @Override
    public void copySample(int index, float[] dst, int offset) {
        java.util.Objects.checkIndex(index, labels.length);
        int n = rows * cols;
        java.util.Objects.checkFromIndexSize(offset, n, dst.length);
        int base = index * n;
        for (int i = 0; i < n; i++) dst[offset + i] = (pixels[base + i] & 0xFF) / 255f;
    }

    @Override
    public String toString() {
        return "ImageDataset(" + labels.length + " x " + Arrays.toString(sampleShape()) + ")";
    }
}
