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

    private static MemorySegment ptr(long address) {
        return MemorySegment.ofAddress(address);
    }

    private static MemorySegment create(MethodHandle create, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(ADDRESS);
            try {
                check(name, (int) create.invokeExact(p), null);
            } catch (CudaException e) {
                throw e;
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
            return p.get(ADDRESS, 0);
        }
    }

    private static void destroy(MethodHandle destroy, String name, MemorySegment handle) {
        try {
            check(name, (int) destroy.invokeExact(handle), null);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** A 4-D FP32 NCHW tensor descriptor. */
    public static final class TensorDesc implements AutoCloseable {
        final MemorySegment desc;
        private boolean closed;

        TensorDesc(MemorySegment desc) {
            this.desc = desc;
        }

        /** Describes a contiguous {@code [n, c, h, w]} FP32 tensor. */
        public static TensorDesc of(int n, int c, int h, int w) {
            TensorDesc d = new TensorDesc(create(Cudnn.CREATE_TENSOR, "cudnnCreateTensorDescriptor"));
            try {
                check("cudnnSetTensor4dDescriptor", (int) Cudnn.SET_TENSOR_4D.invokeExact(d.desc, Cudnn.TENSOR_NCHW,
                        Cudnn.DATA_FLOAT, n, c, h, w), "[" + n + ", " + c + ", " + h + ", " + w + "]");
                return d;
            } catch (Throwable t) {
                d.close();
                throw Downcalls.rethrow(t);
            }
        }

        /** The per-channel {@code [1, c, 1, 1]} descriptor cuDNN derives for spatial batch norm of {@code x}. */
        public static TensorDesc batchNormOf(TensorDesc x) {
            TensorDesc d = new TensorDesc(create(Cudnn.CREATE_TENSOR, "cudnnCreateTensorDescriptor"));
            try {
                check("cudnnDeriveBNTensorDescriptor", (int) Cudnn.DERIVE_BN_DESCRIPTOR.invokeExact(d.desc, x.desc,
                        Cudnn.BATCHNORM_SPATIAL), null);
                return d;
            } catch (Throwable t) {
                d.close();
                throw Downcalls.rethrow(t);
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            destroy(Cudnn.DESTROY_TENSOR, "cudnnDestroyTensorDescriptor", desc);
        }
    }

    /** A 4-D FP32 filter descriptor {@code [outC, c/groups, kh, kw]}. */
    public static final class FilterDesc implements AutoCloseable {
        final MemorySegment desc;
        private boolean closed;

        FilterDesc(MemorySegment desc) {
            this.desc = desc;
        }

        /** Describes a contiguous FP32 NCHW filter. */
        public static FilterDesc of(int k, int c, int h, int w) {
            FilterDesc d = new FilterDesc(create(Cudnn.CREATE_FILTER, "cudnnCreateFilterDescriptor"));
            try {
                check("cudnnSetFilter4dDescriptor", (int) Cudnn.SET_FILTER_4D.invokeExact(d.desc, Cudnn.DATA_FLOAT,
                        Cudnn.TENSOR_NCHW, k, c, h, w), "[" + k + ", " + c + ", " + h + ", " + w + "]");
                return d;
            } catch (Throwable t) {
                d.close();
                throw Downcalls.rethrow(t);
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            destroy(Cudnn.DESTROY_FILTER, "cudnnDestroyFilterDescriptor", desc);
        }
    }

    /** A 2-D cross-correlation descriptor (FP32 compute) with groups and a math type. */
    public static final class ConvDesc implements AutoCloseable {
        final MemorySegment desc;
        private boolean closed;

        ConvDesc(MemorySegment desc) {
            this.desc = desc;
        }

        /** Symmetric padding, stride, dilation, groups and {@code cudnnMathType_t}. */
        public static ConvDesc of(int padH, int padW, int strideH, int strideW, int dilationH, int dilationW, int groups, int mathType) {
            ConvDesc d = new ConvDesc(create(Cudnn.CREATE_CONV, "cudnnCreateConvolutionDescriptor"));
            try {
                String ctx = "pad (" + padH + ", " + padW + ") stride (" + strideH + ", " + strideW + ") dilation (" + dilationH
                        + ", " + dilationW + ") groups " + groups;
                check("cudnnSetConvolution2dDescriptor", (int) Cudnn.SET_CONV_2D.invokeExact(d.desc, padH, padW, strideH, strideW,
                        dilationH, dilationW, Cudnn.CROSS_CORRELATION, Cudnn.DATA_FLOAT), ctx);
                check("cudnnSetConvolutionGroupCount", (int) Cudnn.SET_CONV_GROUP_COUNT.invokeExact(d.desc, groups), ctx);
                check("cudnnSetConvolutionMathType", (int) Cudnn.SET_CONV_MATH_TYPE.invokeExact(d.desc, mathType), ctx);
                return d;
            } catch (Throwable t) {
                d.close();
                throw Downcalls.rethrow(t);
            }
        }

        /**
         * Changes the {@code cudnnMathType_t}. An algorithm found by the heuristics runs as found
         * only with the math type it was reported with, and its workspace size depends on it too.
         */
        public void setMathType(int mathType) {
            try {
                check("cudnnSetConvolutionMathType", (int) Cudnn.SET_CONV_MATH_TYPE.invokeExact(desc, mathType), "math type " + mathType);
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            destroy(Cudnn.DESTROY_CONV, "cudnnDestroyConvolutionDescriptor", desc);
        }
    }

    /** A 2-D pooling descriptor. */
    public static final class PoolDesc implements AutoCloseable {
        final MemorySegment desc;
        private boolean closed;

        PoolDesc(MemorySegment desc) {
            this.desc = desc;
        }

        /** {@code mode} one of the {@code POOLING_*} constants; NaN propagates (PyTorch: NaN wins). */
        public static PoolDesc of(int mode, int kh, int kw, int padH, int padW, int strideH, int strideW) {
            PoolDesc d = new PoolDesc(create(Cudnn.CREATE_POOLING, "cudnnCreatePoolingDescriptor"));
            try {
                check("cudnnSetPooling2dDescriptor", (int) Cudnn.SET_POOLING_2D.invokeExact(d.desc, mode, Cudnn.PROPAGATE_NAN,
                        kh, kw, padH, padW, strideH, strideW), "window (" + kh + ", " + kw + ") pad (" + padH + ", " + padW
                        + ") stride (" + strideH + ", " + strideW + ")");
                return d;
            } catch (Throwable t) {
                d.close();
                throw Downcalls.rethrow(t);
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            destroy(Cudnn.DESTROY_POOLING, "cudnnDestroyPoolingDescriptor", desc);
        }
    }

    /** A cuDNN handle bound to one stream; see {@link DnnCalls} for the operations. */
    public static final class Handle implements AutoCloseable {
        final MemorySegment handle;
        private boolean closed;

        Handle(MemorySegment handle) {
            this.handle = handle;
        }

        /** Creates a handle in the current context. */
        public static Handle create() {
            return new Handle(Dnn.create(Cudnn.CREATE, "cudnnCreate"));
        }

        /** Queues this handle's work on {@code stream}. */
        public void setStream(Driver.Stream stream) {
            try {
                check("cudnnSetStream", (int) Cudnn.SET_STREAM.invokeExact(handle, stream.raw()), null);
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }

        /** The operations of this handle. */
        public DnnCalls calls() {
            return new DnnCalls(this);
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            destroy(Cudnn.DESTROY, "cudnnDestroy", handle);
        }
    }

    /** Two host floats 1 and 0 (alpha, beta) for one call. */
    static MemorySegment[] oneZero(Arena arena) {
        return new MemorySegment[] {arena.allocateFrom(JAVA_FLOAT, 1f), arena.allocateFrom(JAVA_FLOAT, 0f)};
    }

    static MemorySegment address(long p) {
        return ptr(p);
    }
}
