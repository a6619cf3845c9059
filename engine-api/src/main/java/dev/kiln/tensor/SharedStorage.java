package dev.kiln.tensor;

import dev.kiln.internal.Pin;
import dev.kiln.spi.Storage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage shared by a tensor, its views and the ops running on them; the storage closes when the
 * last holder releases it. An op's hold is a {@link Pin}, so closing a tensor while another thread
 * computes with it frees the memory only after that op (never while the backend reads it).
 */
final class SharedStorage implements Pin {
    private final Storage storage;
    private final AtomicInteger holders = new AtomicInteger(1);

    SharedStorage(Storage storage) {
        this.storage = storage;
    }

    @Override
    public Storage storage() {
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

    void release() {
        if (holders.decrementAndGet() == 0) storage.close();
    }

    /** Releases an op's pin. */
    @Override
    public void close() {
        release();
    }
}
