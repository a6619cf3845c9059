package dev.kiln.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.testing.HostOnlyBackend;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tensor dropped without close() is freed by the cleaner and reported on the "dev.kiln" logger
 * (through System.Logger, which the JDK routes to java.util.logging here); with creation sites on,
 * the report carries the stack trace of where the tensor was created.
 */
class LeakReportTest {
    private static final int MAX_COLLECTIONS = 200;

    private final Logger jul = Logger.getLogger("dev.kiln"); // a field: JUL keeps loggers weakly
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override public void publish(LogRecord r) { records.add(r); }
        @Override public void flush() {}
        @Override public void close() {}
    };
    private final Backend backend = HostOnlyBackend.create();

    @BeforeEach
    void listen() {
        jul.addHandler(handler);
        Leaks.rearm();
    }

    @AfterEach
    void stop() {
        jul.removeHandler(handler);
        Leaks.recordSites = Boolean.getBoolean(Leaks.PROPERTY);
    }

    /** Creates and drops a tensor of a shape no other test uses. */
    private void dropATensor() {
        Tensor.full(backend, 3f, 7, 1, 3);
    }

    /** Drops a tensor, then collects until the leak counter moves and a record matches {@code text}. */
    private LogRecord awaitReport(String text) {
        long before = Tensor.leakedCount();
        dropATensor();
        for (int i = 0; i < MAX_COLLECTIONS; i++) {
            LogRecord r = records.stream().filter(x -> x.getMessage().contains(text)).findFirst().orElse(null);
            if (r != null && Tensor.leakedCount() > before) return r;
            collect();
        }
        throw new AssertionError("no report of a leak after " + MAX_COLLECTIONS + " collections; records: " + records.size());
    }

    private static void collect() {
        System.gc();
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long reports() {
        return records.stream().filter(x -> x.getMessage().contains("never closed")).count();
    }

    @Test
    void aLeakIsLoggedOnceWithAHintAtTheDebugProperty() {
        Leaks.recordSites = false;
        LogRecord r = awaitReport("never closed"); // whichever leak the cleaner meets first (other tests may leak too)
        assertTrue(r.getLevel() == Level.WARNING, "level " + r.getLevel());
        assertTrue(r.getMessage().contains("-Dkiln.debug.leaks=true"), r.getMessage());
        assertNull(r.getThrown(), "no creation site is recorded without the property");
        long before = Tensor.leakedCount();
        dropATensor();
        for (int i = 0; i < MAX_COLLECTIONS && Tensor.leakedCount() == before; i++) collect();
        assertTrue(Tensor.leakedCount() > before, "the second leak was collected");
        assertEquals(1, reports(), "logged once, not per leak");
    }

    @Test
    void withTheDebugPropertyTheReportSaysWhereTheTensorWasCreated() {
        Leaks.recordSites = true;
        LogRecord r = awaitReport("[7, 1, 3]");
        Throwable site = r.getThrown();
        assertNotNull(site, "the creation site");
        assertTrue(Arrays.stream(site.getStackTrace()).anyMatch(f -> f.getMethodName().equals("dropATensor")),
                "the trace names the creating method: " + Arrays.toString(site.getStackTrace()));
    }
}
