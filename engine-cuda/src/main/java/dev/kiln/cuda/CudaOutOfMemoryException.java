package dev.kiln.cuda;

import dev.kiln.cuda.memory.CachingAllocator;

/** The device could not supply a block even after the allocator released its cache. */
public final class CudaOutOfMemoryException extends CudaException {
    /** Bytes requested, device bytes free (-1 if unknown) and cache bytes released before the retry. */
    private final long requestedBytes, freeBytes, releasedBytes;
    /**
     * The allocator's counters when the request failed.
     */
    private final CudaMemoryStats stats;

    /**
     * Builds the message from the request and the allocator's state.
     *
     * @param requested     bytes asked for
     * @param freeBytes     device bytes free after the retry (-1 if unknown)
     * @param releasedBytes cached bytes given back to the device before the retry (0: nothing was cached, no retry)
     * @param stats         the allocator's counters after the retry
     */
    public CudaOutOfMemoryException(long requested, long freeBytes, long releasedBytes, CudaMemoryStats stats) {
        super("CUDA out of memory: tried to allocate " + CachingAllocator.human(requested) + " (" + requested + " bytes); device free "
                + (freeBytes < 0 ? "unknown" : CachingAllocator.human(freeBytes)) + ", Kiln allocated "
                + CachingAllocator.human(stats.allocatedBytes()) + ", cached " + CachingAllocator.human(stats.cachedBytes())
                + (releasedBytes > 0 ? " (released " + CachingAllocator.human(releasedBytes) + " of cache and retried once)"
                        : " (nothing cached to release)")
                + ". Reduce the batch size or model, or close tensors you no longer need.");
        this.requestedBytes = requested;
        this.freeBytes = freeBytes;
        this.releasedBytes = releasedBytes;
        this.stats = stats;
    }

    /** {@return bytes the failed request asked for} */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** {@return device bytes free when the request failed, or -1 if unknown} */
    public long freeBytes() {
        return freeBytes;
    }

    /** {@return cached bytes released before the retry} */
    public long releasedBytes() {
        return releasedBytes;
    }

    /** {@return the allocator's counters when the request failed} */
    public CudaMemoryStats stats() {
        return stats;
    }
}
