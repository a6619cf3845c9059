package dev.kiln.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The CPU backend's own worker pool (never the common pool): daemon threads, a fixed size.
 * Work is handed out as numbered tasks; each task must write outputs disjoint from every other
 * task, so results never depend on which thread ran which task or on the pool size.
 *
 * <p>A parallel region started from inside another one runs inline on the calling thread: the
 * kernels nest (a convolution calls GEMM per image) and a fixed pool would otherwise deadlock.
 */
public final class CpuThreadPool implements AutoCloseable {
    /** System property overriding the pool size. */
    public static final String THREADS_PROPERTY = "kiln.cpu.threads";

    private static final ThreadLocal<Boolean> IN_REGION = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final ExecutorService executor;

    /**
     * A pool of {@code threads} workers (the caller thread counts as one of them).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public CpuThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("cpu: thread count must be >= 1, got " + threads);
        this.threads = threads;
        AtomicInteger id = new AtomicInteger();
        // threads - 1 workers: the calling thread always runs a share of the tasks itself.
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "kiln-cpu-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Size from {@value #THREADS_PROPERTY}, else the number of available processors. */
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

    /** Number of threads that run tasks, the caller included. */
    public int threads() {
        return threads;
    }

    /** True when the current thread is already inside a parallel region (nested calls run inline). */
    public boolean inRegion() {
        return IN_REGION.get();
    }

    /**
     * Runs {@code body.accept(t)} for every task {@code t} in [0, tasks) and returns when all
     * are done. The first exception thrown by a task is rethrown after the running tasks finish; no new tasks start once one failed.
     */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (tasks == 1 || threads == 1 || IN_REGION.get()) {
            runInline(tasks, body);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            IN_REGION.set(Boolean.TRUE);
            try {
                for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) body.accept(t);
            } finally {
                IN_REGION.set(Boolean.FALSE);
            }
        };
        int helpers = Math.min(threads, tasks) - 1;
        List<Future<?>> futures = new ArrayList<>(helpers);
        for (int i = 0; i < helpers; i++) futures.add(executor.submit(worker));
        Throwable failure = null;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(tasks); // stop handing out further tasks
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new IllegalStateException("cpu: interrupted while waiting for workers", e);
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException("cpu: kernel task failed", failure);
    }

    /**
     * Splits [0, n) into contiguous ranges of at least {@code grain} elements and runs
     * {@code body.run(start, end)} for each, in parallel.
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

    /** A body over a half-open element range. */
    @FunctionalInterface
    public interface RangeBody {
        /** Processes elements [start, end). */
        void run(long start, long end);
    }

    /** Stops the workers. */
    @Override
    public void close() {
        if (executor != null) executor.shutdownNow();
    }
}
