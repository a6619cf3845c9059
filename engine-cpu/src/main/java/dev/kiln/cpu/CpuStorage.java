package dev.kiln.cpu;

import dev.kiln.spi.ReleasingStorage;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap storage of the CPU backend: one 64-byte aligned {@link MemorySegment} from its own
 * shared arena (so any thread may read it), reused through the backend's {@link SegmentCache}
 * once closed. A storage that becomes unreachable unclosed is freed by the safety net of
 * {@link ReleasingStorage} and counted in {@link #freedByCleaner()} (a leak metric: it should stay 0).
 */
public final class CpuStorage extends ReleasingStorage {
    /** Alignment of every allocation: a cache line, and enough for any vector width. */
    static final long ALIGNMENT = 64;
    private static final AtomicLong FREED_BY_CLEANER = new AtomicLong();

    private final MemorySegment segment;

    CpuStorage(CpuBackend backend, DType dtype, long numel, AtomicLong inUse, SegmentCache cache) {
        if (numel < 0) throw new IllegalArgumentException("cpu: cannot allocate " + numel + " elements");
        SegmentCache.Block block = cache.take(Math.multiplyExact(numel, (long) dtype.byteSize()));
        long bytes = block.segment().byteSize();
        inUse.addAndGet(bytes);
        super(backend, dtype, numel, () -> {
            inUse.addAndGet(-bytes);
            cache.give(block);
        }, FREED_BY_CLEANER);
        this.segment = block.segment();
    }

    /**
     * The memory, {@code numel * dtype.byteSize()} bytes.
     *
     * @return a view of the storage's bytes, valid until {@link #close()}
     * @throws IllegalStateException once closed (the memory may already hold another storage)
     */
    public MemorySegment segment() {
        checkOpen();
        return segment;
    }

    /**
     * Storages freed by the safety net rather than by {@link #close()}, since start-up.
     *
     * @return the number of storages released by the cleaner so far (a leak count; 0 in a correct program)
     */
    public static long freedByCleaner() {
        return FREED_BY_CLEANER.get();
    }
}
