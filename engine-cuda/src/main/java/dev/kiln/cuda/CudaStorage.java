package dev.kiln.cuda;

import dev.kiln.cuda.memory.CachingAllocator;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device memory of the CUDA backend: one block of the caching allocator. {@link #close()} returns
 * it to the allocator's cache (no native call, so any thread may close). A storage that becomes
 * unreachable unclosed is returned by a {@link Cleaner} and counted in {@link #freedByCleaner()}
 * (a leak metric that should stay 0).
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong FREED_BY_CLEANER = new AtomicLong();

    private final CudaBackend backend;
    private final DType dtype;
    private final long numel;
    private final long address;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private final AtomicBoolean closed = new AtomicBoolean();

    CudaStorage(CudaBackend backend, DType dtype, long numel, long address, CachingAllocator allocator, AtomicLong inUse) {
        this.backend = backend;
        this.dtype = dtype;
        this.numel = numel;
        this.address = address;
        long bytes = numel * dtype.byteSize();
        inUse.addAndGet(bytes);
        this.release = new Release(allocator, address, bytes, inUse);
        this.cleanable = CLEANER.register(this, release);
    }

    /** Device address of element 0 (0 for an empty storage); invalid once closed. */
    long address() {
        if (closed.get()) throw new IllegalStateException("cuda: storage of " + numel + " " + dtype + " elements is closed");
        return address;
    }

    /** Storages returned by the safety net rather than by {@link #close()}, since start-up. */
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

    /** Returns the block; holds no reference to the storage. */
    private static final class Release implements Runnable {
        private final CachingAllocator allocator;
        private final long address, bytes;
        private final AtomicLong inUse;
        volatile boolean explicit;

        Release(CachingAllocator allocator, long address, long bytes, AtomicLong inUse) {
            this.allocator = allocator;
            this.address = address;
            this.bytes = bytes;
            this.inUse = inUse;
        }

        @Override
        public void run() {
            allocator.free(address);
            inUse.addAndGet(-bytes);
            if (!explicit) FREED_BY_CLEANER.incrementAndGet();
        }
    }
}
