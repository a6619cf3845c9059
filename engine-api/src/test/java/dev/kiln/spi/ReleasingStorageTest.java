package dev.kiln.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tensor.DType;
import dev.kiln.testing.HostOnlyBackend;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lifecycle shared by the backends' storages: release once, use after close refused, leaks counted. */
class ReleasingStorageTest {
    private static final Backend BACKEND = HostOnlyBackend.create();

    /** A storage whose release only counts. */
    private static final class Counted extends ReleasingStorage {
        Counted(AtomicLong released, AtomicLong freedByCleaner) {
            super(BACKEND, DType.FLOAT32, 3, released::incrementAndGet, freedByCleaner);
        }

        void use() {
            checkOpen();
        }
    }

    @Test
    void closeReleasesExactlyOnceAndIsNotALeak() {
        AtomicLong released = new AtomicLong(), leaked = new AtomicLong();
        Counted s = new Counted(released, leaked);
        s.use();
        assertFalse(s.isClosed());
        s.close();
        s.close();
        assertTrue(s.isClosed());
        assertEquals(1, released.get());
        assertEquals(0, leaked.get());
        IllegalStateException e = assertThrows(IllegalStateException.class, s::use);
        assertTrue(e.getMessage().contains("used after close") && e.getMessage().contains("FLOAT32 x 3"), e.getMessage());
    }

    @Test
    void anUnreachableStorageIsReleasedByTheCleanerAndCounted() throws InterruptedException {
        AtomicLong released = new AtomicLong(), leaked = new AtomicLong();
        new Counted(released, leaked);
        for (int i = 0; i < 200 && released.get() == 0; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(1, released.get(), "the cleaner released the unreachable storage");
        assertEquals(1, leaked.get(), "and counted it as a leak");
    }
}
