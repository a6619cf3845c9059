package dev.kiln.spi;

import dev.kiln.tensor.DType;

/**
 * A flat, contiguous buffer owned by one backend. Tensors reference storages; views share
 * one. Closing releases the memory (to the backend's allocator); closing twice is a no-op.
 * Each backend casts the storages it is handed to its own implementation.
 */
public interface Storage extends AutoCloseable {
    /** The backend that allocated this storage. */
    Backend backend();

    /** Element type. */
    DType dtype();

    /** Number of elements. */
    long numel();

    /** Size in bytes. */
    default long byteSize() {
        return numel() * dtype().byteSize();
    }

    /** True once closed. */
    boolean isClosed();

    @Override
    void close();
}
