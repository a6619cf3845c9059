package dev.kiln.internal;

import dev.kiln.autograd.Node;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * The tensor internals that op, autograd, optimizer and I/O code of engine-api needs but users must
 * not see (the "shared secrets" pattern): {@link Tensor} registers an implementation from its static
 * initializer, so these members stay off Tensor's public surface.
 *
 * <p>Read an input's storage through {@link #pin} (held for the op, so a concurrent close cannot free
 * it underneath the backend); a tensor the op itself just created and nobody else has seen yet may be
 * read through {@link #storage}.
 */
public final class TensorAccess {
    /** What {@link Tensor} provides; implemented once, inside Tensor. */
    public interface Secrets {
        /** See {@link TensorAccess#storage}. */
        Storage storage(Tensor t);

        /** See {@link TensorAccess#pin}. */
        Pin pin(String op, Tensor t);

        /** See {@link TensorAccess#wrap}. */
        Tensor wrap(Storage storage, int[] shape);

        /** See {@link TensorAccess#setGradFn}. */
        void setGradFn(Tensor t, Node node);
    }

    private static volatile Secrets secrets;

    private TensorAccess() {}

    /**
     * Called once, by Tensor's static initializer.
     *
     * @param s the implementation
     * @throws IllegalStateException on a second registration
     */
    public static void register(Secrets s) {
        synchronized (TensorAccess.class) {
            if (secrets != null) throw new IllegalStateException("TensorAccess: already registered");
            secrets = s;
        }
    }

    private static Secrets secrets() {
        Secrets s = secrets;
        if (s != null) return s;
        try { // initialising Tensor registers its implementation
            Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return secrets;
    }

    /**
     * The backing storage of {@code t}, not pinned: for tensors the calling op created itself.
     *
     * @param t a tensor
     * @return its storage
     * @throws IllegalStateException if {@code t} was closed
     */
    public static Storage storage(Tensor t) {
        return secrets().storage(t);
    }

    /**
     * Holds {@code t}'s storage until the returned pin is closed: a concurrent {@link Tensor#close()}
     * then only frees the memory after the op. One atomic increment and decrement.
     *
     * @param op the op's name, for the error message
     * @param t  an input (or in-place output) of the op
     * @return the pin; close it when the backend call returned
     * @throws IllegalStateException naming {@code op} and the shape if {@code t} was already closed
     */
    public static Pin pin(String op, Tensor t) {
        return secrets().pin(op, t);
    }

    /**
     * Wraps a freshly allocated storage; the tensor takes ownership and joins the current scope.
     *
     * @param storage the storage (its numel must match the shape)
     * @param shape   the shape
     * @return the new tensor
     * @throws IllegalArgumentException if the storage's numel does not match the shape
     */
    public static Tensor wrap(Storage storage, int... shape) {
        return secrets().wrap(storage, shape);
    }

    /**
     * An uninitialised FLOAT32 tensor on {@code backend}, in the current scope.
     *
     * @param backend where to allocate
     * @param shape   the shape
     * @return the new tensor
     */
    public static Tensor empty(Backend backend, int... shape) {
        return empty(backend, DType.FLOAT32, shape);
    }

    /**
     * An uninitialised tensor on {@code backend}, in the current scope.
     *
     * @param backend where to allocate
     * @param dtype   element type
     * @param shape   the shape
     * @return the new tensor
     * @throws IllegalArgumentException if the shape has a negative dimension or too many elements
     */
    public static Tensor empty(Backend backend, DType dtype, int... shape) {
        int[] s = Shape.checked("empty", shape);
        return wrap(backend.allocate(dtype, Shape.numel(s)), s);
    }

    /**
     * Marks {@code t} as the output of {@code node} (for {@link dev.kiln.autograd.Autograd#record}).
     *
     * @param t    the op's output
     * @param node the recorded node, or null to cut it from the graph
     */
    public static void setGradFn(Tensor t, Node node) {
        secrets().setGradFn(t, node);
    }
}
