package dev.kiln.cuda;

/**
 * A snapshot of the CUDA backend's allocator.
 *
 * @param allocatedBytes     bytes in blocks handed out (storages, workspaces, temporaries), rounded to block sizes
 * @param cachedBytes        bytes in free blocks kept for reuse
 * @param peakAllocatedBytes the highest {@code allocatedBytes} seen
 * @param deviceAllocations  blocks obtained from the device so far
 * @param cacheReleases      times the cache was emptied to satisfy an allocation (or on request)
 */
public record CudaMemoryStats(long allocatedBytes, long cachedBytes, long peakAllocatedBytes, long deviceAllocations,
                              long cacheReleases) {
    /** {@return allocated plus cached: what the allocator holds from the device} */
    public long reservedBytes() {
        return allocatedBytes + cachedBytes;
    }
}
