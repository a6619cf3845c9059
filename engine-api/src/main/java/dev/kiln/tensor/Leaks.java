package dev.kiln.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts and reports tensors freed by the garbage-collection safety net instead of close() or a
 * scope. The first such leak is logged (logger {@code dev.kiln}, WARNING). With
 * {@code -Dkiln.debug.leaks=true} every tensor records where it was created (a stack trace, so
 * only then), and the first leak from each creation site is logged with that trace.
 */
final class Leaks {
    /** System property: record creation sites and report each leaking site. */
    static final String PROPERTY = "kiln.debug.leaks";
    /** Distinct creation sites reported at most, so a leak in a loop cannot flood the log. */
    private static final int MAX_SITES = 100;

    private static final System.Logger LOG = System.getLogger("dev.kiln");
    private static final AtomicLong COUNT = new AtomicLong();
    private static final AtomicBoolean REPORTED = new AtomicBoolean();
    private static final Set<List<StackTraceElement>> SITES = ConcurrentHashMap.newKeySet();

    /** Read per tensor creation; a field (not a constant) so tests can switch it. */
    static volatile boolean recordSites = Boolean.getBoolean(PROPERTY);

    private Leaks() {}

    /** Where a tensor is being created, or null unless {@link #PROPERTY} is set. */
    static Throwable site() {
        return recordSites ? new Throwable("tensor created here") : null;
    }

    /** Leaks so far. */
    static long count() {
        return COUNT.get();
    }

    /** Called by the cleaner for a tensor never closed: logs (once, or once per site), then counts. */
    static void freedByCleaner(int[] shape, Throwable site) {
        try {
            report(shape, site);
        } catch (RuntimeException | Error e) {
            // a failing log handler must not kill the cleaner thread
        }
        COUNT.incrementAndGet();
    }

    private static void report(int[] shape, Throwable site) {
        String what = "a tensor of shape " + Shape.str(shape) + " was never closed and was freed by the garbage collector"
                + " (close it, or create it inside Kiln.scope())";
        if (site == null) {
            if (REPORTED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, what + "; run with -D" + PROPERTY + "=true to log where leaked tensors are created");
            }
        } else if (SITES.size() < MAX_SITES && SITES.add(Arrays.asList(site.getStackTrace()))) {
            LOG.log(System.Logger.Level.WARNING, what + "; it was created at:", site);
        }
    }

    /** For tests: report the next leak again, as if none had been reported. */
    static void rearm() {
        REPORTED.set(false);
        SITES.clear();
    }
}
