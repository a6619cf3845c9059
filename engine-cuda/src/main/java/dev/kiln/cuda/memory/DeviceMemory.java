package dev.kiln.cuda.memory;

/**
 * The raw device memory a {@link CachingAllocator} draws from (the driver in production, a fake
 * in tests).
 */
public interface DeviceMemory {
    /**
     * Allocates {@code bytes}; returns 0 when the device is out of memory (other failures throw).
     *
     * @param bytes the size, at least 1
     * @return the block's device address, or 0 when out of memory
     */
    long tryAllocate(long bytes);

    /**
     * Returns a block from {@link #tryAllocate} to the device.
     *
     * @param address a block from {@link #tryAllocate}
     */
    void free(long address);

    /** {@return device bytes currently free, for error messages (-1 if unknown)} */
    long freeBytes();

    /** Waits until no queued work can still use memory about to be freed. */
    void synchronize();
}
