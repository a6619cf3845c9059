package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Raw downcalls into cuBLAS ({@code libcublas.so.13} or {@code .12}; the {@code _v2} API of
 * {@code cublas_v2.h}). Each method returns the {@code cublasStatus_t}; {@link Blas} checks it.
 * Scalars {@code alpha}/{@code beta} are host pointers (the default pointer mode).
 */
final class Cublas {
    private Cublas() {}

    private static final Downcalls D = new Downcalls(NativeLibraries.Library.CUBLAS);

    private static final MethodHandle CREATE = D.handle("cublasCreate_v2", JAVA_INT, ADDRESS);
    private static final MethodHandle DESTROY = D.handle("cublasDestroy_v2", JAVA_INT, ADDRESS);
    private static final MethodHandle SET_STREAM = D.handle("cublasSetStream_v2", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SET_MATH_MODE = D.handle("cublasSetMathMode", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GET_VERSION = D.handle("cublasGetVersion_v2", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GET_STATUS_STRING = D.handle("cublasGetStatusString", ADDRESS, JAVA_INT);
    private static final MethodHandle SGEMM = D.handle("cublasSgemm_v2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle SGEMM_STRIDED_BATCHED = D.handle("cublasSgemmStridedBatched", JAVA_INT, ADDRESS,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT,
            JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT);

    static int cublasCreate(MemorySegment handle) {
        try { return (int) CREATE.invokeExact(handle); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cublasDestroy(MemorySegment handle) {
        try { return (int) DESTROY.invokeExact(handle); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cublasSetStream(MemorySegment handle, MemorySegment stream) {
        try { return (int) SET_STREAM.invokeExact(handle, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cublasSetMathMode(MemorySegment handle, int mode) {
        try { return (int) SET_MATH_MODE.invokeExact(handle, mode); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cublasGetVersion(MemorySegment handle, MemorySegment version) {
        try { return (int) GET_VERSION.invokeExact(handle, version); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static MemorySegment cublasGetStatusString(int status) {
        try { return (MemorySegment) GET_STATUS_STRING.invokeExact(status); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cublasSgemm(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha,
                           MemorySegment a, int lda, MemorySegment b, int ldb, MemorySegment beta, MemorySegment c, int ldc) {
        try {
            return (int) SGEMM.invokeExact(handle, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int cublasSgemmStridedBatched(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha,
                                         MemorySegment a, int lda, long strideA, MemorySegment b, int ldb, long strideB,
                                         MemorySegment beta, MemorySegment c, int ldc, long strideC, int batch) {
        try {
            return (int) SGEMM_STRIDED_BATCHED.invokeExact(handle, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb,
                    strideB, beta, c, ldc, strideC, batch);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
