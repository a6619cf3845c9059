package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The runtime's lock, context binding and teardown, against fakes (no GPU). */
class DeviceGateTest {

    @Test
    void bindsTheContextOnEveryEntryEvenOnTheSameThread() throws Exception {
        AtomicInteger binds = new AtomicInteger();
        DeviceGate gate = new DeviceGate(binds::incrementAndGet);
        for (int i = 0; i < 3; i++) {
            gate.enter();
            gate.exit();
        }
        assertEquals(3, binds.get(), "a thread that called before may be another carrier by now");
        Thread t = Thread.ofVirtual().start(() -> {
            gate.enter();
            gate.exit();
        });
        t.join();
        assertEquals(4, binds.get());
    }

    @Test
    void aFailedBindReleasesTheLock() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DeviceGate gate = new DeviceGate(() -> {
            if (calls.incrementAndGet() == 1) throw new CudaException("cuCtxSetCurrent", 201, "CUDA_ERROR_INVALID_CONTEXT", null);
        });
        assertThrows(CudaException.class, gate::enter);
        Thread other = Thread.ofPlatform().start(() -> {
            gate.enter();
            gate.exit();
        });
        other.join(); // would never end if the failed enter had kept the lock
        assertEquals(2, calls.get());
    }

    @Test
    void closeAfterAStickyFaultStillReleasesEverythingAndThrowsOnce() {
        List<String> log = new ArrayList<>();
        DeviceGate gate = new DeviceGate(() -> log.add("bind"));
        CudaException fault = new CudaException("cuStreamSynchronize", 700, "CUDA_ERROR_ILLEGAL_ADDRESS", null);
        CudaException moduleFault = new CudaException("cuModuleUnload", 700, "CUDA_ERROR_ILLEGAL_ADDRESS", null);
        List<AutoCloseable> owned = List.of(() -> log.add("context"), () -> log.add("stream"), () -> {
            log.add("module");
            throw moduleFault;
        }, () -> log.add("handle"));
        CudaException e = assertThrows(CudaException.class, () -> gate.close(() -> {
            log.add("sync");
            throw fault;
        }, owned));
        assertEquals(List.of("bind", "sync", "handle", "module", "stream", "context"), log);
        assertSame(fault, e.getCause());
        assertEquals(List.of(moduleFault), List.of(e.getSuppressed()));
        assertTrue(e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS") && e.getMessage().contains("1 more suppressed"), e.getMessage());

        log.clear();
        gate.close(() -> log.add("sync"), owned); // idempotent: nothing runs twice
        assertEquals(List.of(), log);
        IllegalStateException closed = assertThrows(IllegalStateException.class, gate::enter);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void aCleanCloseThrowsNothing() {
        List<String> log = new ArrayList<>();
        DeviceGate gate = new DeviceGate(() -> log.add("bind"));
        gate.close(() -> log.add("sync"), List.of(() -> log.add("a"), () -> log.add("b")));
        assertEquals(List.of("bind", "sync", "b", "a"), log);
    }

    @Test
    void anErrorInOneReleaseDoesNotSkipTheOthers() {
        List<String> log = new ArrayList<>();
        DeviceGate gate = new DeviceGate(() -> log.add("bind"));
        AssertionError broken = new AssertionError("module table corrupt");
        CudaException later = new CudaException("cuCtxDestroy", 700, "CUDA_ERROR_ILLEGAL_ADDRESS", null);
        List<AutoCloseable> owned = List.of(() -> {
            log.add("context");
            throw later;
        }, () -> log.add("stream"), () -> {
            log.add("module");
            throw broken;
        }, () -> log.add("handle"));
        AssertionError e = assertThrows(AssertionError.class, () -> gate.close(() -> log.add("sync"), owned));
        assertEquals(List.of("bind", "sync", "handle", "module", "stream", "context"), log, "every release still ran");
        assertSame(broken, e, "the Error itself, not wrapped");
        assertEquals(List.of(later), List.of(e.getSuppressed()));
    }

    @Test
    void anErrorAfterAnExceptionIsSuppressedInTheCudaException() {
        DeviceGate gate = new DeviceGate(() -> {});
        CudaException fault = new CudaException("cuStreamSynchronize", 700, "CUDA_ERROR_ILLEGAL_ADDRESS", null);
        StackOverflowError deep = new StackOverflowError();
        List<String> log = new ArrayList<>();
        CudaException e = assertThrows(CudaException.class, () -> gate.close(() -> {
            throw fault;
        }, List.of(() -> log.add("context"), () -> {
            throw deep;
        })));
        assertEquals(List.of("context"), log);
        assertSame(fault, e.getCause());
        assertEquals(List.of(deep), List.of(e.getSuppressed()));
    }
}
