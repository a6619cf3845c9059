/**
 * Device memory for the CUDA backend. A {@link dev.kiln.cuda.memory.CachingAllocator} rounds
 * requests up to size buckets and keeps freed blocks for reuse, so a training step allocates
 * from the device only in its first iteration; when the device runs out it releases the cache,
 * retries once, and otherwise throws a {@link dev.kiln.cuda.memory.CudaOutOfMemoryException}
 * carrying its {@link dev.kiln.cuda.memory.CudaMemoryStats}. {@link
 * dev.kiln.cuda.memory.PinnedStaging} moves host data through pinned buffers so copies overlap.
 */
package dev.kiln.cuda.memory;
