package dev.kiln.data;

import dev.kiln.tensor.Tensor;

/**
 * One batch as tensors: {@code images} FLOAT32 [B, ...sampleShape] (e.g. [64, 1, 28, 28]) and
 * {@code labels} INT32 [B], both on the loader's backend.
 *
 * <p>A batch from {@link DataLoader#epoch} belongs to its {@link Epoch}, not to any scope: the
 * epoch frees it when the next batch is requested or the epoch ends, so a plain
 * {@code for (Batch b : epoch)} loop never accumulates batches (and needs no scope for them).
 * Use its tensors only until then; {@link Tensor#copy()} what must outlive the step.
 * {@link #close()} frees them earlier.
 *
 * @param images the inputs, FLOAT32 [B, ...sampleShape]
 * @param labels the class labels, INT32 [B]
 */
public record Batch(Tensor images, Tensor labels) implements AutoCloseable {
    /**
     * Number of samples.
     *
     * @return B
     */
    public int size() {
        return labels.size(0);
    }

    /** Closes both tensors (idempotent). */
    @Override
    public void close() {
        images.close();
        labels.close();
    }
}
