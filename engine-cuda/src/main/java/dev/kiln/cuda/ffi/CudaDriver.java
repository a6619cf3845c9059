package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Raw downcalls into {@code libcuda.so.1} (the driver API, signatures of CUDA 12/13 {@code cuda.h}),
 * bound by their real exported names ({@code _v2} where {@code cuda.h} maps to it; the plain,
 * non-{@code _ptsz} names since every call passes an explicit stream). Each method returns the
 * {@code CUresult}; {@link Driver} checks it. {@code CUdeviceptr} is a {@code long}, handles are
 * pointers.
 */
final class CudaDriver {
    private CudaDriver() {}

    private static final Downcalls D = new Downcalls(NativeLibraries.Library.CUDA);

    private static final MethodHandle INIT = D.handle("cuInit", JAVA_INT, JAVA_INT);
    private static final MethodHandle DRIVER_GET_VERSION = D.handle("cuDriverGetVersion", JAVA_INT, ADDRESS);
    private static final MethodHandle DEVICE_GET_COUNT = D.handle("cuDeviceGetCount", JAVA_INT, ADDRESS);
    private static final MethodHandle DEVICE_GET = D.handle("cuDeviceGet", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle DEVICE_GET_NAME = D.handle("cuDeviceGetName", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle DEVICE_GET_ATTRIBUTE = D.handle("cuDeviceGetAttribute", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle PRIMARY_CTX_RETAIN = D.handle("cuDevicePrimaryCtxRetain", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle PRIMARY_CTX_RELEASE = D.handle("cuDevicePrimaryCtxRelease_v2", JAVA_INT, JAVA_INT);
    private static final MethodHandle CTX_SET_CURRENT = D.handle("cuCtxSetCurrent", JAVA_INT, ADDRESS);
    private static final MethodHandle MEM_ALLOC = D.handle("cuMemAlloc_v2", JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle MEM_FREE = D.handle("cuMemFree_v2", JAVA_INT, JAVA_LONG);
    private static final MethodHandle MEMCPY_HTOD_ASYNC = D.handle("cuMemcpyHtoDAsync_v2", JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle MEMCPY_DTOH_ASYNC = D.handle("cuMemcpyDtoHAsync_v2", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final MethodHandle MEMCPY_DTOD_ASYNC = D.handle("cuMemcpyDtoDAsync_v2", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final MethodHandle MEMSET_D32_ASYNC = D.handle("cuMemsetD32Async", JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle MEMSET_D8_ASYNC = D.handle("cuMemsetD8Async", JAVA_INT, JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS);
    private static final MethodHandle MEMSET_D2D32_ASYNC = D.handle("cuMemsetD2D32Async", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final MethodHandle MEM_HOST_ALLOC = D.handle("cuMemHostAlloc", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle MEM_FREE_HOST = D.handle("cuMemFreeHost", JAVA_INT, ADDRESS);
    private static final MethodHandle MEM_GET_INFO = D.handle("cuMemGetInfo_v2", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle STREAM_CREATE = D.handle("cuStreamCreate", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle STREAM_DESTROY = D.handle("cuStreamDestroy_v2", JAVA_INT, ADDRESS);
    private static final MethodHandle STREAM_SYNCHRONIZE = D.handle("cuStreamSynchronize", JAVA_INT, ADDRESS);
    private static final MethodHandle EVENT_CREATE = D.handle("cuEventCreate", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle EVENT_RECORD = D.handle("cuEventRecord", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle EVENT_QUERY = D.handle("cuEventQuery", JAVA_INT, ADDRESS);
    private static final MethodHandle EVENT_SYNCHRONIZE = D.handle("cuEventSynchronize", JAVA_INT, ADDRESS);
    private static final MethodHandle EVENT_DESTROY = D.handle("cuEventDestroy_v2", JAVA_INT, ADDRESS);
    private static final MethodHandle MODULE_LOAD_DATA = D.handle("cuModuleLoadData", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle MODULE_UNLOAD = D.handle("cuModuleUnload", JAVA_INT, ADDRESS);
    private static final MethodHandle MODULE_GET_FUNCTION = D.handle("cuModuleGetFunction", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle LAUNCH_KERNEL = D.handle("cuLaunchKernel", JAVA_INT, ADDRESS,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle GET_ERROR_NAME = D.handle("cuGetErrorName", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle GET_ERROR_STRING = D.handle("cuGetErrorString", JAVA_INT, JAVA_INT, ADDRESS);

    static int cuInit(int flags) {
        try { return (int) INIT.invokeExact(flags); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuDriverGetVersion(MemorySegment version) {
        try { return (int) DRIVER_GET_VERSION.invokeExact(version); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuDeviceGetCount(MemorySegment count) {
        try { return (int) DEVICE_GET_COUNT.invokeExact(count); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuDeviceGet(MemorySegment device, int ordinal) {
        try { return (int) DEVICE_GET.invokeExact(device, ordinal); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuDeviceGetName(MemorySegment name, int len, int device) {
        try { return (int) DEVICE_GET_NAME.invokeExact(name, len, device); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuDeviceGetAttribute(MemorySegment value, int attribute, int device) {
        try { return (int) DEVICE_GET_ATTRIBUTE.invokeExact(value, attribute, device); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuDevicePrimaryCtxRetain(MemorySegment ctx, int device) {
        try { return (int) PRIMARY_CTX_RETAIN.invokeExact(ctx, device); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuDevicePrimaryCtxRelease(int device) {
        try { return (int) PRIMARY_CTX_RELEASE.invokeExact(device); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuCtxSetCurrent(MemorySegment ctx) {
        try { return (int) CTX_SET_CURRENT.invokeExact(ctx); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemAlloc(MemorySegment dptr, long bytes) {
        try { return (int) MEM_ALLOC.invokeExact(dptr, bytes); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemFree(long dptr) {
        try { return (int) MEM_FREE.invokeExact(dptr); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try { return (int) MEMCPY_HTOD_ASYNC.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try { return (int) MEMCPY_DTOH_ASYNC.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        try { return (int) MEMCPY_DTOD_ASYNC.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemsetD32Async(long dst, int value, long count, MemorySegment stream) {
        try { return (int) MEMSET_D32_ASYNC.invokeExact(dst, value, count, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemsetD8Async(long dst, byte value, long count, MemorySegment stream) {
        try { return (int) MEMSET_D8_ASYNC.invokeExact(dst, value, count, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemsetD2D32Async(long dst, long pitch, int value, long width, long height, MemorySegment stream) {
        try { return (int) MEMSET_D2D32_ASYNC.invokeExact(dst, pitch, value, width, height, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemHostAlloc(MemorySegment pp, long bytes, int flags) {
        try { return (int) MEM_HOST_ALLOC.invokeExact(pp, bytes, flags); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemFreeHost(MemorySegment p) {
        try { return (int) MEM_FREE_HOST.invokeExact(p); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuMemGetInfo(MemorySegment free, MemorySegment total) {
        try { return (int) MEM_GET_INFO.invokeExact(free, total); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuStreamCreate(MemorySegment stream, int flags) {
        try { return (int) STREAM_CREATE.invokeExact(stream, flags); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuStreamDestroy(MemorySegment stream) {
        try { return (int) STREAM_DESTROY.invokeExact(stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuStreamSynchronize(MemorySegment stream) {
        try { return (int) STREAM_SYNCHRONIZE.invokeExact(stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuEventCreate(MemorySegment event, int flags) {
        try { return (int) EVENT_CREATE.invokeExact(event, flags); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuEventRecord(MemorySegment event, MemorySegment stream) {
        try { return (int) EVENT_RECORD.invokeExact(event, stream); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuEventQuery(MemorySegment event) {
        try { return (int) EVENT_QUERY.invokeExact(event); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuEventSynchronize(MemorySegment event) {
        try { return (int) EVENT_SYNCHRONIZE.invokeExact(event); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuEventDestroy(MemorySegment event) {
        try { return (int) EVENT_DESTROY.invokeExact(event); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        try { return (int) MODULE_LOAD_DATA.invokeExact(module, image); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuModuleUnload(MemorySegment module) {
        try { return (int) MODULE_UNLOAD.invokeExact(module); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuModuleGetFunction(MemorySegment function, MemorySegment module, MemorySegment name) {
        try { return (int) MODULE_GET_FUNCTION.invokeExact(function, module, name); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuLaunchKernel(MemorySegment f, int gx, int gy, int gz, int bx, int by, int bz, int shared,
                              MemorySegment stream, MemorySegment params, MemorySegment extra) {
        try {
            return (int) LAUNCH_KERNEL.invokeExact(f, gx, gy, gz, bx, by, bz, shared, stream, params, extra);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int cuGetErrorName(int status, MemorySegment name) {
        try { return (int) GET_ERROR_NAME.invokeExact(status, name); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    static int cuGetErrorString(int status, MemorySegment text) {
        try { return (int) GET_ERROR_STRING.invokeExact(status, text); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }
}
