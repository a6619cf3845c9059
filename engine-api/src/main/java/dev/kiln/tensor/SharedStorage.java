package dev.kiln.tensor;

import dev.kiln.spi.Storage;
import java.util.concurrent.atomic.AtomicInteger;

/** A storage shared by a tensor and its views; the storage closes when the last holder releases it. */
final class SharedStorage {
    private final Storage storage;
    private final AtomicInteger holders = new AtomicInteger(1);

    SharedStorage(Storage storage) {
        this.storage = storage;
    }

    Storage storage() {
        return storage;
    }

    SharedStorage retain() {
        holders.incrementAndGet();
        return this;
    }

    void release() {
        if (holders.decrementAndGet() == 0) storage.close();
    }
}
