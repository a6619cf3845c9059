/**
 * Device memory for the CUDA backend; internal, not exported from the module. A
 * {@link dev.kiln.cuda.memory.CachingAllocator} rounds requests up to size buckets and keeps freed
 * blocks for reuse, so a training step allocates from the device only in its first iteration;
 * when the device runs out it releases the cache, retries once, and otherwise throws a
 * {@link dev.kiln.cuda.CudaOutOfMemoryException} carrying its {@link dev.kiln.cuda.CudaMemoryStats}.
 * {@link dev.kiln.cuda.memory.PinnedStaging} moves host data through pinned buffers so copies overlap.
 */
package dev.kiln.cuda.memory;
