package dev.kiln.tensor;

import dev.kiln.Kiln;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.Node;
import dev.kiln.internal.Pin;
import dev.kiln.internal.TensorAccess;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An n-dimensional array of {@link DType#FLOAT32} (or INT32 labels) on one device, row-major
 * and contiguous (NCHW for images). Storage is native (off-heap host memory or device memory)
 * and freed by {@link #close()}, by the {@link Scope} the tensor was created in, or as a last
 * resort when it becomes unreachable.
 *
 * <p>Tensors take part in autograd: a tensor with {@link #requiresGrad()} records the ops
 * applied to it, and {@link #backward()} fills {@link #grad()} of every leaf that requires
 * a gradient. Not thread-safe for concurrent mutation; read-only use from many threads is fine.
 * Closing a tensor while another thread computes with it is safe: an op already running keeps
 * the memory until it finishes, and an op starting after the close fails with an
 * {@link IllegalStateException}; neither reads freed memory.
 *
 * <p>A tensor never closed is freed when it becomes unreachable, counted in {@link #leakedCount()}
 * and reported once on the {@code dev.kiln} {@link System.Logger}; run with
 * {@code -Dkiln.debug.leaks=true} to log where each leaking tensor was created.
 */
public final class Tensor implements AutoCloseable {
    private final SharedStorage shared;
    private final int[] shape;
    private final DType dtype;
    private boolean requiresGrad;
    private Node gradFn;
    private Tensor grad;
    /** Volatile: another thread's close must be seen by the next op's {@link #pin}. */
    private volatile boolean closed;
    private final Releaser releaser;
    private final Cleaner.Cleanable cleanable;

    private static final Cleaner CLEANER = Cleaner.create();

    static {
        TensorAccess.register(new Secrets());
    }

    /** Releases the storage once, whether by close() or, as a safety net, after the tensor became unreachable. */
    private static final class Releaser implements Runnable {
        private final SharedStorage shared;
        private final int[] shape;
        private final Throwable site;
        volatile boolean explicit;

        Releaser(SharedStorage shared, int[] shape) {
            this.shared = shared;
            this.shape = shape;
            this.site = Leaks.site();
        }

        @Override
        public void run() {
            shared.release();
            if (!explicit) Leaks.freedByCleaner(shape, site);
        }
    }

    /** The internals ops need, handed to {@link TensorAccess} instead of being public members. */
    private static final class Secrets implements TensorAccess.Secrets {
        @Override
        public Storage storage(Tensor t) {
            return t.storage();
        }

        @Override
        public Pin pin(String op, Tensor t) {
            return t.pin(op);
        }

        @Override
        public Tensor wrap(Storage storage, int[] shape) {
            return Tensor.wrap(storage, shape);
        }

        @Override
        public void setGradFn(Tensor t, Node node) {
            t.setGradFn(node);
        }
    }

    /**
     * How many tensors were freed by the garbage-collection safety net rather than by close()
     * or a scope since start-up: a leak metric; tests expect it to stay 0.
     *
     * @return the count since start-up
     */
    public static long leakedCount() {
        return Leaks.count();
    }

    private Tensor(SharedStorage shared, int[] shape, DType dtype, boolean register) {
        this.shared = shared;
        this.releaser = new Releaser(shared, shape);
        this.cleanable = CLEANER.register(this, releaser);
        this.shape = shape;
        this.dtype = dtype;
        if (register) {
            Scope scope = Scope.current();
            if (scope != null) scope.register(this);
        }
    }

    // ---------------------------------------------------------------- creation

    /** Wraps a freshly allocated storage, taking ownership; registered with the current scope. */
    private static Tensor wrap(Storage storage, int... shape) {
        int[] s = Shape.checked("wrap", shape);
        if (Shape.numel(s) != storage.numel()) {
            throw new IllegalArgumentException("wrap: shape " + Shape.str(s) + " has " + Shape.numel(s)
                    + " elements but the storage holds " + storage.numel());
        }
        return new Tensor(new SharedStorage(storage), s, storage.dtype(), true);
    }

    /** Uninitialised tensor on {@code backend}. */
    private static Tensor empty(Backend backend, DType dtype, int... shape) {
        int[] s = Shape.checked("empty", shape);
        return wrap(backend.allocate(dtype, Shape.numel(s)), s);
    }

    /** Zeros on the default device. */
    public static Tensor zeros(int... shape) {
        return full(0f, shape);
    }

    /** Ones on the default device. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** Every element set to {@code value}, on the default device. */
    public static Tensor full(float value, int... shape) {
        return full(Kiln.backend(), value, shape);
    }

    /** Every element set to {@code value}, on {@code backend}'s device. */
    public static Tensor full(Backend backend, float value, int... shape) {
        Tensor t = empty(backend, DType.FLOAT32, shape);
        backend.fill(t.storage(), value);
        return t;
    }

    /** Copies {@code data} into a new tensor of the given shape on the default device. */
    public static Tensor fromArray(float[] data, int... shape) {
        return fromArray(Kiln.backend(), data, shape);
    }

    /**
     * Copies {@code data} into a new tensor on {@code backend}.
     *
     * @throws IllegalArgumentException if {@code data.length} is not the shape's element count
     */
    public static Tensor fromArray(Backend backend, float[] data, int... shape) {
        int[] s = Shape.checked("fromArray", shape);
        if (Shape.numel(s) != data.length) {
            throw new IllegalArgumentException("fromArray: shape " + Shape.str(s) + " needs " + Shape.numel(s)
                    + " elements, got " + data.length);
        }
        Tensor t = empty(backend, DType.FLOAT32, s);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) data.length * 4, 64);
            MemorySegment.copy(data, 0, host, ValueLayout.JAVA_FLOAT, 0, data.length);
            backend.copyFromHost(host, t.storage());
        }
        return t;
    }

    /** INT32 tensor (class labels, indices) on the default device. */
    public static Tensor fromInts(int[] data, int... shape) {
        return fromInts(Kiln.backend(), data, shape);
    }

    /** INT32 tensor on {@code backend}. */
    public static Tensor fromInts(Backend backend, int[] data, int... shape) {
        int[] s = Shape.checked("fromInts", shape);
        if (Shape.numel(s) != data.length) {
            throw new IllegalArgumentException("fromInts: shape " + Shape.str(s) + " needs " + Shape.numel(s)
                    + " elements, got " + data.length);
        }
        Tensor t = empty(backend, DType.INT32, s);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) data.length * 4, 64);
            MemorySegment.copy(data, 0, host, ValueLayout.JAVA_INT, 0, data.length);
            backend.copyFromHost(host, t.storage());
        }
        return t;
    }

    /** A scalar (shape {@code []}). */
    public static Tensor scalar(float value) {
        return full(value);
    }

    /** {@code [0, 1, ..., n-1]} as floats. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** {@code start, start+step, ...} strictly below {@code end} (above, for a negative step). */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || !Float.isFinite(step)) throw new IllegalArgumentException("arange: step must be finite and non-zero, got " + step);
        long count = (long) Math.max(0, Math.ceil((end - start) / (double) step));
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + count + " elements is too many");
        float[] d = new float[(int) count];
        for (int i = 0; i < d.length; i++) d[i] = (float) (start + (double) i * step);
        return fromArray(d, d.length);
    }

    /**
     * Uniform samples in [0, 1) from {@code generator}, on the default device; for a fixed seed pass
     * {@code new Generator(seed)} (there is deliberately no {@code long seed} overload, which
     * {@code rand(3, 4)} would silently pick).
     *
     * @param generator the random stream (advanced by the number of elements)
     * @param shape     the dimensions
     * @return a new tensor of that shape
     */
    public static Tensor rand(Generator generator, int... shape) {
        float[] d = new float[Math.toIntExact(Shape.numel(Shape.checked("rand", shape)))];
        generator.fillUniform(d, 0f, 1f);
        return fromArray(d, shape);
    }

    /**
     * Uniform samples in [0, 1) of this shape from the default generator ({@link Kiln#generator()},
     * reseeded by {@link Kiln#manualSeed}), on the default device: {@code rand(3, 4)} is 3x4.
     *
     * @param shape the dimensions
     * @return a new tensor of that shape
     */
    public static Tensor rand(int... shape) {
        Generator g = Kiln.generator();
        synchronized (g) {
            return rand(g, shape);
        }
    }

    /**
     * Standard normal samples from {@code generator}, on the default device; for a fixed seed pass
     * {@code new Generator(seed)}.
     *
     * @param generator the random stream (advanced by the number of elements, rounded up to even)
     * @param shape     the dimensions
     * @return a new tensor of that shape
     */
    public static Tensor randn(Generator generator, int... shape) {
        float[] d = new float[Math.toIntExact(Shape.numel(Shape.checked("randn", shape)))];
        generator.fillNormal(d, 0f, 1f);
        return fromArray(d, shape);
    }

    /**
     * Standard normal samples of this shape from the default generator ({@link Kiln#generator()}),
     * on the default device: {@code randn(3, 4)} is 3x4.
     *
     * @param shape the dimensions
     * @return a new tensor of that shape
     */
    public static Tensor randn(int... shape) {
        Generator g = Kiln.generator();
        synchronized (g) {
            return randn(g, shape);
        }
    }

    // ---------------------------------------------------------------- properties

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d} (negative counts from the end). */
    public int size(int d) {
        return shape[Shape.axis("size", d, shape.length)];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long numel() {
        return Shape.numel(shape);
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The backend holding this tensor's storage. */
    public Backend backend() {
        return storage().backend();
    }

    /** The device holding this tensor's storage. */
    public Device device() {
        return backend().device();
    }

    /** The backing storage, unpinned: only for tensors no other thread can close. */
    private Storage storage() {
        if (closed) throw new IllegalStateException("tensor " + Shape.str(shape) + " was closed");
        return shared.storage();
    }

    /**
     * Holds the storage for one op (see {@link TensorAccess#pin}): a concurrent close then frees it
     * only when the pin is closed. Fails when this tensor was closed, even if a view still holds the
     * memory: the tensor is no longer the caller's to use.
     */
    private Pin pin(String op) {
        Pin p = closed ? null : shared.tryPin();
        if (p == null) throw new IllegalStateException(op + ": input tensor was closed (shape " + Shape.str(shape) + ")");
        return p;
    }

    /** A new holder of this storage for a view: a pin whose hold passes to the view (its releaser releases it once). */
    private SharedStorage retained(String op) {
        pin(op);
        return shared;
    }

    /** True once {@link #close()} ran (directly or through a scope). */
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- host access

    /** Copies the elements to a Java array (synchronises with the device). */
    public float[] toFloatArray() {
        requireDType("toFloatArray", DType.FLOAT32);
        float[] out = new float[Math.toIntExact(numel())];
        try (Pin p = pin("toFloatArray"); Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) out.length * 4, 64);
            p.storage().backend().copyToHost(p.storage(), host);
            MemorySegment.copy(host, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        }
        return out;
    }

    /** Copies INT32 elements to a Java array. */
    public int[] toIntArray() {
        requireDType("toIntArray", DType.INT32);
        int[] out = new int[Math.toIntExact(numel())];
        try (Pin p = pin("toIntArray"); Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) out.length * 4, 64);
            p.storage().backend().copyToHost(p.storage(), host);
            MemorySegment.copy(host, ValueLayout.JAVA_INT, 0, out, 0, out.length);
        }
        return out;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, expected 1");
        return dtype == DType.INT32 ? toIntArray()[0] : toFloatArray()[0];
    }

    private void requireDType(String op, DType expected) {
        if (dtype != expected) throw new IllegalStateException(op + ": tensor has dtype " + dtype + ", expected " + expected);
    }

    // ---------------------------------------------------------------- views and moves

    /**
     * The same storage seen with another shape (one dimension may be -1, inferred). The view
     * shares memory and gradient flow with this tensor.
     *
     * @throws IllegalArgumentException if the element counts differ
     */
    public Tensor reshape(int... newShape) {
        int[] s = inferShape(newShape);
        Tensor view = new Tensor(retained("reshape"), s, dtype, true);
        if (Autograd.needsGrad(this)) {
            int[] original = shape.clone();
            Autograd.record("reshape", view, new Tensor[] {this}, g -> new Tensor[] {g.reshape(original)});
        }
        return view;
    }

    /** Same as {@link #reshape}: every Kiln tensor is contiguous, so every reshape is a view. */
    public Tensor view(int... newShape) {
        return reshape(newShape);
    }

    /** Flattens dimensions {@code startDim..end} into one: [N, C, H, W].flatten(1) is [N, C*H*W]. */
    public Tensor flatten(int startDim) {
        int s = Shape.axis("flatten", startDim, Math.max(shape.length, 1));
        if (shape.length == 0) return reshape(1);
        int[] ns = new int[s + 1];
        System.arraycopy(shape, 0, ns, 0, s);
        long rest = 1;
        for (int i = s; i < shape.length; i++) rest *= shape[i];
        ns[s] = Math.toIntExact(rest);
        return reshape(ns);
    }

    /** Flattens to one dimension. */
    public Tensor flatten() {
        return flatten(0);
    }

    private int[] inferShape(int[] requested) {
        int[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: only one dimension can be -1, got " + Arrays.toString(requested));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + s[i] + " in " + Arrays.toString(requested));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException("reshape: shape " + Arrays.toString(requested) + " is invalid for input of shape "
                        + Shape.str(shape) + " (" + numel() + " elements)");
            }
            s[infer] = Math.toIntExact(numel() / known);
        } else if (known != numel()) {
            throw new IllegalArgumentException("reshape: shape " + Arrays.toString(requested) + " is invalid for input of shape "
                    + Shape.str(shape) + " (" + numel() + " elements)");
        }
        return s;
    }

    /**
     * A copy on {@code device} (this tensor itself when already there). Gradients flow back
     * across the move.
     */
    public Tensor to(Device device) {
        if (device.equals(device())) return this;
        return to(Kiln.backend(device));
    }

    /** A copy on {@code target}'s device (this tensor itself when already there). */
    public Tensor to(Backend target) {
        Backend source = backend();
        if (target == source) return this;
        Tensor out = empty(target, dtype, shape);
        try (Pin p = pin("to"); Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(p.storage().byteSize(), 64);
            source.copyToHost(p.storage(), host);
            target.copyFromHost(host, out.storage());
        }
        if (Autograd.needsGrad(this)) {
            Autograd.record("to", out, new Tensor[] {this}, g -> new Tensor[] {g.to(source)});
        }
        return out;
    }

    /** A device-local copy that does not share storage (and records gradient flow). */
    public Tensor copy() {
        Tensor out = empty(backend(), dtype, shape);
        try (Pin p = pin("copy")) {
            out.backend().copy(p.storage(), out.storage());
        }
        if (Autograd.needsGrad(this)) Autograd.record("copy", out, new Tensor[] {this}, g -> new Tensor[] {g});
        return out;
    }

    /** A view of the same storage cut off from the graph (never requires grad). */
    public Tensor detach() {
        return new Tensor(retained("detach"), shape.clone(), dtype, true);
    }

    // ---------------------------------------------------------------- autograd

    /** Whether gradients are computed for this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as a parameter whose gradient {@link #backward()} computes (or not).
     *
     * @param on whether to compute its gradient
     * @return this tensor
     * @throws IllegalStateException if this tensor is not a leaf (the output of an op: use
     *                               {@link #detach()} for a tensor cut from the graph), or when
     *                               switching it on for a tensor that is not FLOAT32
     */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad(" + on + "): only leaf tensors can change requiresGrad; this one is the output of "
                    + gradFn.op() + (on ? " and already requires grad" : "; use detach() for a copy cut from the graph"));
        }
        if (on && dtype != DType.FLOAT32) throw new IllegalStateException("requiresGrad: only FLOAT32 tensors can require gradients, this is " + dtype);
        requiresGrad = on;
        return this;
    }

    /** The accumulated gradient of a leaf, or null before any backward pass. */
    public Tensor grad() {
        return grad;
    }

    /**
     * Replaces (and closes) the accumulated gradient; null clears it. For optimizers and gradient
     * clipping. The new gradient leaves every scope: this tensor owns (and closes) it.
     *
     * @param newGrad the gradient, of this tensor's shape, or null
     */
    public void setGrad(Tensor newGrad) {
        if (grad != null && grad != newGrad) grad.close();
        if (newGrad != null) newGrad.unscope();
        grad = newGrad;
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        setGrad(null);
    }

    /** The node that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** True for tensors not produced by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** For {@link Autograd}, through {@link TensorAccess}: marks this tensor as the output of {@code node}. */
    private void setGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = node != null;
    }

    /**
     * Backpropagates from this scalar: accumulates d(this)/d(leaf) into {@link #grad()} of every
     * leaf that requires a gradient. Then frees the graph: a second backward through it fails
     * (sum the losses and call backward once instead, or run the forward pass again).
     *
     * @throws IllegalStateException if this tensor does not require grad or is not a scalar, if
     *                               an earlier backward already freed the graph, or if a tensor
     *                               of the graph was closed (by its scope, say)
     */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: grad can be implicitly created only for scalar outputs, got shape " + Shape.str(shape));
        }
        Autograd.backward(this, null);
    }

    /**
     * Backpropagates with an explicit output gradient of this tensor's shape; frees the graph as
     * {@link #backward()} does.
     *
     * @param gradOutput d(loss)/d(this), of this tensor's shape
     * @throws IllegalArgumentException if the shapes differ
     * @throws IllegalStateException    as {@link #backward()}
     */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput);
    }

    // ---------------------------------------------------------------- ops (see Functional for the contracts)

    /** {@code this + other}, broadcasting. */
    public Tensor add(Tensor other) { return Functional.add(this, other); }
    /** {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) { return Functional.sub(this, other); }
    /** {@code this * other}, broadcasting. */
    public Tensor mul(Tensor other) { return Functional.mul(this, other); }
    /** {@code this / other}, broadcasting. */
    public Tensor div(Tensor other) { return Functional.div(this, other); }
    /** {@code this + s}. */
    public Tensor add(float s) { return Functional.add(this, s); }
    /** {@code this - s}. */
    public Tensor sub(float s) { return Functional.add(this, -s); }
    /** {@code this * s}. */
    public Tensor mul(float s) { return Functional.mul(this, s); }
    /** {@code this / s}. */
    public Tensor div(float s) { return Functional.mul(this, 1f / s); }
    /** {@code this ^ s}. */
    public Tensor pow(float s) { return Functional.pow(this, s); }
    /** {@code -this}. */
    public Tensor neg() { return Functional.neg(this); }
    /** {@code max(this, 0)}. */
    public Tensor relu() { return Functional.relu(this); }
    /** {@code this > 0 ? this : negativeSlope * this}. */
    public Tensor leakyRelu(float negativeSlope) { return Functional.leakyRelu(this, negativeSlope); }
    /** {@code 1 / (1 + exp(-this))}. */
    public Tensor sigmoid() { return Functional.sigmoid(this); }
    /** Hyperbolic tangent. */
    public Tensor tanh() { return Functional.tanh(this); }
    /** Exact GELU {@code this * Phi(this)}. */
    public Tensor gelu() { return Functional.gelu(this); }
    /** {@code e ^ this}. */
    public Tensor exp() { return Functional.exp(this); }
    /** Natural logarithm. */
    public Tensor log() { return Functional.log(this); }
    /** Square root. */
    public Tensor sqrt() { return Functional.sqrt(this); }
    /** Absolute value. */
    public Tensor abs() { return Functional.abs(this); }
    /** Sum of all elements (shape []). */
    public Tensor sum() { return Functional.sum(this); }
    /** Sum over axes. */
    public Tensor sum(boolean keepDim, int... axes) { return Functional.sum(this, keepDim, axes); }
    /** Mean of all elements (shape []). */
    public Tensor mean() { return Functional.mean(this); }
    /** Mean over axes. */
    public Tensor mean(boolean keepDim, int... axes) { return Functional.mean(this, keepDim, axes); }
    /** Row-wise argmax of a [N, C] tensor (INT32 [N]). */
    public Tensor argmax() { return Functional.argmax(this); }
    /** The dimensions reordered: output dimension i is input dimension {@code perm[i]} (a copy). */
    public Tensor permute(int... perm) { return Functional.permute(this, perm); }
    /** Dimensions {@code dim0} and {@code dim1} swapped (a copy). */
    public Tensor transpose(int dim0, int dim1) { return Functional.transpose(this, dim0, dim1); }
    /** Matrix product (batched over leading dimensions; see {@link Functional#matmul}). */
    public Tensor matmul(Tensor other) { return Functional.matmul(this, other); }
    /** Softmax along {@code dim}. */
    public Tensor softmax(int dim) { return Functional.softmax(this, dim); }
    /** Log of the softmax along {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) { return Functional.logSoftmax(this, dim); }

    // ---------------------------------------------------------------- lifetime

    /**
     * Keeps this tensor alive past the current scope: it moves to the enclosing scope, or
     * becomes the caller's to close when there is none.
     */
    public Tensor keep() {
        Scope scope = Scope.current();
        if (scope != null) scope.release(this);
        return this;
    }

    /** Takes the tensor out of every scope (the caller, or an owning object, closes it). */
    public Tensor unscope() {
        Scope.forget(this);
        return this;
    }

    /** Frees this tensor's hold on its storage (and its gradient). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        releaser.explicit = true;
        cleanable.clean();
        if (grad != null) {
            grad.close();
            grad = null;
        }
        gradFn = null;
    }

    /** Shape, dtype, device, autograd state and, up to 16 elements, the values (copied from the device). */
    @Override
    public String toString() {
        if (closed) return "Tensor(closed, shape=" + Shape.str(shape) + ")";
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shape.str(shape)).append(", ").append(dtype)
                .append(", ").append(device());
        if (requiresGrad) sb.append(", requiresGrad");
        if (gradFn != null) sb.append(", gradFn=").append(gradFn);
        if (numel() <= 16) {
            sb.append(", ").append(dtype == DType.INT32 ? Arrays.toString(toIntArray()) : Arrays.toString(toFloatArray()));
        }
        return sb.append(')').toString();
    }
}
