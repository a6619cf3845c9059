package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.BackendProvider;
import dev.kiln.spi.ProbeResult;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Discovery, probing, memory accounting and the pool size property. */
class CpuBackendProviderTest {
    @Test
    void discoveredByServiceLoaderAndProbesOk() {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.name().equals("cpu")).findFirst().orElseThrow();
        assertEquals(0, p.rank());
        ProbeResult r = p.probe();
        assertTrue(r.available(), r::toString);
        assertEquals("cpu", r.backend().name());
        ((CpuBackend) r.backend()).close();
    }

    @Test
    void bytesInUseTracksLiveStoragesAndCloseIsIdempotent() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Storage a = cpu.allocate(DType.FLOAT32, 10), b = cpu.allocate(DType.INT32, 3);
            assertEquals(52, cpu.bytesInUse());
            a.close();
            a.close();
            assertTrue(a.isClosed());
            assertEquals(12, cpu.bytesInUse());
            b.close();
            assertEquals(0, cpu.bytesInUse());
            assertFalse(b.toString().isEmpty());
            Storage empty = cpu.allocate(DType.FLOAT32, 0);
            assertEquals(0, empty.byteSize());
            empty.close();
            assertEquals(0, cpu.bytesInUse());
        }
    }

    @Test
    void threadsPropertyIsValidated() {
        String old = System.getProperty(CpuThreadPool.THREADS_PROPERTY);
        try {
            System.setProperty(CpuThreadPool.THREADS_PROPERTY, "3");
            assertEquals(3, CpuThreadPool.defaultThreads());
            System.setProperty(CpuThreadPool.THREADS_PROPERTY, "zero");
            var e = assertThrows(IllegalArgumentException.class, CpuThreadPool::defaultThreads);
            assertTrue(e.getMessage().contains("kiln.cpu.threads"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(CpuThreadPool.THREADS_PROPERTY);
            else System.setProperty(CpuThreadPool.THREADS_PROPERTY, old);
        }
    }

    @Test
    void taskFailureIsRethrownToCaller() {
        try (CpuThreadPool pool = new CpuThreadPool(3)) {
            var e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(10, t -> {
                if (t == 7) throw new IllegalStateException("task 7");
            }));
            assertEquals("task 7", e.getMessage());
        }
    }
}
