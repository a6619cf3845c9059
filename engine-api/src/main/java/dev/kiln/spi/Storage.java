package dev.kiln.spi;

import dev.kiln.tensor.DType;

/**
 * A flat, contiguous buffer owned by one backend. Tensors reference storages; views share
 * one. Closing releases the memory (to the backend's allocator); closing twice is a no-op.
 * Each backend casts the storages it is handed to its own implementation.
 */
public interface Storage extends AutoCloseable {
    /** {@return the backend that allocated this storage} */
    Backend backend();

    /** {@return the element type} */
    DType dtype();

    /** {@return the number of elements} */
    long numel();

    /** {@return the size in bytes, {@code numel() * dtype().byteSize()}} */
    default long byteSize() {
        return numel() * dtype().byteSize();
    }

    /** {@return true once closed} */
    boolean isClosed();

    /** Releases the memory to the backend's allocator; a second call does nothing. */
    @Override
    void close();
}
