package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Checked cuBLAS calls: a non-zero {@code cublasStatus_t} becomes a {@link CudaException} with
 * {@code cublasGetStatusString}'s name and the caller's shapes.
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

    /** {@code cublasGetStatusString}, or a generic name. */
    public static String statusName(int status) {
        try {
            String s = Driver.cString(Cublas.cublasGetStatusString(status));
            return s.isEmpty() ? "cublasStatus " + status : s;
        } catch (RuntimeException e) {
            return "cublasStatus " + status;
        }
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
