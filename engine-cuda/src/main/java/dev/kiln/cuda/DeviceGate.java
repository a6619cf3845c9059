package dev.kiln.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock that serialises one device's backend calls, the binding of its context to the calling
 * thread, and the teardown, apart from any native code so that they can be tested with fakes.
 *
 * <p>The context is bound on every {@link #enter()}, not once per thread: the driver's current
 * context belongs to the OS thread, and a virtual thread that called before may since have resumed
 * on another carrier thread. {@code cuCtxSetCurrent} is a cheap thread-local store.
 */
final class DeviceGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Runnable bindContext;
    private boolean closed;

    /** A gate that runs {@code bindContext} (e.g. {@code cuCtxSetCurrent}) on every entry. */
    DeviceGate(Runnable bindContext) {
        this.bindContext = bindContext;
    }

    /**
     * Takes the lock and binds the context to this thread; on failure (or once closed, with an
     * {@link IllegalStateException}) releases the lock and throws.
     */
    void enter() {
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("cuda: the backend has been closed");
            bindContext.run();
        } catch (RuntimeException | Error e) {
            lock.unlock();
            throw e;
        }
    }

    /** Releases the lock taken by {@link #enter()}. */
    void exit() {
        lock.unlock();
    }

    /** Whether the calling thread holds the lock exactly once (the outermost call, not a nested one). */
    boolean outermost() {
        return lock.getHoldCount() == 1;
    }

    /** Whether {@link #close} has run (read while holding the lock). */
    boolean isClosed() {
        return closed;
    }

    /**
     * Closes once; later calls return at once. Binds the context, waits for the device
     * ({@code synchronize}), then closes {@code resources} newest first. Every step is attempted
     * even when an earlier one failed: after a sticky kernel fault every call reports the fault, yet
     * releasing the context still frees the device. Throws one {@link CudaException} whose cause is
     * the first failure, with the later ones suppressed (or, when the first failure is an
     * {@link Error}, that error itself with the later ones suppressed); nothing when every step
     * succeeded.
     *
     * @param synchronize waits for the device's queued work
     * @param resources   what to release, oldest first
     * @throws CudaException when any step failed, after every step was attempted
     * @throws Error          when the first failing step threw an Error, after every step was attempted
     */
    void close(Runnable synchronize, List<? extends AutoCloseable> resources) {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            List<Throwable> failures = new ArrayList<>();
            attempt(failures, bindContext::run);
            attempt(failures, synchronize::run);
            for (AutoCloseable r : resources.reversed()) attempt(failures, r::close);
            if (!failures.isEmpty()) {
                Throwable first = failures.getFirst();
                List<Throwable> later = failures.subList(1, failures.size());
                if (first instanceof Error error) { // not turned into an exception: callers must still see an Error
                    for (Throwable t : later) error.addSuppressed(t);
                    throw error;
                }
                CudaException e = new CudaException("cuda: errors while closing the device (every release was still attempted"
                        + (later.isEmpty() ? "" : "; " + later.size() + " more suppressed") + "): " + first.getMessage());
                e.initCause(first);
                for (Throwable t : later) e.addSuppressed(t);
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A step of {@link #close} that may fail. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step}, adding its failure to {@code failures}: an Error too (an assertion or a
     * linkage error in one release), so that the releases after it still run.
     */
    private static void attempt(List<Throwable> failures, Step step) {
        try {
            step.run();
        } catch (Throwable t) {
            failures.add(t);
        }
    }
}
