package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Checked cuDNN calls (legacy API of cuDNN 9): a non-zero {@code cudnnStatus_t} becomes a
 * {@link CudaException} with {@code cudnnGetErrorString}'s text and the caller's op and shapes.
 * Device buffers are {@code long} addresses; descriptors are the {@link AutoCloseable} wrappers
 * below. All data is FP32 NCHW; scaling factors {@code alpha}/{@code beta} are 1 and 0 unless a
 * method says otherwise.
 */
public final class Dnn {
    private Dnn() {}

    /** {@code cudnnMathType_t}. */
    public static final int DEFAULT_MATH = Cudnn.DEFAULT_MATH, TENSOR_OP_MATH = Cudnn.TENSOR_OP_MATH,
            TENSOR_OP_MATH_ALLOW_CONVERSION = Cudnn.TENSOR_OP_MATH_ALLOW_CONVERSION, FMA_MATH = Cudnn.FMA_MATH;
    /** {@code cudnnPoolingMode_t}. */
    public static final int POOLING_MAX_DETERMINISTIC = Cudnn.POOLING_MAX_DETERMINISTIC,
            POOLING_AVERAGE_INCLUDE_PADDING = Cudnn.POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
            POOLING_AVERAGE_EXCLUDE_PADDING = Cudnn.POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    /** {@code cudnnSoftmaxAlgorithm_t}. */
    public static final int SOFTMAX_ACCURATE = Cudnn.SOFTMAX_ACCURATE, SOFTMAX_LOG = Cudnn.SOFTMAX_LOG;

    /** Size of {@code cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t}: int algo, status; float time; size_t memory; int determinism, mathType, reserved[3]. */
    static final long PERF_BYTES = 48;
    /** How many algorithms a heuristic query asks for (cuDNN 9 has at most 8 per direction). */
    static final int MAX_ALGOS = 16;

    /**
     * One entry of a {@code cudnnGet*Algorithm_v7} answer.
     *
     * @param algo          the algorithm enum value
     * @param status        0 when usable for these descriptors
     * @param memory        workspace bytes it needs
     * @param deterministic {@code determinism == CUDNN_DETERMINISTIC}
     * @param mathType      the {@code cudnnMathType_t} it runs with
     */
    public record AlgoPerf(int algo, int status, long memory, boolean deterministic, int mathType) {}

    /**
     * True for {@code CUDNN_STATUS_NOT_SUPPORTED}: 9 in cuDNN 8; in cuDNN 9, whose status codes are
     * grouped by category, 3000 and its sub-codes 3001..3999.
     */
    public static boolean isNotSupported(int status) {
        return status == 9 || (status >= 3000 && status < 4000);
    }

    static void check(String function, int status, String context) {
        if (status != 0) throw new CudaException(function, status, statusName(status), context);
    }

    /** {@code cudnnGetErrorString}, or a generic name. */
    public static String statusName(int status) {
        try {
            String s = Driver.cString((MemorySegment) Cudnn.GET_ERROR_STRING.invokeExact(status));
            return s.isEmpty() ? "cudnnStatus " + status : s;
        } catch (Throwable t) {
            return "cudnnStatus " + status;
        }
    }

    /** {@code cudnnGetVersion()}: {@code major*10000 + minor*100 + patch} for cuDNN 9. */
    public static long version() {
        try {
            return (long) Cudnn.GET_VERSION.invokeExact();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Parses {@code count} perf structs. */
    static List<AlgoPerf> parsePerf(MemorySegment perf, int count) {
        List<AlgoPerf> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long o = i * PERF_BYTES;
            out.add(new AlgoPerf(perf.get(JAVA_INT, o), perf.get(JAVA_INT, o + 4), perf.get(JAVA_LONG, o + 16),
                    perf.get(JAVA_INT, o + 24) == Cudnn.DETERMINISTIC, perf.get(JAVA_INT, o + 28)));
        }
        return out;
    }

    /** A cuDNN call returning its {@code cudnnStatus_t}. */
    @FunctionalInterface
    interface Call {
        int invoke() throws Throwable;
    }

    /** Runs {@code call} and checks its status; whatever the downcall throws is rethrown unchecked. */
    static void checked(String function, String context, Call call) {
        int status;
        try {
            status = call.invoke();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
        check(function, status, context);
    }

    /** {@code cudnnCreate*(&p)}: the new object. */
    private static MemorySegment create(MethodHandle create, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(ADDRESS);
            checked(name, null, () -> (int) create.invokeExact(p));
            return p.get(ADDRESS, 0);
        }
    }

    /**
     * A cuDNN object (a descriptor or a handle) owned by its wrapper: created with its
     * {@code cudnnCreate*} function and destroyed once, on the first {@link #close()}.
     */
    abstract static class Owned implements AutoCloseable {
        final MemorySegment ptr;
        private final MethodHandle destroy;
        private final String destroyName;
        private boolean closed;

        Owned(MemorySegment ptr, MethodHandle destroy, String destroyName) {
            this.ptr = ptr;
            this.destroy = destroy;
            this.destroyName = destroyName;
        }

        /**
         * Applies {@code setter} to a new object, closing it when that fails: the set-up of a
         * descriptor after {@code cudnnCreate*}.
         */
        static <T extends Owned> T configure(T object, Runnable setter) {
            try {
                setter.run();
                return object;
            } catch (RuntimeException | Error e) {
                object.close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            checked(destroyName, null, () -> (int) destroy.invokeExact(ptr));
        }
    }

    /** A 4-D FP32 NCHW tensor descriptor. */
    public static final class TensorDesc extends Owned {
        TensorDesc(MemorySegment ptr) {
            super(ptr, Cudnn.DESTROY_TENSOR, "cudnnDestroyTensorDescriptor");
        }

        /** Describes a contiguous {@code [n, c, h, w]} FP32 tensor. */
        public static TensorDesc of(int n, int c, int h, int w) {
            TensorDesc d = new TensorDesc(create(Cudnn.CREATE_TENSOR, "cudnnCreateTensorDescriptor"));
            return configure(d, () -> checked("cudnnSetTensor4dDescriptor", "[" + n + ", " + c + ", " + h + ", " + w + "]",
                    () -> (int) Cudnn.SET_TENSOR_4D.invokeExact(d.ptr, Cudnn.TENSOR_NCHW, Cudnn.DATA_FLOAT, n, c, h, w)));
        }

        /** The per-channel {@code [1, c, 1, 1]} descriptor cuDNN derives for spatial batch norm of {@code x}. */
        public static TensorDesc batchNormOf(TensorDesc x) {
            TensorDesc d = new TensorDesc(create(Cudnn.CREATE_TENSOR, "cudnnCreateTensorDescriptor"));
            return configure(d, () -> checked("cudnnDeriveBNTensorDescriptor", null,
                    () -> (int) Cudnn.DERIVE_BN_DESCRIPTOR.invokeExact(d.ptr, x.ptr, Cudnn.BATCHNORM_SPATIAL)));
        }
    }

    /** A 4-D FP32 filter descriptor {@code [outC, c/groups, kh, kw]}. */
    public static final class FilterDesc extends Owned {
        FilterDesc(MemorySegment ptr) {
            super(ptr, Cudnn.DESTROY_FILTER, "cudnnDestroyFilterDescriptor");
        }

        /** Describes a contiguous FP32 NCHW filter. */
        public static FilterDesc of(int k, int c, int h, int w) {
            FilterDesc d = new FilterDesc(create(Cudnn.CREATE_FILTER, "cudnnCreateFilterDescriptor"));
            return configure(d, () -> checked("cudnnSetFilter4dDescriptor", "[" + k + ", " + c + ", " + h + ", " + w + "]",
                    () -> (int) Cudnn.SET_FILTER_4D.invokeExact(d.ptr, Cudnn.DATA_FLOAT, Cudnn.TENSOR_NCHW, k, c, h, w)));
        }
    }

    /** A 2-D cross-correlation descriptor (FP32 compute) with groups and a math type. */
    public static final class ConvDesc extends Owned {
        ConvDesc(MemorySegment ptr) {
            super(ptr, Cudnn.DESTROY_CONV, "cudnnDestroyConvolutionDescriptor");
        }

        /** Symmetric padding, stride, dilation, groups and {@code cudnnMathType_t}. */
        public static ConvDesc of(int padH, int padW, int strideH, int strideW, int dilationH, int dilationW, int groups, int mathType) {
            ConvDesc d = new ConvDesc(create(Cudnn.CREATE_CONV, "cudnnCreateConvolutionDescriptor"));
            String ctx = "pad (" + padH + ", " + padW + ") stride (" + strideH + ", " + strideW + ") dilation (" + dilationH
                    + ", " + dilationW + ") groups " + groups;
            return configure(d, () -> {
                checked("cudnnSetConvolution2dDescriptor", ctx, () -> (int) Cudnn.SET_CONV_2D.invokeExact(d.ptr, padH, padW, strideH,
                        strideW, dilationH, dilationW, Cudnn.CROSS_CORRELATION, Cudnn.DATA_FLOAT));
                checked("cudnnSetConvolutionGroupCount", ctx, () -> (int) Cudnn.SET_CONV_GROUP_COUNT.invokeExact(d.ptr, groups));
                checked("cudnnSetConvolutionMathType", ctx, () -> (int) Cudnn.SET_CONV_MATH_TYPE.invokeExact(d.ptr, mathType));
            });
        }

        /**
         * Changes the {@code cudnnMathType_t}. An algorithm found by the heuristics runs as found
         * only with the math type it was reported with, and its workspace size depends on it too.
         */
        public void setMathType(int mathType) {
            checked("cudnnSetConvolutionMathType", "math type " + mathType, () -> (int) Cudnn.SET_CONV_MATH_TYPE.invokeExact(ptr, mathType));
        }
    }

    /** A 2-D pooling descriptor. */
    public static final class PoolDesc extends Owned {
        PoolDesc(MemorySegment ptr) {
            super(ptr, Cudnn.DESTROY_POOLING, "cudnnDestroyPoolingDescriptor");
        }

        /** {@code mode} one of the {@code POOLING_*} constants; NaN propagates (PyTorch: NaN wins). */
        public static PoolDesc of(int mode, int kh, int kw, int padH, int padW, int strideH, int strideW) {
            PoolDesc d = new PoolDesc(create(Cudnn.CREATE_POOLING, "cudnnCreatePoolingDescriptor"));
            return configure(d, () -> checked("cudnnSetPooling2dDescriptor", "window (" + kh + ", " + kw + ") pad (" + padH + ", " + padW
                    + ") stride (" + strideH + ", " + strideW + ")", () -> (int) Cudnn.SET_POOLING_2D.invokeExact(d.ptr, mode,
                    Cudnn.PROPAGATE_NAN, kh, kw, padH, padW, strideH, strideW)));
        }
    }

    /** A cuDNN handle bound to one stream; see {@link DnnCalls} for the operations. */
    public static final class Handle extends Owned {
        Handle(MemorySegment ptr) {
            super(ptr, Cudnn.DESTROY, "cudnnDestroy");
        }

        /** Creates a handle in the current context. */
        public static Handle create() {
            return new Handle(Dnn.create(Cudnn.CREATE, "cudnnCreate"));
        }

        /** Queues this handle's work on {@code stream}. */
        public void setStream(Driver.Stream stream) {
            checked("cudnnSetStream", null, () -> (int) Cudnn.SET_STREAM.invokeExact(ptr, stream.raw()));
        }

        /** The operations of this handle. */
        public DnnCalls calls() {
            return new DnnCalls(this);
        }
    }

    /** Two host floats 1 and 0 (alpha, beta) for one call. */
    static MemorySegment[] oneZero(Arena arena) {
        return new MemorySegment[] {arena.allocateFrom(JAVA_FLOAT, 1f), arena.allocateFrom(JAVA_FLOAT, 0f)};
    }

    static MemorySegment address(long p) {
        return MemorySegment.ofAddress(p);
    }
}
