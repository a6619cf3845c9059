package dev.kiln.tensor;

import dev.kiln.Kiln;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.Node;
import dev.kiln.internal.Pin;
import dev.kiln.internal.TensorAccess;
import dev.kiln.ops.Functional;
import dev.kiln.ops.GeluApproximation;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An n-dimensional array of {@link DType#FLOAT32} (or INT32/INT64 indices, BOOL masks) on one device, row-major
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
 *
 * <p>Every method that reads a tensor's data, and every op taking it as input, throws an
 * {@link IllegalStateException} naming the op once that tensor was closed; the method
 * comments below do not repeat it. Ops are the methods of {@link Functional}; the instance
 * methods here ({@code a.add(b)}) delegate to them, with the same shapes and checks.
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

    /**
     * Zeros on the default device, as PyTorch's {@code torch.zeros}.
     *
     * @param shape the dimensions; none gives a scalar (shape {@code []})
     * @return a new FLOAT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor zeros(int... shape) {
        return full(0f, shape);
    }

    /**
     * Ones on the default device, as PyTorch's {@code torch.ones}.
     *
     * @param shape the dimensions; none gives a scalar (shape {@code []})
     * @return a new FLOAT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /**
     * Every element set to {@code value}, on the default device, as {@code torch.full}.
     *
     * @param value the value of every element
     * @param shape the dimensions; none gives a scalar (shape {@code []})
     * @return a new FLOAT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor full(float value, int... shape) {
        return full(Kiln.backend(), value, shape);
    }

    /**
     * Every element set to {@code value}, on {@code backend}'s device.
     *
     * @param backend the backend that allocates and fills the storage
     * @param value   the value of every element
     * @param shape   the dimensions; none gives a scalar (shape {@code []})
     * @return a new FLOAT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor full(Backend backend, float value, int... shape) {
        Tensor t = empty(backend, DType.FLOAT32, shape);
        backend.fill(t.storage(), value);
        return t;
    }

    /**
     * Copies {@code data} (row-major) into a new tensor of the given shape on the default
     * device; later changes to the array do not affect the tensor.
     *
     * @param data  the elements, row-major
     * @param shape the dimensions, whose product is {@code data.length}
     * @return a new FLOAT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
     */
    public static Tensor fromArray(float[] data, int... shape) {
        return fromArray(Kiln.backend(), data, shape);
    }

    /**
     * Copies {@code data} (row-major) into a new tensor of the given shape on {@code backend}'s
     * device.
     *
     * @param backend the backend that allocates the storage
     * @param data    the elements, row-major
     * @param shape   the dimensions, whose product is {@code data.length}
     * @return a new FLOAT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
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

    /**
     * Copies {@code data} (row-major) into a new INT32 tensor (class labels, indices) on the
     * default device.
     *
     * @param data  the elements, row-major
     * @param shape the dimensions, whose product is {@code data.length}
     * @return a new INT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
     */
    public static Tensor fromInts(int[] data, int... shape) {
        return fromInts(Kiln.backend(), data, shape);
    }

    /**
     * Copies {@code data} (row-major) into a new INT32 tensor on {@code backend}'s device.
     *
     * @param backend the backend that allocates the storage
     * @param data    the elements, row-major
     * @param shape   the dimensions, whose product is {@code data.length}
     * @return a new INT32 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
     */
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

    /**
     * Copies {@code data} (row-major) into a new INT64 tensor (PyTorch's index type) on the
     * default device.
     *
     * @param data  the elements, row-major
     * @param shape the dimensions, whose product is {@code data.length}
     * @return a new INT64 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
     */
    public static Tensor fromLongs(long[] data, int... shape) {
        return fromLongs(Kiln.backend(), data, shape);
    }

    /**
     * Copies {@code data} (row-major) into a new INT64 tensor on {@code backend}'s device.
     *
     * @param backend the backend that allocates the storage
     * @param data    the elements, row-major
     * @param shape   the dimensions, whose product is {@code data.length}
     * @return a new INT64 tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
     */
    public static Tensor fromLongs(Backend backend, long[] data, int... shape) {
        Tensor t = emptyFor(backend, DType.INT64, "fromLongs", data.length, shape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) data.length * 8, 64);
            MemorySegment.copy(data, 0, host, ValueLayout.JAVA_LONG, 0, data.length);
            backend.copyFromHost(host, t.storage());
        }
        return t;
    }

    /**
     * Copies {@code data} (row-major) into a new BOOL tensor (a mask) on the default device.
     *
     * @param data  the elements, row-major
     * @param shape the dimensions, whose product is {@code data.length}
     * @return a new BOOL tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
     */
    public static Tensor fromBooleans(boolean[] data, int... shape) {
        return fromBooleans(Kiln.backend(), data, shape);
    }

    /**
     * Copies {@code data} (row-major) into a new BOOL tensor on {@code backend}'s device, one
     * byte per element (1 for true, 0 for false).
     *
     * @param backend the backend that allocates the storage
     * @param data    the elements, row-major
     * @param shape   the dimensions, whose product is {@code data.length}
     * @return a new BOOL tensor of that shape, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code data.length} is not
     *                                  the shape's element count
     */
    public static Tensor fromBooleans(Backend backend, boolean[] data, int... shape) {
        Tensor t = emptyFor(backend, DType.BOOL, "fromBooleans", data.length, shape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(Math.max(1, data.length), 64);
            for (int i = 0; i < data.length; i++) host.set(ValueLayout.JAVA_BYTE, i, data[i] ? (byte) 1 : 0);
            backend.copyFromHost(host.asSlice(0, data.length), t.storage());
        }
        return t;
    }

    private static Tensor emptyFor(Backend backend, DType dtype, String op, int length, int[] shape) {
        int[] s = Shape.checked(op, shape);
        if (Shape.numel(s) != length) {
            throw new IllegalArgumentException(op + ": shape " + Shape.str(s) + " needs " + Shape.numel(s)
                    + " elements, got " + length);
        }
        return empty(backend, dtype, s);
    }

    /**
     * {@return a new FLOAT32 scalar (shape {@code []}, one element) on the default device}
     * As {@code torch.tensor(value)}.
     *
     * @param value its value
     */
    public static Tensor scalar(float value) {
        return full(value);
    }

    /**
     * {@return the FLOAT32 vector {@code [0, 1, ..., n-1]}, shape {@code [n]} ({@code [0]} when
     * {@code n <= 0}), on the default device} As {@code torch.arange(n)}, but always FLOAT32.
     *
     * @param n the end (exclusive)
     */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /**
     * {@code start, start+step, ...} strictly below {@code end} (strictly above, for a negative
     * step), on the default device, as {@code torch.arange(start, end, step)}: element {@code i}
     * is {@code start + i * step} computed in double precision, and the length is
     * {@code ceil((end - start) / step)}, or 0 when that is negative.
     *
     * @param start the first value
     * @param end   the bound (exclusive)
     * @param step  the increment, finite and non-zero
     * @return a new FLOAT32 vector of shape {@code [length]}
     * @throws IllegalArgumentException if {@code step} is zero or not finite, or the length
     *                                  exceeds {@link Integer#MAX_VALUE}
     */
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
     * @param shape     the dimensions; none gives a scalar
     * @return a new FLOAT32 tensor of that shape
     * @throws IllegalArgumentException if a dimension is negative
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
     * @param shape the dimensions; none gives a scalar
     * @return a new FLOAT32 tensor of that shape
     * @throws IllegalArgumentException if a dimension is negative
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
     * @param shape     the dimensions; none gives a scalar
     * @return a new FLOAT32 tensor of that shape
     * @throws IllegalArgumentException if a dimension is negative
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
     * @param shape the dimensions; none gives a scalar
     * @return a new FLOAT32 tensor of that shape
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor randn(int... shape) {
        Generator g = Kiln.generator();
        synchronized (g) {
            return randn(g, shape);
        }
    }

    // ---------------------------------------------------------------- properties

    /** {@return the dimensions, outermost first (a copy: changing it does not change the tensor)} */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * {@return the size of dimension {@code d}} As {@code torch.Tensor.size(d)}.
     *
     * @param d the dimension, {@code -rank()} to {@code rank()-1} (negative counts from the end)
     * @throws IllegalArgumentException if {@code d} is out of range (always, for a scalar)
     */
    public int size(int d) {
        return shape[Shape.axis("size", d, shape.length)];
    }

    /** {@return the number of dimensions: 0 for a scalar, 4 for an {@code [N, C, H, W]} batch} */
    public int rank() {
        return shape.length;
    }

    /** {@return the number of elements: the product of the dimensions (1 for a scalar)} */
    public long numel() {
        return Shape.numel(shape);
    }

    /** {@return the element type: {@link DType#FLOAT32}, {@link DType#INT32}, {@link DType#INT64} or {@link DType#BOOL}} */
    public DType dtype() {
        return dtype;
    }

    /** {@return the backend holding this tensor's storage} */
    public Backend backend() {
        return storage().backend();
    }

    /** {@return the device holding this tensor's storage, such as {@code cpu} or {@code cuda:0}} */
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

    /** {@return true once {@link #close()} ran (directly or through a scope); never throws} */
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- host access

    /**
     * Copies the elements to a new Java array, row-major (waits for pending device work).
     *
     * @return the {@link #numel()} elements
     * @throws IllegalStateException if the dtype is not FLOAT32
     * @throws ArithmeticException   if there are more than {@link Integer#MAX_VALUE} elements
     */
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

    /**
     * Copies INT32 elements to a new Java array, row-major (waits for pending device work).
     *
     * @return the {@link #numel()} elements
     * @throws IllegalStateException if the dtype is not INT32
     * @throws ArithmeticException   if there are more than {@link Integer#MAX_VALUE} elements
     */
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

    /**
     * Copies INT64 elements to a new Java array, row-major (waits for pending device work).
     *
     * @return the {@link #numel()} elements
     * @throws IllegalStateException if the dtype is not INT64
     * @throws ArithmeticException   if there are more than {@link Integer#MAX_VALUE} elements
     */
    public long[] toLongArray() {
        requireDType("toLongArray", DType.INT64);
        long[] out = new long[Math.toIntExact(numel())];
        try (Pin p = pin("toLongArray"); Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) out.length * 8, 64);
            p.storage().backend().copyToHost(p.storage(), host);
            MemorySegment.copy(host, ValueLayout.JAVA_LONG, 0, out, 0, out.length);
        }
        return out;
    }

    /**
     * Copies BOOL elements to a new Java array, row-major (waits for pending device work); any
     * non-zero byte reads as true.
     *
     * @return the {@link #numel()} elements
     * @throws IllegalStateException if the dtype is not BOOL
     * @throws ArithmeticException   if there are more than {@link Integer#MAX_VALUE} elements
     */
    public boolean[] toBooleanArray() {
        requireDType("toBooleanArray", DType.BOOL);
        boolean[] out = new boolean[Math.toIntExact(numel())];
        try (Pin p = pin("toBooleanArray"); Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(Math.max(1, out.length), 64).asSlice(0, out.length);
            p.storage().backend().copyToHost(p.storage(), host);
            for (int i = 0; i < out.length; i++) out[i] = host.get(ValueLayout.JAVA_BYTE, i) != 0;
        }
        return out;
    }

    /**
     * {@return the value of a one-element tensor of any shape (an integer value converted to float,
     * a boolean as 1 or 0)}
     * As PyTorch's {@code item()}; copies from the device.
     *
     * @throws IllegalStateException if the tensor does not have exactly one element
     */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, expected 1");
        return switch (dtype) {
            case INT32 -> toIntArray()[0];
            case INT64 -> toLongArray()[0];
            case BOOL -> toBooleanArray()[0] ? 1f : 0f;
            case FLOAT32 -> toFloatArray()[0];
        };
    }

    private void requireDType(String op, DType expected) {
        if (dtype != expected) throw new IllegalStateException(op + ": tensor has dtype " + dtype + ", expected " + expected);
    }

    // ---------------------------------------------------------------- views and moves

    /**
     * The same storage seen with another shape, as {@code torch.reshape}: {@code [N, 784]}
     * reshaped to {@code (-1, 1, 28, 28)} is {@code [N, 1, 28, 28]}. The view shares memory
     * with this tensor (each must still be closed) and gradients flow back through it.
     *
     * @param newShape the dimensions, with the same element count; at most one may be -1,
     *                 inferred from the others
     * @return a new tensor viewing this storage, registered with the current scope
     * @throws IllegalArgumentException if the element counts differ, a dimension is below -1,
     *                                  or more than one is -1
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

    /**
     * Same as {@link #reshape}: every Kiln tensor is contiguous, so every reshape is a view
     * (unlike PyTorch's {@code view}, it never fails for lack of contiguity).
     *
     * @param newShape the dimensions, as for {@link #reshape}
     * @return a new tensor viewing this storage
     * @throws IllegalArgumentException as {@link #reshape}
     */
    public Tensor view(int... newShape) {
        return reshape(newShape);
    }

    /**
     * Flattens dimensions {@code startDim} to the last into one, as
     * {@code torch.flatten(x, startDim)}: {@code [N, C, H, W]} flattened from 1 is
     * {@code [N, C*H*W]}. A scalar becomes {@code [1]}. A view, as {@link #reshape}.
     *
     * @param startDim the first dimension to merge (negative counts from the end)
     * @return a view of rank {@code startDim + 1}
     * @throws IllegalArgumentException if {@code startDim} is out of range
     */
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

    /** {@return a view of shape {@code [numel()]}: {@link #flatten(int) flatten(0)}} */
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
     * A copy on {@code device}, as PyTorch's {@code to(device)}: same shape and dtype; gradients
     * flow back across the move. When the tensor is already there it is returned itself (not a
     * copy), so close the result only if it differs from this tensor.
     *
     * @param device the target device
     * @return a new tensor on {@code device}, registered with the current scope, or this tensor
     * @throws IllegalStateException if no available backend computes on {@code device}
     */
    public Tensor to(Device device) {
        if (device.equals(device())) return this;
        return to(Kiln.backend(device));
    }

    /**
     * A copy on {@code target}'s device through host memory; gradients flow back across the
     * move. When this tensor's backend is {@code target} it is returned itself (not a copy).
     *
     * @param target the backend to copy to
     * @return a new tensor of the same shape and dtype on {@code target}, or this tensor
     */
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

    /**
     * {@return a new tensor of the same shape, dtype and device with its own storage} As
     * {@code torch.clone}: gradients flow back to this tensor unchanged.
     */
    public Tensor copy() {
        Tensor out = empty(backend(), dtype, shape);
        try (Pin p = pin("copy")) {
            out.backend().copy(p.storage(), out.storage());
        }
        if (Autograd.needsGrad(this)) Autograd.record("copy", out, new Tensor[] {this}, g -> new Tensor[] {g});
        return out;
    }

    /**
     * {@return a view of the same storage and shape cut off from the graph} As
     * {@code torch.detach}: the view is a leaf that does not require grad; it must still be
     * closed (or scoped) like any tensor.
     */
    public Tensor detach() {
        return new Tensor(retained("detach"), shape.clone(), dtype, true);
    }

    // ---------------------------------------------------------------- autograd

    /**
     * {@return whether gradients are computed for this tensor: set by
     * {@link #requiresGrad(boolean)} on a leaf, true for an op's output that depends on one}
     */
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

    /**
     * {@return the accumulated gradient of a leaf, of this tensor's shape, or null before any
     * backward pass (and after {@link #zeroGrad()})} This tensor owns it: do not close it.
     */
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

    /**
     * Closes and clears the accumulated gradient, so {@link #grad()} is null until the next
     * backward pass (as PyTorch's {@code zero_grad(set_to_none=True)}).
     */
    public void zeroGrad() {
        setGrad(null);
    }

    /** {@return the graph node of the op that produced this tensor, or null for a leaf} */
    public Node gradFn() {
        return gradFn;
    }

    /** {@return true for a tensor not produced by a recorded op (created directly, or detached)} */
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

    /**
     * {@return {@code this + other}, shaped as the NumPy broadcast of both shapes} See
     * {@link Functional#add(Tensor, Tensor)}: {@code [N, C] + [C]} is {@code [N, C]}.
     *
     * @param other the second operand, FLOAT32 on the same device
     * @throws IllegalArgumentException if the shapes cannot be broadcast, a dtype is not FLOAT32,
     *                                  or the devices differ
     */
    public Tensor add(Tensor other) { return Functional.add(this, other); }
    /**
     * {@return {@code this - other}, shaped as the broadcast of both shapes}
     *
     * @param other the subtrahend, FLOAT32 on the same device
     * @throws IllegalArgumentException as {@link #add(Tensor)}
     */
    public Tensor sub(Tensor other) { return Functional.sub(this, other); }
    /**
     * {@return {@code this * other} elementwise, shaped as the broadcast of both shapes}
     *
     * @param other the second factor, FLOAT32 on the same device
     * @throws IllegalArgumentException as {@link #add(Tensor)}
     */
    public Tensor mul(Tensor other) { return Functional.mul(this, other); }
    /**
     * {@return {@code this / other} elementwise, shaped as the broadcast of both shapes} Division
     * by zero follows IEEE 754 (an infinity or NaN, no exception).
     *
     * @param other the divisor, FLOAT32 on the same device
     * @throws IllegalArgumentException as {@link #add(Tensor)}
     */
    public Tensor div(Tensor other) { return Functional.div(this, other); }
    /**
     * {@return {@code this + s}, shaped as this tensor}
     *
     * @param s the scalar added to every element
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor add(float s) { return Functional.add(this, s); }
    /**
     * {@return {@code this - s}, shaped as this tensor}
     *
     * @param s the scalar subtracted from every element
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor sub(float s) { return Functional.add(this, -s); }
    /**
     * {@return {@code this * s}, shaped as this tensor}
     *
     * @param s the factor
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor mul(float s) { return Functional.mul(this, s); }
    /**
     * {@return {@code this / s}, shaped as this tensor} Computed as {@code this * (1 / s)}, so
     * it may differ from true division in the last bit; {@code s = 0} gives infinities (NaN for
     * zero elements).
     *
     * @param s the divisor
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor div(float s) { return Functional.mul(this, 1f / s); }
    /**
     * {@return {@code this} to the power {@code s} elementwise, shaped as this tensor} As
     * {@code torch.pow}; the gradient is {@code s * this^(s-1)}.
     *
     * @param s the exponent
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor pow(float s) { return Functional.pow(this, s); }
    /**
     * {@return {@code -this}, shaped as this tensor}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor neg() { return Functional.neg(this); }
    /**
     * {@return {@code max(this, 0)} elementwise, shaped as this tensor}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor relu() { return Functional.relu(this); }
    /**
     * {@return leaky ReLU, {@code this > 0 ? this : negativeSlope * this}, shaped as this tensor}
     *
     * @param negativeSlope the slope for negative inputs (PyTorch's default is 0.01)
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor leakyRelu(float negativeSlope) { return Functional.leakyRelu(this, negativeSlope); }
    /**
     * {@return the logistic sigmoid {@code 1 / (1 + exp(-this))}, shaped as this tensor, values
     * in [0, 1]}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor sigmoid() { return Functional.sigmoid(this); }
    /**
     * {@return the hyperbolic tangent, shaped as this tensor, values in [-1, 1]}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor tanh() { return Functional.tanh(this); }
    /**
     * {@return exact GELU, {@code this * Phi(this)} with Phi the standard normal CDF, shaped as
     * this tensor} PyTorch's default {@code approximate='none'}, not the tanh approximation.
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor gelu() { return Functional.gelu(this); }
    /**
     * GELU in the form {@code approximate} selects ({@link GeluApproximation#TANH} is GPT-2's
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}). See
     * {@link Functional#gelu(Tensor, GeluApproximation)}.
     *
     * @param approximate the form to compute
     * @return a tensor shaped as this tensor
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     * @throws NullPointerException     if {@code approximate} is null
     */
    public Tensor gelu(GeluApproximation approximate) { return Functional.gelu(this, approximate); }
    /**
     * {@return SiLU (swish), {@code this * sigmoid(this)}, shaped as this tensor}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor silu() { return Functional.silu(this); }
    /**
     * {@return the sine (radians), shaped as this tensor}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor sin() { return Functional.sin(this); }
    /**
     * {@return the cosine (radians), shaped as this tensor}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor cos() { return Functional.cos(this); }
    /**
     * {@return {@code 1 / sqrt(this)}, shaped as this tensor (NaN below 0, positive infinity at 0)}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor rsqrt() { return Functional.rsqrt(this); }
    /**
     * Clamps into {@code [min, max]} as {@code torch.clamp}; see {@link Functional#clamp(Tensor, float, float)}.
     *
     * @param min the lower bound
     * @param max the upper bound
     * @return a tensor shaped as this tensor
     * @throws IllegalArgumentException if a bound is NaN or the dtype is not FLOAT32
     */
    public Tensor clamp(float min, float max) { return Functional.clamp(this, min, max); }
    /**
     * Clamps from below only, {@code torch.clamp(x, min=min)}; see {@link Functional#clampMin(Tensor, float)}.
     *
     * @param min the lower bound
     * @return a tensor shaped as this tensor
     * @throws IllegalArgumentException if {@code min} is NaN or the dtype is not FLOAT32
     */
    public Tensor clampMin(float min) { return Functional.clampMin(this, min); }
    /**
     * Clamps from above only, {@code torch.clamp(x, max=max)}; see {@link Functional#clampMax(Tensor, float)}.
     *
     * @param max the upper bound
     * @return a tensor shaped as this tensor
     * @throws IllegalArgumentException if {@code max} is NaN or the dtype is not FLOAT32
     */
    public Tensor clampMax(float max) { return Functional.clampMax(this, max); }
    /**
     * {@return {@code e} to the power {@code this} elementwise, shaped as this tensor}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor exp() { return Functional.exp(this); }
    /**
     * {@return the natural logarithm, shaped as this tensor (NaN below 0, negative infinity at 0)}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor log() { return Functional.log(this); }
    /**
     * {@return the square root, shaped as this tensor (NaN below 0)}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor sqrt() { return Functional.sqrt(this); }
    /**
     * {@return the absolute value, shaped as this tensor}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor abs() { return Functional.abs(this); }
    /**
     * {@return the sum of all elements, a scalar (shape {@code []}; 0 for an empty tensor)}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor sum() { return Functional.sum(this); }
    /**
     * Sum over {@code axes}, as {@code torch.sum(x, dim=axes, keepdim=keepDim)}: {@code [N, C, H, W]}
     * summed over {@code 2, 3} is {@code [N, C]}, or {@code [N, C, 1, 1]} with {@code keepDim}.
     * See {@link Functional#sum(Tensor, boolean, int...)}.
     *
     * @param keepDim keep each reduced dimension as size 1 instead of removing it
     * @param axes    the dimensions to sum over (negative counts from the end); none means all
     * @return the sums
     * @throws IllegalArgumentException if an axis is out of range or repeated, or the dtype is not
     *                                  FLOAT32
     */
    public Tensor sum(boolean keepDim, int... axes) { return Functional.sum(this, keepDim, axes); }
    /**
     * {@return the mean of all elements, a scalar (shape {@code []}; NaN for an empty tensor)}
     *
     * @throws IllegalArgumentException if the dtype is not FLOAT32
     */
    public Tensor mean() { return Functional.mean(this); }
    /**
     * Mean over {@code axes}, as {@code torch.mean(x, dim=axes, keepdim=keepDim)}; shapes as
     * {@link #sum(boolean, int...)}.
     *
     * @param keepDim keep each reduced dimension as size 1 instead of removing it
     * @param axes    the dimensions to average over (negative counts from the end); none means all
     * @return the means
     * @throws IllegalArgumentException if an axis is out of range or repeated, or the dtype is not
     *                                  FLOAT32
     */
    public Tensor mean(boolean keepDim, int... axes) { return Functional.mean(this, keepDim, axes); }
    /**
     * Variance along {@code dim}, as {@code torch.var}; see {@link Functional#var(Tensor, int, int, boolean)}.
     *
     * @param dim        the dimension to reduce (negative counts from the end)
     * @param correction subtracted from the size of {@code dim} in the divisor (1: unbiased), {@code >= 0}
     * @param keepDim    keep {@code dim} as size 1 instead of removing it
     * @return the variances
     * @throws IllegalArgumentException if {@code dim} is out of range, {@code correction} is negative
     *                                  or the dtype is not FLOAT32
     */
    public Tensor var(int dim, int correction, boolean keepDim) { return Functional.var(this, dim, correction, keepDim); }
    /**
     * Standard deviation along {@code dim}, as {@code torch.std}; see {@link Functional#std(Tensor, int, int, boolean)}.
     *
     * @param dim        the dimension to reduce (negative counts from the end)
     * @param correction subtracted from the size of {@code dim} in the divisor (1: unbiased), {@code >= 0}
     * @param keepDim    keep {@code dim} as size 1 instead of removing it
     * @return the standard deviations
     * @throws IllegalArgumentException if {@code dim} is out of range, {@code correction} is negative
     *                                  or the dtype is not FLOAT32
     */
    public Tensor std(int dim, int correction, boolean keepDim) { return Functional.std(this, dim, correction, keepDim); }
    /**
     * {@return the index of each row's maximum of a {@code [N, C]} tensor, INT32 {@code [N]}} As
     * {@code torch.argmax(x, dim=1)}: the first index on ties; not differentiable. For example the
     * predicted class of each sample's logits. Unlike {@link #argmax(int, boolean)} (PyTorch's INT64
     * form along any dimension), this Kiln shorthand returns INT32, as the Trainer's accuracy expects.
     *
     * @throws IllegalArgumentException if this is not a 2-D FLOAT32 tensor or {@code C} is 0
     */
    public Tensor argmax() { return Functional.argmax(this); }
    /**
     * The dimensions reordered, as {@code torch.permute}: output dimension {@code i} is input
     * dimension {@code perm[i]}, so {@code [N, H, W, C]} permuted by {@code 0, 3, 1, 2} is
     * {@code [N, C, H, W]}. Unlike PyTorch the result is a contiguous copy (made on the
     * tensor's device), not a view. Any dtype.
     *
     * @param perm a permutation of {@code 0 .. rank()-1}
     * @return a new tensor of shape {@code [shape[perm[0]], shape[perm[1]], ...]}
     * @throws IllegalArgumentException if {@code perm} is not a permutation of the dimensions
     */
    public Tensor permute(int... perm) { return Functional.permute(this, perm); }
    /**
     * The two dimensions swapped, as {@code torch.transpose}: {@code [B, M, K]} transposed over
     * {@code 1, 2} (or {@code -2, -1}) is {@code [B, K, M]}. A copy, as {@link #permute}.
     *
     * @param dim0 one dimension (negative counts from the end)
     * @param dim1 the other dimension
     * @return a new tensor with those dimensions exchanged
     * @throws IllegalArgumentException if a dimension is out of range
     */
    public Tensor transpose(int dim0, int dim1) { return Functional.transpose(this, dim0, dim1); }
    /**
     * The slice {@code start .. start + length - 1} along {@code dim}, as {@code torch.narrow}; a
     * copy made on the tensor's device. See {@link Functional#narrow}.
     *
     * @param dim    the dimension (negative counts from the end)
     * @param start  the first index kept (negative counts from the end)
     * @param length how many indices are kept
     * @return a new tensor with {@code shape[dim] = length}
     * @throws IllegalArgumentException if the dimension, start or length is out of range
     */
    public Tensor narrow(int dim, int start, int length) { return Functional.narrow(this, dim, start, length); }
    /**
     * Index {@code index} of dimension {@code dim}, that dimension removed, as {@code torch.select};
     * a copy made on the tensor's device. See {@link Functional#select}.
     *
     * @param dim   the dimension (negative counts from the end)
     * @param index the index (negative counts from the end)
     * @return a new tensor of rank {@code rank() - 1}
     * @throws IllegalArgumentException if the dimension or index is out of range
     */
    public Tensor select(int dim, int index) { return Functional.select(this, dim, index); }
    /**
     * Every size-1 dimension removed, as {@code torch.squeeze}; a view.
     *
     * @return a view without size-1 dimensions
     */
    public Tensor squeeze() { return Functional.squeeze(this); }
    /**
     * Dimension {@code dim} removed if its size is 1, as {@code torch.squeeze(dim)}; a view.
     *
     * @param dim the dimension (negative counts from the end)
     * @return a view
     * @throws IllegalArgumentException if the dimension is out of range
     */
    public Tensor squeeze(int dim) { return Functional.squeeze(this, dim); }
    /**
     * A size-1 dimension inserted at {@code dim}, as {@code torch.unsqueeze}; a view.
     *
     * @param dim the position in the result, from {@code -(rank() + 1)} to {@code rank()}
     * @return a view of rank {@code rank() + 1}
     * @throws IllegalArgumentException if the dimension is out of range
     */
    public Tensor unsqueeze(int dim) { return Functional.unsqueeze(this, dim); }
    /**
     * Size-1 dimensions repeated to {@code sizes} ({@code -1} keeps a size), as {@code torch.expand};
     * a copy made on the tensor's device, not a view. See {@link Functional#expand}.
     *
     * @param sizes the target shape, at least {@code rank()} long
     * @return a new tensor of shape {@code sizes}
     * @throws IllegalArgumentException if a non-singleton dimension would change, or sizes is too short
     */
    public Tensor expand(int... sizes) { return Functional.expand(this, sizes); }
    /**
     * The tensors joined along {@code dim}, as {@code torch.cat}; see {@link Functional#cat}.
     *
     * @param dim the dimension to join along (negative counts from the end)
     * @param ts  the tensors, at least one
     * @return a new tensor
     * @throws IllegalArgumentException if the list is empty, or ranks, other sizes, dtypes or backends differ
     */
    public static Tensor cat(int dim, Tensor... ts) { return Functional.cat(dim, ts); }
    /**
     * The tensors stacked along a new dimension {@code dim}, as {@code torch.stack}; see {@link Functional#stack}.
     *
     * @param dim the new dimension's position
     * @param ts  the tensors, at least one, all of one shape
     * @return a new tensor of rank one more than the inputs'
     * @throws IllegalArgumentException if the list is empty, the shapes differ, or dim is out of range
     */
    public static Tensor stack(int dim, Tensor... ts) { return Functional.stack(dim, ts); }
    /**
     * Consecutive pieces of {@code splitSize} along {@code dim}, as {@code torch.split}; see {@link Functional#split}.
     *
     * @param splitSize the size of each piece (the last may be shorter)
     * @param dim       the dimension (negative counts from the end)
     * @return the pieces, in order
     * @throws IllegalArgumentException if splitSize or dim is out of range
     */
    public Tensor[] split(int splitSize, int dim) { return Functional.split(this, splitSize, dim); }
    /**
     * At most {@code chunks} equal pieces along {@code dim}, as {@code torch.chunk}; see {@link Functional#chunk}.
     *
     * @param chunks how many pieces at most (positive)
     * @param dim    the dimension (negative counts from the end)
     * @return the pieces, in order
     * @throws IllegalArgumentException if chunks is not positive or dim is out of range
     */
    public Tensor[] chunk(int chunks, int dim) { return Functional.chunk(this, chunks, dim); }
    /**
     * Matrix product, as {@code torch.matmul}: 1-D operands are promoted to a row or a column,
     * batch dimensions (all but the last two) broadcast, e.g. {@code [B, H, T, D] @ [B, H, D, T]}
     * is {@code [B, H, T, T]}. See {@link Functional#matmul}.
     *
     * @param other the right operand, at least 1-D, FLOAT32 on the same device
     * @return the product
     * @throws IllegalArgumentException on a 0-D operand, differing inner sizes or batch dimensions
     *                                  that do not broadcast
     */
    public Tensor matmul(Tensor other) { return Functional.matmul(this, other); }
    /**
     * {@return softmax along {@code dim}, shaped as this tensor: non-negative values summing to 1
     * along that dimension} As {@code torch.softmax(x, dim)}.
     *
     * @param dim the dimension to normalise (negative counts from the end)
     * @throws IllegalArgumentException if {@code dim} is out of range or the dtype is not FLOAT32
     */
    public Tensor softmax(int dim) { return Functional.softmax(this, dim); }
    /**
     * {@return the log of the softmax along {@code dim}, shaped as this tensor, values at most 0}
     * Computed stably (not as {@code log(softmax(x))}), as {@code torch.log_softmax(x, dim)}.
     *
     * @param dim the dimension to normalise (negative counts from the end)
     * @throws IllegalArgumentException if {@code dim} is out of range or the dtype is not FLOAT32
     */
    public Tensor logSoftmax(int dim) { return Functional.logSoftmax(this, dim); }

    // ---------------------------------------------------------------- lifetime

    /**
     * Keeps this tensor alive past the current scope: it moves to the enclosing scope, or
     * becomes the caller's to close when there is none. Typically the last call in a method
     * that computes a result inside its own scope.
     *
     * @return this tensor
     */
    public Tensor keep() {
        Scope scope = Scope.current();
        if (scope != null) scope.release(this);
        return this;
    }

    /**
     * Takes the tensor out of every open scope of this thread: the caller, or an owning object
     * such as a module's parameter, closes it.
     *
     * @return this tensor
     */
    public Tensor unscope() {
        Scope.forget(this);
        return this;
    }

    /**
     * Frees this tensor's hold on its storage, and closes its gradient. The memory itself is
     * freed once no view and no running op holds it. Idempotent; never throws.
     */
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

    /**
     * {@return shape, dtype, device, autograd state and, up to 16 elements, the values (copied
     * from the device), e.g. {@code Tensor(shape=[2], FLOAT32, cpu, [1.0, 2.0])}} A closed
     * tensor gives {@code Tensor(closed, shape=...)}.
     */
    @Override
    public String toString() {
        if (closed) return "Tensor(closed, shape=" + Shape.str(shape) + ")";
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shape.str(shape)).append(", ").append(dtype)
                .append(", ").append(device());
        if (requiresGrad) sb.append(", requiresGrad");
        if (gradFn != null) sb.append(", gradFn=").append(gradFn);
        if (numel() <= 16) {
            sb.append(", ").append(switch (dtype) {
                case INT32 -> Arrays.toString(toIntArray());
                case INT64 -> Arrays.toString(toLongArray());
                case BOOL -> Arrays.toString(toBooleanArray());
                case FLOAT32 -> Arrays.toString(toFloatArray());
            });
        }
        return sb.append(')').toString();
    }

    // ---- batched matmul and value/index reductions (issue 11) ----

    /**
     * Batched matrix product {@code [b, n, k] @ [b, k, m]}, as {@code torch.bmm}; see {@link Functional#bmm}.
     *
     * @param other the right operand {@code [b, k, m]}
     * @return the products {@code [b, n, m]}
     * @throws IllegalArgumentException if an operand is not 3-D or the sizes differ
     */
    public Tensor bmm(Tensor other) { return Functional.bmm(this, other); }
    /**
     * Maximum along {@code dim} with its INT64 index (first among equal maxima; NaN wins); see
     * {@link Functional#max(Tensor, int, boolean)}.
     *
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1
     * @return values and indices
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public ValuesAndIndices max(int dim, boolean keepDim) { return Functional.max(this, dim, keepDim); }
    /**
     * Minimum along {@code dim} with its INT64 index; see {@link Functional#min(Tensor, int, boolean)}.
     *
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1
     * @return values and indices
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public ValuesAndIndices min(int dim, boolean keepDim) { return Functional.min(this, dim, keepDim); }
    /**
     * {@return the largest element, a 0-D tensor; see {@link Functional#max(Tensor)}}
     *
     * @throws IllegalArgumentException if this tensor is empty
     */
    public Tensor max() { return Functional.max(this); }
    /**
     * {@return the smallest element, a 0-D tensor; see {@link Functional#min(Tensor)}}
     *
     * @throws IllegalArgumentException if this tensor is empty
     */
    public Tensor min() { return Functional.min(this); }
    /**
     * INT64 index of the maximum along {@code dim}, as {@code torch.argmax(x, dim, keepdim)}; see
     * {@link Functional#argmax(Tensor, int, boolean)}.
     *
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1
     * @return INT64 indices
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public Tensor argmax(int dim, boolean keepDim) { return Functional.argmax(this, dim, keepDim); }
    /**
     * INT64 index of the minimum along {@code dim}, as {@code torch.argmin(x, dim, keepdim)}.
     *
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1
     * @return INT64 indices
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public Tensor argmin(int dim, boolean keepDim) { return Functional.argmin(this, dim, keepDim); }
    /**
     * The {@code k} largest or smallest elements along {@code dim} with their INT64 indices; see
     * {@link Functional#topk}.
     *
     * @param k       how many, {@code 0 <= k <= size(dim)}
     * @param dim     the dimension (negative counts from the end)
     * @param largest the largest (true) or the smallest (false)
     * @param sorted  in order of value
     * @return values and indices, {@code dim} of size k
     * @throws IllegalArgumentException if {@code dim} or k is out of range
     */
    public ValuesAndIndices topk(int k, int dim, boolean largest, boolean sorted) { return Functional.topk(this, k, dim, largest, sorted); }
    /**
     * The {@code k} largest elements along the last dimension, sorted, as {@code torch.topk(x, k)}.
     *
     * @param k how many, {@code 0 <= k <= size(-1)}
     * @return values and indices
     * @throws IllegalArgumentException if k is out of range
     */
    public ValuesAndIndices topk(int k) { return Functional.topk(this, k, -1, true, true); }
    /**
     * {@code log(sum(exp(x), dim))}, computed stably; see {@link Functional#logsumexp}.
     *
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1
     * @return the reduced tensor
     * @throws IllegalArgumentException if {@code dim} is out of range
     */
    public Tensor logsumexp(int dim, boolean keepDim) { return Functional.logsumexp(this, dim, keepDim); }

    // ---- masks and dtypes (issue 11) ----

    /**
     * Zeros of {@code dtype} on the default device, as {@code torch.zeros(shape, dtype=...)}.
     *
     * @param dtype the element type
     * @param shape the dimensions; none gives a scalar (shape {@code []})
     * @return a new tensor of that shape and dtype, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor zeros(DType dtype, int... shape) {
        return full(Kiln.backend(), dtype, 0f, shape);
    }

    /**
     * Ones (true for BOOL) of {@code dtype} on the default device, as {@code torch.ones(shape, dtype=...)}:
     * {@code Tensor.ones(DType.BOOL, t, t).tril()} is a causal mask.
     *
     * @param dtype the element type
     * @param shape the dimensions; none gives a scalar (shape {@code []})
     * @return a new tensor of that shape and dtype, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor ones(DType dtype, int... shape) {
        return full(Kiln.backend(), dtype, 1f, shape);
    }

    /**
     * Every element set to {@code value} converted to {@code dtype}, on {@code backend}'s device, as
     * {@code torch.full(shape, value, dtype=...)}: truncated toward zero for INT32 and INT64 (exact
     * for integers up to 2^24 in magnitude, the float argument's precision), true when non-zero
     * for BOOL. Filled on the device.
     *
     * @param backend the backend that allocates and fills the storage
     * @param dtype   the element type
     * @param value   the value of every element
     * @param shape   the dimensions; none gives a scalar (shape {@code []})
     * @return a new tensor of that shape and dtype, registered with the current scope
     * @throws IllegalArgumentException if a dimension is negative or {@code dtype} is null
     */
    public static Tensor full(Backend backend, DType dtype, float value, int... shape) {
        if (dtype == null) throw new IllegalArgumentException("full: dtype must not be null");
        Tensor t = empty(backend, dtype, shape);
        backend.fill(t.storage(), value);
        return t;
    }

    /**
     * This tensor converted to {@code dtype} on its device, as PyTorch's {@code to(dtype)}; see
     * {@link Functional#to(Tensor, DType)}. Returns this tensor itself when it already has
     * {@code dtype}, so close the result only if it differs.
     *
     * @param dtype the target dtype
     * @return a new tensor of this shape and {@code dtype}, or this tensor
     * @throws IllegalArgumentException if {@code dtype} is null
     */
    public Tensor to(DType dtype) { return Functional.to(this, dtype); }
    /**
     * {@return a BOOL mask of {@code this == other}, broadcasting} See {@link Functional#eq(Tensor, Tensor)}.
     *
     * @param other the other operand, any dtype
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor eq(Tensor other) { return Functional.eq(this, other); }
    /**
     * {@return a BOOL mask of {@code this != other}, broadcasting} See {@link Functional#ne(Tensor, Tensor)}.
     *
     * @param other the other operand, any dtype
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor ne(Tensor other) { return Functional.ne(this, other); }
    /**
     * {@return a BOOL mask of {@code this < other}, broadcasting} See {@link Functional#lt(Tensor, Tensor)}.
     *
     * @param other the other operand, any dtype
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor lt(Tensor other) { return Functional.lt(this, other); }
    /**
     * {@return a BOOL mask of {@code this <= other}, broadcasting} See {@link Functional#le(Tensor, Tensor)}.
     *
     * @param other the other operand, any dtype
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor le(Tensor other) { return Functional.le(this, other); }
    /**
     * {@return a BOOL mask of {@code this > other}, broadcasting} See {@link Functional#gt(Tensor, Tensor)}.
     *
     * @param other the other operand, any dtype
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor gt(Tensor other) { return Functional.gt(this, other); }
    /**
     * {@return a BOOL mask of {@code this >= other}, broadcasting} See {@link Functional#ge(Tensor, Tensor)}.
     *
     * @param other the other operand, any dtype
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor ge(Tensor other) { return Functional.ge(this, other); }
    /**
     * {@return a BOOL mask of {@code this == s}, compared exactly} See {@link Functional#eq(Tensor, float)}.
     *
     * @param s the scalar
     */
    public Tensor eq(float s) { return Functional.eq(this, s); }
    /**
     * {@return a BOOL mask of {@code this != s}} See {@link Functional#ne(Tensor, float)}.
     *
     * @param s the scalar
     */
    public Tensor ne(float s) { return Functional.ne(this, s); }
    /**
     * {@return a BOOL mask of {@code this < s}} See {@link Functional#lt(Tensor, float)}.
     *
     * @param s the scalar
     */
    public Tensor lt(float s) { return Functional.lt(this, s); }
    /**
     * {@return a BOOL mask of {@code this <= s}} See {@link Functional#le(Tensor, float)}.
     *
     * @param s the scalar
     */
    public Tensor le(float s) { return Functional.le(this, s); }
    /**
     * {@return a BOOL mask of {@code this > s}} See {@link Functional#gt(Tensor, float)}.
     *
     * @param s the scalar
     */
    public Tensor gt(float s) { return Functional.gt(this, s); }
    /**
     * {@return a BOOL mask of {@code this >= s}} See {@link Functional#ge(Tensor, float)}.
     *
     * @param s the scalar
     */
    public Tensor ge(float s) { return Functional.ge(this, s); }
    /** {@return a BOOL mask, true where this tensor is zero (false), as {@code torch.logical_not}} */
    public Tensor logicalNot() { return Functional.logicalNot(this); }
    /**
     * {@return a BOOL mask of {@code this && other}, broadcasting} See {@link Functional#logicalAnd}.
     *
     * @param other the other operand, usually BOOL
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor logicalAnd(Tensor other) { return Functional.logicalAnd(this, other); }
    /**
     * {@return a BOOL mask of {@code this || other}, broadcasting} See {@link Functional#logicalOr}.
     *
     * @param other the other operand, usually BOOL
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public Tensor logicalOr(Tensor other) { return Functional.logicalOr(this, other); }
    /**
     * {@return this tensor where {@code condition} holds and {@code other} elsewhere} As PyTorch's
     * {@code x.where(condition, other)}, that is {@link Functional#where Functional.where(condition, this, other)}.
     *
     * @param condition the BOOL condition
     * @param other     taken where {@code condition} is false
     * @throws IllegalArgumentException if {@code condition} is not BOOL or the shapes cannot be broadcast
     */
    public Tensor where(Tensor condition, Tensor other) { return Functional.where(condition, this, other); }
    /**
     * {@return this tensor with {@code value} wherever {@code mask} is true} As {@code masked_fill};
     * see {@link Functional#maskedFill}.
     *
     * @param mask  the BOOL mask, broadcastable with this tensor
     * @param value the fill value
     * @throws IllegalArgumentException if {@code mask} is not BOOL or the shapes cannot be broadcast
     */
    public Tensor maskedFill(Tensor mask, float value) { return Functional.maskedFill(this, mask, value); }
    /**
     * {@return the lower triangle (with the main diagonal) of each matrix in the last two dimensions}
     * As {@code torch.tril(x)}; see {@link Functional#tril}.
     *
     * @throws IllegalArgumentException if this tensor has fewer than 2 dimensions
     */
    public Tensor tril() { return Functional.tril(this, 0); }
    /**
     * {@return the lower triangle up to {@code diagonal} of each matrix in the last two dimensions}
     * See {@link Functional#tril}.
     *
     * @param diagonal the last diagonal kept (0 the main one, negative below it)
     * @throws IllegalArgumentException if this tensor has fewer than 2 dimensions
     */
    public Tensor tril(int diagonal) { return Functional.tril(this, diagonal); }
    /**
     * {@return the upper triangle (with the main diagonal) of each matrix in the last two dimensions}
     * As {@code torch.triu(x)}; see {@link Functional#triu}.
     *
     * @throws IllegalArgumentException if this tensor has fewer than 2 dimensions
     */
    public Tensor triu() { return Functional.triu(this, 0); }
    /**
     * {@return the upper triangle from {@code diagonal} of each matrix in the last two dimensions}
     * See {@link Functional#triu}.
     *
     * @param diagonal the first diagonal kept (0 the main one, positive above it)
     * @throws IllegalArgumentException if this tensor has fewer than 2 dimensions
     */
    public Tensor triu(int diagonal) { return Functional.triu(this, diagonal); }

    // ---- indexing (issue 11) ----

    /**
     * The entries at {@code index} along {@code dim}, as {@code torch.index_select}; see
     * {@link Functional#indexSelect}.
     *
     * @param dim   the dimension (negative counts from the end)
     * @param index INT32 or INT64 positions, 1-D
     * @return a new tensor with {@code shape[dim] = index.numel()}
     * @throws IllegalArgumentException if the index is not an integer vector, or a dimension or index is out of range
     */
    public Tensor indexSelect(int dim, Tensor index) { return Functional.indexSelect(this, dim, index); }
    /**
     * Values along {@code dim} picked by {@code index}, as {@code torch.gather}; see {@link Functional#gather}.
     *
     * @param dim   the dimension (negative counts from the end)
     * @param index INT32 or INT64 positions, of this tensor's rank
     * @return a new tensor of {@code index}'s shape
     * @throws IllegalArgumentException if ranks or sizes do not fit, or a dimension or index is out of range
     */
    public Tensor gather(int dim, Tensor index) { return Functional.gather(this, dim, index); }
    /**
     * A copy with {@code src} added at {@code index} along {@code dim}, as {@code torch.scatter_add};
     * see {@link Functional#scatterAdd}.
     *
     * @param dim   the dimension (negative counts from the end)
     * @param index INT32 or INT64 positions, of this tensor's rank
     * @param src   the FLOAT32 values added
     * @return a new tensor of this tensor's shape
     * @throws IllegalArgumentException if dtypes, ranks or sizes do not fit, or an index is out of range
     */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Functional.scatterAdd(this, dim, index, src); }
    /**
     * One-hot encoding of these class values, as {@code torch.nn.functional.one_hot}; see {@link Functional#oneHot}.
     *
     * @param numClasses the number of classes, or -1 to infer it
     * @return a new INT64 tensor of shape {@code shape() + [numClasses]}
     * @throws IllegalArgumentException if this is not an integer tensor or a value is out of range
     */
    public Tensor oneHot(int numClasses) { return Functional.oneHot(this, numClasses); }
}
