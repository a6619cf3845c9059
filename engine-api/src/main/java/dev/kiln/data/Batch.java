package dev.kiln.data;

import dev.kiln.tensor.Tensor;

/**
 * One batch as tensors: {@code images} FLOAT32 [B, ...sampleShape] (e.g. [64, 1, 28, 28]) and
 * {@code labels} INT32 [B], both on the loader's backend. They are created on the consuming
 * thread and belong to its current scope; {@link #close()} frees them early.
 *
 * @param images the inputs, FLOAT32 {@code [B, ...sampleShape]}
 * @param labels the class labels, INT32 {@code [B]}
 */
public record Batch(Tensor images, Tensor labels) implements AutoCloseable {
    /** {@return number of samples} */
    public int size() {
        return labels.size(0);
    }

    /** Closes both tensors. */
    @Override
    public void close() {
        images.close();
        labels.close();
    }
}
