package dev.kiln.cuda;

import dev.kiln.cuda.memory.CachingAllocator;
import dev.kiln.spi.ReleasingStorage;
import dev.kiln.tensor.DType;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device memory of the CUDA backend: one block of the caching allocator. {@link #close()} returns
 * it to the allocator's cache (no native call, so any thread may close). A storage that becomes
 * unreachable unclosed is returned by the safety net of {@link ReleasingStorage} and counted in
 * {@link #freedByCleaner()} (a leak metric that should stay 0).
 */
final class CudaStorage extends ReleasingStorage {
    private static final AtomicLong FREED_BY_CLEANER = new AtomicLong();

    private final long address;

    CudaStorage(CudaBackend backend, DType dtype, long numel, long address, CachingAllocator allocator, AtomicLong inUse) {
        long bytes = numel * dtype.byteSize();
        inUse.addAndGet(bytes);
        super(backend, dtype, numel, () -> {
            allocator.free(address);
            inUse.addAndGet(-bytes);
        }, FREED_BY_CLEANER);
        this.address = address;
    }

    /** Device address of element 0 (0 for an empty storage); invalid once closed. */
    long address() {
        checkOpen();
        return address;
    }

    /**
     * Storages returned by the safety net rather than by {@link #close()}, since start-up.
     *
     * @return the leak count (0 in a correct program)
     */
    static long freedByCleaner() {
        return FREED_BY_CLEANER.get();
    }
}
