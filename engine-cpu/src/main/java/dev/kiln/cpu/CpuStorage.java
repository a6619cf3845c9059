package dev.kiln.cpu;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap storage of the CPU backend: one 64-byte aligned {@link MemorySegment} from its own
 * shared arena (so any thread may read it), reused through the backend's {@link SegmentCache}
 * once closed. A storage that
 * becomes unreachable unclosed is freed by a {@link Cleaner} as a safety net, and counted in
 * {@link #freedByCleaner()} (a leak metric: it should stay 0).
 */
public final class CpuStorage implements Storage {
    /** Alignment of every allocation: a cache line, and enough for any vector width. */
    static final long ALIGNMENT = 64;
    private static final AtomicLong FREED_BY_CLEANER = new AtomicLong();

    private final CpuBackend backend;
    private final DType dtype;
    private final long numel;
    private final MemorySegment segment;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private final AtomicBoolean closed = new AtomicBoolean();

    CpuStorage(CpuBackend backend, DType dtype, long numel, AtomicLong inUse, SegmentCache cache) {
        if (numel < 0) throw new IllegalArgumentException("cpu: cannot allocate " + numel + " elements");
        this.backend = backend;
        this.dtype = dtype;
        this.numel = numel;
        SegmentCache.Block block = cache.take(Math.multiplyExact(numel, (long) dtype.byteSize()));
        this.segment = block.segment();
        inUse.addAndGet(segment.byteSize());
        this.release = new Release(block, cache, inUse);
        this.cleanable = CleanerHolder.CLEANER.register(this, release);
    }

    /**
     * The memory, {@code numel * dtype.byteSize()} bytes.
     *
     * @throws IllegalStateException once closed (the memory may already hold another storage)
     */
    public MemorySegment segment() {
        if (closed.get()) throw new IllegalStateException("cpu: " + this + " used after close");
        return segment;
    }

    /** Storages freed by the safety net rather than by {@link #close()}, since start-up. */
    public static long freedByCleaner() {
        return FREED_BY_CLEANER.get();
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long numel() {
        return numel;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.explicit = true;
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return "CpuStorage[" + dtype + " x " + numel + (isClosed() ? ", closed]" : "]");
    }

    /** Returns the memory to the cache; holds no reference to the storage so the storage can become unreachable. */
    private static final class Release implements Runnable {
        private final SegmentCache.Block block;
        private final SegmentCache cache;
        private final AtomicLong inUse;
        private volatile boolean explicit;

        Release(SegmentCache.Block block, SegmentCache cache, AtomicLong inUse) {
            this.block = block;
            this.cache = cache;
            this.inUse = inUse;
        }

        @Override
        public void run() {
            inUse.addAndGet(-block.segment().byteSize());
            cache.give(block);
            if (!explicit) FREED_BY_CLEANER.incrementAndGet();
        }
    }

    /** Created on first allocation, not when the backend class loads. */
    private static final class CleanerHolder {
        static final Cleaner CLEANER = Cleaner.create();
    }
}
