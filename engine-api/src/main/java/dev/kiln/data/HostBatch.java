package dev.kiln.data;

/**
 * A batch prepared on the host, before it becomes tensors: {@code images} holds
 * {@code shape[0]} samples row-major (already shifted and normalised), {@code labels} one int
 * per sample. Arrays are handed over, not copied.
 *
 * @param images the samples, {@code product(shape)} floats
 * @param labels {@code shape[0]} class labels
 * @param shape  [B, ...sampleShape], e.g. [64, 1, 28, 28]
 */
public record HostBatch(float[] images, int[] labels, int[] shape) {
    /** {@return number of samples in the batch} */
    public int size() {
        return labels.length;
    }
}
