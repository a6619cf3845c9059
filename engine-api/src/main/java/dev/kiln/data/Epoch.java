package dev.kiln.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The batches of one epoch of a {@link DataLoader}, iterated once by one consumer thread.
 *
 * <p>The epoch owns the tensors of the {@link Batch}es it hands out: each batch is freed when the
 * next one is requested, when {@link #hasNext()} returns false, or when the epoch is closed
 * (whichever comes first), whatever scopes are open. So the plain loop frees every batch:
 * <pre>{@code
 * for (Batch b : loader.epoch(e)) {
 *     try (var scope = Kiln.scope()) { ... b.images() ... b.labels() ... }
 * }
 * }</pre>
 * Note that {@link #hasNext()} itself frees the batch handed out last when it returns false, so
 * call it only once done with that batch.
 * A batch's tensors are valid only until then; {@link dev.kiln.tensor.Tensor#copy()} one to keep
 * it longer. {@link HostBatch}es are plain arrays and stay valid.
 *
 * <p>With
 * prefetching, a daemon worker thread prepares host batches into a bounded queue; it ends when
 * the epoch is exhausted or {@link #close()}d. An exception in the worker is rethrown from
 * {@link #next()} (wrapped in an {@link IllegalStateException} naming the batch, the original as
 * its cause), after which the epoch is closed.
 *
 * @param <T> {@link Batch} or {@link HostBatch}
 */
public final class Epoch<T> implements Iterator<T>, Iterable<T>, AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private record Failure(int batch, Throwable cause) {}

    private final DataLoader loader;
    private final int epoch;
    private final DataLoader.EpochPlan plan;
    private final Function<Object, T> convert;
    private final Consumer<T> release;
    /** The item handed out last, released when the next one is requested or the epoch ends. */
    private final AtomicReference<T> current = new AtomicReference<>();
    private final int count;
    private final BlockingQueue<Object> queue;
    private final Thread worker;
    private int next;
    private boolean iterated;
    private volatile boolean closed;

    Epoch(DataLoader loader, int epoch, DataLoader.EpochPlan plan, Function<Object, T> convert, Consumer<T> release, int prefetch) {
        this.loader = loader;
        this.epoch = epoch;
        this.plan = plan;
        this.convert = convert;
        this.release = release;
        this.count = plan.count();
        if (prefetch > 0 && count > 0) {
            queue = new ArrayBlockingQueue<>(prefetch);
            worker = new Thread(this::produce, "kiln-dataloader-" + THREADS.incrementAndGet() + "-epoch-" + epoch);
            worker.setDaemon(true);
        } else {
            queue = null;
            worker = null;
        }
    }

    void start() {
        if (worker != null) worker.start();
    }

    private void produce() {
        int k = 0;
        try {
            for (; k < count && !closed; k++) queue.put(plan.make(k));
        } catch (InterruptedException e) {
            // closed by the consumer: just stop
        } catch (Throwable t) {
            try {
                queue.put(new Failure(k, t));
            } catch (InterruptedException ignored) {
                // closed meanwhile: nobody is waiting for the failure
            }
        }
    }

    /** This object itself: an epoch can be iterated only once. */
    @Override
    public Iterator<T> iterator() {
        if (iterated) throw new IllegalStateException("DataLoader: epoch " + epoch + " can be iterated only once; call epoch(" + epoch + ") again");
        iterated = true;
        return this;
    }

    /** {@return number of batches in this epoch} */
    public int size() {
        return count;
    }

    /** Whether another batch follows; false also frees the batch handed out last. */
    @Override
    public boolean hasNext() {
        boolean more = !closed && next < count;
        if (!more) releaseCurrent();
        return more;
    }

    /** Frees the item handed out last, if any (once, whichever thread gets here first). */
    private void releaseCurrent() {
        T c = current.getAndSet(null);
        if (c != null) release.accept(c);
    }

    /**
     * The next batch; blocks until the worker has it ready. Frees the batch handed out before.
     *
     * @throws NoSuchElementException if the epoch is exhausted or closed
     * @throws IllegalStateException  if preparing the batch failed (cause: the worker's exception)
     */
    @Override
    public T next() {
        releaseCurrent();
        if (!hasNext()) throw new NoSuchElementException("DataLoader: epoch " + epoch + " has no more batches (" + count + " in all)");
        int k = next;
        Object hb; // a HostBatch, or a tensor data set's collated fields
        if (queue == null) {
            try {
                hb = plan.make(k);
            } catch (RuntimeException e) {
                close();
                throw failed(k, e);
            }
        } else {
            Object item;
            try {
                item = await(k);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("DataLoader: interrupted while waiting for batch " + k + " of epoch " + epoch, e);
            }
            if (item instanceof Failure f) {
                close();
                throw failed(f.batch(), f.cause());
            }
            hb = item;
        }
        next++;
        if (next == count) finish();
        T item = convert.apply(hb);
        current.set(item);
        // a close() from another thread (e.g. DataLoader.close()) between the check above and set()
        // would miss this batch: release it here so it is not left to the Cleaner
        if (closed) releaseCurrent();
        return item;
    }

    /** Takes the next queued item, noticing a close from another thread (e.g. {@link DataLoader#close()}) instead of waiting forever. */
    private Object await(int k) throws InterruptedException {
        while (true) {
            Object item = queue.poll(100, TimeUnit.MILLISECONDS);
            if (item != null) return item;
            if (closed) throw new NoSuchElementException("DataLoader: epoch " + epoch + " was closed while waiting for batch " + k);
            if (!worker.isAlive() && queue.isEmpty()) {
                throw new IllegalStateException("DataLoader: the prefetch thread of epoch " + epoch + " ended before batch " + k);
            }
        }
    }

    private IllegalStateException failed(int batch, Throwable cause) {
        return new IllegalStateException("DataLoader: preparing batch " + batch + " of epoch " + epoch + " failed: " + cause, cause);
    }

    /** True while the prefetch thread runs (for tests and diagnostics). */
    boolean workerAlive() {
        return worker != null && worker.isAlive();
    }

    private void finish() {
        loader.finished(this);
    }

    /**
     * Frees the batch handed out last, stops the prefetch thread and waits for it to end; the
     * remaining batches are dropped. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        releaseCurrent();
        finish();
        if (worker == null || worker == Thread.currentThread()) return;
        worker.interrupt();
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
