package dev.kiln.spi;

import dev.kiln.tensor.DType;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lifecycle every backend's storage shares: {@link #close()} runs a release action exactly
 * once; a storage that becomes unreachable unclosed is released by a {@link Cleaner} as a safety
 * net and counted in the backend's leak counter (which should stay 0).
 *
 * <p>The release action must not reference the storage (or it never becomes unreachable): build
 * it from the allocation before calling this constructor.
 */
public abstract class ReleasingStorage implements Storage {
    private final Backend backend;
    private final DType dtype;
    private final long numel;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Registers the storage with the cleaner.
     *
     * @param backend        the allocating backend
     * @param dtype          element type
     * @param numel          number of elements
     * @param release        returns the memory to its allocator; runs once, on close or by the cleaner
     * @param freedByCleaner incremented when the cleaner, not {@link #close()}, released the memory
     */
    protected ReleasingStorage(Backend backend, DType dtype, long numel, Runnable release, AtomicLong freedByCleaner) {
        this.backend = backend;
        this.dtype = dtype;
        this.numel = numel;
        this.release = new Release(release, freedByCleaner);
        this.cleanable = CleanerHolder.CLEANER.register(this, this.release);
    }

    /**
     * Throws when closed: the memory may already hold another storage.
     *
     * @throws IllegalStateException once closed
     */
    protected final void checkOpen() {
        if (closed.get()) throw new IllegalStateException(backend.name() + ": " + this + " used after close");
    }

    @Override
    public final Backend backend() {
        return backend;
    }

    @Override
    public final DType dtype() {
        return dtype;
    }

    @Override
    public final long numel() {
        return numel;
    }

    @Override
    public final boolean isClosed() {
        return closed.get();
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            release.explicit = true;
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + dtype + " x " + numel + (isClosed() ? ", closed]" : "]");
    }

    /** Holds no reference to the storage, so the storage can become unreachable. */
    private static final class Release implements Runnable {
        private final Runnable action;
        private final AtomicLong freedByCleaner;
        private volatile boolean explicit;

        Release(Runnable action, AtomicLong freedByCleaner) {
            this.action = action;
            this.freedByCleaner = freedByCleaner;
        }

        @Override
        public void run() {
            action.run();
            if (!explicit) freedByCleaner.incrementAndGet();
        }
    }

    /** Created on first allocation, not when a backend class loads. */
    private static final class CleanerHolder {
        static final Cleaner CLEANER = Cleaner.create();
    }
}
