package dev.kiln.cuda.memory;

/**
 * The raw device memory a {@link CachingAllocator} draws from (the driver in production, a fake
 * in tests).
 */
public interface DeviceMemory {
    /** Allocates {@code bytes}; returns 0 when the device is out of memory (other failures throw). */
    long tryAllocate(long bytes);

    /** Returns a block from {@link #tryAllocate} to the device. */
    void free(long address);

    /** Device bytes currently free, for error messages (-1 if unknown). */
    long freeBytes();

    /** Waits until no queued work can still use memory about to be freed. */
    void synchronize();
}
