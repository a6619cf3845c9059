package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Checked cuBLAS calls: a non-zero {@code cublasStatus_t} becomes a {@link CudaException} with
 * the status's {@code CUBLAS_STATUS_*} name, {@code cublasGetStatusString}'s description and the
 * caller's shapes.
 */
public final class Blas {
    private Blas() {}

    /** {@code CUBLAS_OP_N}, {@code CUBLAS_OP_T}. */
    public static final int OP_N = 0, OP_T = 1;
    /** {@code CUBLAS_DEFAULT_MATH}: FP32 sgemm computes in FP32. */
    public static final int MATH_DEFAULT = 0;
    /** {@code CUBLAS_PEDANTIC_MATH}. */
    public static final int MATH_PEDANTIC = 2;
    /** {@code CUBLAS_TF32_TENSOR_OP_MATH}: FP32 GEMMs may round inputs to TF32. */
    public static final int MATH_TF32_TENSOR_OP = 3;

    static void check(String function, int status, String context) {
        if (status != 0) throw new CudaException(function, status, statusName(status), context);
    }

    /**
     * The {@code CUBLAS_STATUS_*} name and, when the loaded cuBLAS can say
     * ({@code cublasGetStatusString}), its description: "CUBLAS_STATUS_NOT_INITIALIZED: the library
     * was not initialized".
     */
    public static String statusName(int status) {
        String prose;
        try {
            prose = Driver.cString(Cublas.cublasGetStatusString(status));
        } catch (RuntimeException e) {
            prose = null;
        }
        return describe(status, prose);
    }

    /** The name of {@code status} followed by {@code prose} when there is any and it adds something. */
    static String describe(int status, String prose) {
        String name = constantName(status);
        return prose == null || prose.isBlank() || prose.equals(name) ? name : name + ": " + prose;
    }

    /**
     * The {@code cublasStatus_t} constant of {@code status} as {@code cublas_api.h} (CUDA 12 and 13)
     * defines it, or "cublasStatus_t N" for a value it does not define.
     */
    public static String constantName(int status) {
        return switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus_t " + status;
        };
    }

    /** A cuBLAS handle bound to one stream. */
    public static final class Handle implements AutoCloseable {
        private final MemorySegment handle;
        private boolean closed;

        Handle(MemorySegment handle) {
            this.handle = handle;
        }

        /** Creates a handle in the current context. */
        public static Handle create() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(ADDRESS);
                check("cublasCreate_v2", Cublas.cublasCreate(p), null);
                return new Handle(p.get(ADDRESS, 0));
            }
        }

        /** Queues this handle's work on {@code stream}. */
        public void setStream(Driver.Stream stream) {
            check("cublasSetStream_v2", Cublas.cublasSetStream(handle, stream.raw()), null);
        }

        /** {@code cublasSetMathMode}: one of the {@code MATH_*} constants. */
        public void setMathMode(int mode) {
            check("cublasSetMathMode", Cublas.cublasSetMathMode(handle, mode), "mode " + mode);
        }

        /** {@code major*10000 + minor*100 + patch}. */
        public int version() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment v = arena.allocate(JAVA_INT);
                check("cublasGetVersion_v2", Cublas.cublasGetVersion(handle, v), null);
                return v.get(JAVA_INT, 0);
            }
        }

        /**
         * Column-major {@code C = alpha op(A) op(B) + beta C}, batched by strides when {@code batch > 1}
         * ({@code cublasSgemmStridedBatched}, else {@code cublasSgemm_v2}).
         */
        public void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long strideA, long b, int ldb,
                          long strideB, float beta, long c, int ldc, long strideC, int batch, String context) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment al = arena.allocateFrom(JAVA_FLOAT, alpha), be = arena.allocateFrom(JAVA_FLOAT, beta);
                MemorySegment pa = MemorySegment.ofAddress(a), pb = MemorySegment.ofAddress(b), pc = MemorySegment.ofAddress(c);
                if (batch == 1) {
                    check("cublasSgemm_v2", Cublas.cublasSgemm(handle, opA, opB, m, n, k, al, pa, lda, pb, ldb, be, pc, ldc), context);
                } else {
                    check("cublasSgemmStridedBatched", Cublas.cublasSgemmStridedBatched(handle, opA, opB, m, n, k, al, pa, lda,
                            strideA, pb, ldb, strideB, be, pc, ldc, strideC, batch), context);
                }
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            check("cublasDestroy_v2", Cublas.cublasDestroy(handle), null);
        }
    }
}
