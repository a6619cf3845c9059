package dev.kiln.internal;

import dev.kiln.spi.Storage;

/**
 * A tensor's storage held for the duration of one op: while pinned, closing the tensor (from any
 * thread) does not free the memory; the last release does. Use it in try-with-resources and pass
 * {@link #storage()} to the backend inside the block only.
 */
public interface Pin extends AutoCloseable {
    /** The pinned storage; valid until {@link #close()}. */
    Storage storage();

    /** Releases this hold; frees the storage if the tensor and all its views were closed meanwhile. */
    @Override
    void close();
}
