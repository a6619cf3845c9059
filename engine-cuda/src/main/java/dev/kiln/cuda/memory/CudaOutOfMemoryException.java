package dev.kiln.cuda.memory;

import dev.kiln.cuda.CudaException;

/** The device could not supply a block even after the allocator released its cache. */
public final class CudaOutOfMemoryException extends CudaException {
    /** Builds the message from the request and the allocator's state. */
    public CudaOutOfMemoryException(long requested, long freeBytes, CudaMemoryStats stats) {
        super("CUDA out of memory: tried to allocate " + CachingAllocator.human(requested) + "; device free "
                + (freeBytes < 0 ? "unknown" : CachingAllocator.human(freeBytes)) + ", Kiln allocated "
                + CachingAllocator.human(stats.allocatedBytes()) + ", cached " + CachingAllocator.human(stats.cachedBytes())
                + " (cache already released). Reduce the batch size or model, or close tensors you no longer need.");
    }
}
