package dev.kiln.tensor;

import dev.kiln.internal.Pin;
import dev.kiln.spi.Storage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage shared by a tensor, its views and the ops running on them; the storage closes when the
 * last holder releases it. An op's hold is a {@link Pin} of its own, so closing a tensor while
 * another thread computes with it frees the memory only after that op (never while the backend
 * reads it), and closing one pin twice cannot drop another holder's count.
 */
final class SharedStorage {
    private final Storage storage;
    private final AtomicInteger holders = new AtomicInteger(1);

    SharedStorage(Storage storage) {
        this.storage = storage;
    }

    Storage storage() {
        return storage;
    }

    /** Adds a holder, unless the storage was already freed (a freed storage is never revived). */
    boolean tryRetain() {
        int n;
        do {
            n = holders.get();
            if (n <= 0) return false;
        } while (!holders.compareAndSet(n, n + 1));
        return true;
    }

    /**
     * Adds a holder and returns its hold, or null when the storage was already freed.
     *
     * @return a pin whose first close releases this hold; later closes do nothing
     */
    Pin tryPin() {
        return tryRetain() ? new Hold(this) : null;
    }

    /**
     * Drops one holder; the last one frees the storage. One more release than holds is a bug that
     * would free memory still in use (or free it twice), so it fails instead.
     */
    void release() {
        int n = holders.decrementAndGet();
        if (n == 0) {
            storage.close();
        } else if (n < 0) {
            throw new IllegalStateException("tensor storage released more often than it was held (holders " + n + ")");
        }
    }

    /** One holder's claim: releases the storage once, however often it is closed. */
    private static final class Hold implements Pin {
        private final SharedStorage shared;
        private final AtomicBoolean released = new AtomicBoolean();

        Hold(SharedStorage shared) {
            this.shared = shared;
        }

        @Override
        public Storage storage() {
            if (released.get()) throw new IllegalStateException("tensor storage: pin used after it was closed");
            return shared.storage;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) shared.release();
        }
    }
}
