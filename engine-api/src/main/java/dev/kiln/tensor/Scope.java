package dev.kiln.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Frees every tensor created on this thread while it is open, except those {@linkplain
 * Tensor#keep() kept}. Scopes nest; a kept tensor moves to the enclosing scope (or, at the
 * outermost level, becomes the caller's to close).
 *
 * <p>A training step: everything the forward pass, the loss and the backward pass allocate is
 * freed when the scope closes; the gradients belong to the parameters and stay.
 * {@snippet class=dev.kiln.snippets.ScopeSnippetsTest region=step}
 *
 * <p>Keeping a result beyond the scope:
 * {@snippet class=dev.kiln.snippets.ScopeSnippetsTest region=keep}
 *
 * <p>A scope belongs to the thread that opened it: open one per thread, and close scopes in
 * reverse order of opening (try-with-resources does both).
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Deque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Tensor> owned = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {}

    /**
     * Opens a scope on the current thread; {@link dev.kiln.Kiln#scope()} is the usual spelling.
     *
     * @return the new innermost scope of this thread
     */
    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return STACK.get().peek();
    }

    void register(Tensor t) {
        owned.add(t);
    }

    /**
     * Removes {@code t} from the open scope of this thread that owns it. A tensor is owned by one
     * scope at most, so the search stops at the first hit; it starts with the innermost scope and
     * the newest tensors (the usual case: a tensor just created).
     */
    static void forget(Tensor t) {
        for (Scope s : STACK.get()) { // a pushed deque iterates innermost first
            int i = s.owned.lastIndexOf(t);
            if (i >= 0) {
                s.owned.remove(i);
                return;
            }
        }
    }

    /** Moves {@code t} from this scope to the enclosing one (or to nobody). */
    void release(Tensor t) {
        if (owned.remove(t)) {
            Scope parent = parentOf(this);
            if (parent != null) parent.register(t);
        }
    }

    private static Scope parentOf(Scope s) {
        boolean seen = false;
        for (Scope x : STACK.get()) {
            if (seen) return x;
            if (x == s) seen = true;
        }
        return null;
    }

    /** {@return number of tensors this scope will free on close} */
    public int size() {
        return owned.size();
    }

    /**
     * Frees the tensors this scope owns, newest first. Closing twice does nothing.
     *
     * @throws IllegalStateException if called on another thread than the one that opened the
     *     scope, or while a scope opened after this one is still open
     */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("scope: closed on thread " + Thread.currentThread().getName()
                    + " but opened on " + thread.getName());
        }
        Deque<Scope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("scope: closed out of order (an inner scope is still open)");
        }
        stack.pop();
        closed = true;
        for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
        owned.clear();
    }
}
