package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * The storage memory cache: a closed storage's memory is handed to the next allocation of the
 * same size, so using the closed storage must fail loudly rather than read or write the new owner's data.
 */
class StorageCacheTest {
    @Test
    void closedStorageFailsEvenAfterItsMemoryIsReused() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Storage first = cpu.allocate(DType.FLOAT32, 1000);
            cpu.fill(first, 1f);
            first.close();
            Storage second = cpu.allocate(DType.FLOAT32, 1000);
            cpu.fill(second, 2f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cpu.fill(first, 3f));
            assertTrue(e.getMessage().contains("used after close"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> ((CpuStorage) first).segment());
            // The failed call wrote nothing into the memory's new owner.
            float[] back = ((CpuStorage) second).segment().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            for (float v : back) assertEquals(2f, v);
            second.close();
            assertEquals(0, cpu.bytesInUse());
        }
    }

    @Test
    void closingTwiceFreesOnce() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Storage s = cpu.allocate(DType.FLOAT32, 16);
            s.close();
            s.close();
            assertTrue(s.isClosed());
            assertEquals(0, cpu.bytesInUse());
        }
    }
}
