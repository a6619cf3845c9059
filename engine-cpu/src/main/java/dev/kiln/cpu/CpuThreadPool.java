package dev.kiln.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The CPU backend's own worker pool (never the common pool): daemon threads, a fixed size.
 * Work is handed out as numbered tasks; each task must write outputs disjoint from every other
 * task, so results never depend on which thread ran which task or on the pool size.
 *
 * <p>A training step opens a hundred or so short parallel regions, so the hand-off is built for
 * latency: a region is published through a volatile field that idle workers spin on for a short
 * while (about {@link #SPIN_NANOS}) before parking, and the caller spins on the count of tasks
 * completed. The caller takes tasks too and waits only for tasks already started elsewhere: a
 * worker that has not woken up yet (parked, or descheduled on a loaded machine) does not hold the
 * region up, it finds no task left when it arrives. One region at a time uses the workers; a region started while another is running
 * (from another thread) or from inside one (the kernels nest: a convolution calls GEMM per chunk)
 * runs inline on the calling thread, which is always safe because results do not depend on the split.
 */
public final class CpuThreadPool implements AutoCloseable {
    /** System property overriding the pool size. */
    public static final String THREADS_PROPERTY = "kiln.cpu.threads";
    /** How long an idle worker polls for the next region before parking. */
    private static final long SPIN_NANOS = 200_000;

    private static final ThreadLocal<Boolean> IN_REGION = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock regionLock = new ReentrantLock();
    private volatile Region current;
    private volatile boolean closed;

    /**
     * A pool of {@code threads} workers (the caller thread counts as one of them).
     *
     * @param threads number of threads that run tasks, at least 1
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public CpuThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("cpu: thread count must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(this::workerLoop, "kiln-cpu-" + (i + 1));
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    /**
     * Size from {@value #THREADS_PROPERTY}, else the number of available processors.
     *
     * @return the configured thread count
     * @throws IllegalArgumentException if the property is set but not a positive integer
     */
    public static int defaultThreads() {
        String p = System.getProperty(THREADS_PROPERTY);
        if (p == null || p.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(p.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // fall through to the error below, which names the bad value
        }
        throw new IllegalArgumentException(THREADS_PROPERTY + " must be a positive integer, got '" + p + "'");
    }

    /**
     * Number of threads that run tasks, the caller included.
     *
     * @return the thread count given at construction
     */
    public int threads() {
        return threads;
    }

    /**
     * True when the current thread is already inside a parallel region (nested calls run inline).
     *
     * @return true inside a task of {@link #parallelFor} or {@link #parallelRange}
     */
    public boolean inRegion() {
        return IN_REGION.get();
    }

    /**
     * Runs {@code body.accept(t)} for every task {@code t} in [0, tasks) and returns when all
     * are done. The first exception thrown by a task is rethrown after the running tasks finish;
     * no new tasks start once one failed.
     *
     * @param tasks number of tasks; nothing runs when 0 or less
     * @param body the work of one task, given the task index
     */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (tasks == 1 || threads == 1 || IN_REGION.get() || closed || !regionLock.tryLock()) {
            runInline(tasks, body);
            return;
        }
        try {
            Region r = new Region(tasks, body, Math.min(threads, tasks) - 1);
            current = r;
            for (int i = 0; i < r.helpers; i++) LockSupport.unpark(workers[i]);
            r.work();
            r.awaitTasks();
            current = null;
            r.rethrow();
        } finally {
            regionLock.unlock();
        }
    }

    /**
     * Splits [0, n) into contiguous ranges of at least {@code grain} elements and runs
     * {@code body.run(start, end)} for each, in parallel.
     *
     * @param n number of elements; nothing runs when 0 or less
     * @param grain smallest range worth a task (amortises the hand-off)
     * @param body the work over one range
     */
    public void parallelRange(long n, long grain, RangeBody body) {
        if (n <= 0) return;
        long chunks = Math.min((n + grain - 1) / grain, threads * 4L);
        long size = (n + chunks - 1) / chunks;
        int tasks = (int) ((n + size - 1) / size);
        parallelFor(tasks, t -> body.run(t * size, Math.min(n, (t + 1) * size)));
    }

    private static void runInline(int tasks, IntConsumer body) {
        boolean outer = IN_REGION.get();
        IN_REGION.set(Boolean.TRUE);
        try {
            for (int t = 0; t < tasks; t++) body.accept(t);
        } finally {
            IN_REGION.set(outer);
        }
    }

    /** Worker i (0-based) joins each region that asks for more than i helpers. */
    private void workerLoop() {
        int index = Integer.parseInt(Thread.currentThread().getName().substring("kiln-cpu-".length())) - 1;
        Region last = null;
        while (!closed) {
            Region r = current;
            if (r == null || r == last) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while ((r = current) == null || r == last) {
                    if (closed) return;
                    if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                    else LockSupport.parkNanos(this, 100_000_000); // unparked when a region starts
                }
            }
            last = r;
            if (index < r.helpers) r.work();
        }
    }

    /** One parallel region: a shared task counter, the count of tasks finished, the first failure. */
    private static final class Region {
        final int tasks, helpers;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        /** Tasks run (or skipped after a failure); the region is over when it reaches {@link #tasks}. */
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Region(int tasks, IntConsumer body, int helpers) {
            this.tasks = tasks;
            this.body = body;
            this.helpers = helpers;
        }

        /** Claims and runs tasks until none is left; after a failure, claimed tasks are skipped (but counted). */
        void work() {
            IN_REGION.set(Boolean.TRUE);
            try {
                for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                    try {
                        if (failure == null) body.accept(t);
                    } catch (RuntimeException | Error e) {
                        synchronized (this) {
                            if (failure == null) failure = e;
                        }
                    } finally {
                        finished.incrementAndGet();
                    }
                }
            } finally {
                IN_REGION.set(Boolean.FALSE);
            }
        }

        /** Called once every task is claimed: waits for those still running on other threads. */
        void awaitTasks() {
            long spins = 0;
            while (finished.get() < tasks) {
                if (++spins < 100_000) Thread.onSpinWait();
                else Thread.yield();
            }
        }

        void rethrow() {
            Throwable f = failure;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error err) throw err;
        }
    }

    /** A body over a half-open element range. */
    @FunctionalInterface
    public interface RangeBody {
        /**
         * Processes elements [start, end).
         *
         * @param start first element
         * @param end one past the last element
         */
        void run(long start, long end);
    }

    /** Stops the workers. */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
