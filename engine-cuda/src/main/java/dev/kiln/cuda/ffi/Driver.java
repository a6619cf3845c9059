package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Checked CUDA driver calls: every non-zero {@code CUresult} becomes a {@link CudaException}
 * naming the function, the status ({@code cuGetErrorName}/{@code cuGetErrorString}) and the
 * caller's context. Native handles stay inside the small {@link AutoCloseable} wrappers of this
 * package; device memory is a {@code long} address.
 */
public final class Driver {
    private Driver() {}

    /** {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public static final int ERROR_OUT_OF_MEMORY = 2;
    /** {@code CUDA_ERROR_NO_DEVICE}. */
    public static final int ERROR_NO_DEVICE = 100;
    /** {@code CUDA_ERROR_NOT_READY}. */
    public static final int ERROR_NOT_READY = 600;
    /** {@code CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK}. */
    public static final int ATTR_MAX_THREADS_PER_BLOCK = 1;
    /** {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}. */
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR}. */
    public static final int ATTR_CC_MAJOR = 75;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR}. */
    public static final int ATTR_CC_MINOR = 76;
    private static final int EVENT_DISABLE_TIMING = 0x2;
    private static final int STREAM_NON_BLOCKING = 0x1;

    /** Throws a {@link CudaException} for a non-zero {@code status} of {@code function}. */
    static void check(String function, int status, String context) {
        if (status != 0) throw new CudaException(function, status, errorName(status), context);
    }

    /** "CUDA_ERROR_X: description" for a status, or a generic name when the driver cannot say. */
    public static String errorName(int status) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(ADDRESS);
            String name = CudaDriver.cuGetErrorName(status, p) == 0 ? cString(p.get(ADDRESS, 0)) : "CUresult " + status;
            String text = CudaDriver.cuGetErrorString(status, p) == 0 ? cString(p.get(ADDRESS, 0)) : null;
            return text == null || text.isEmpty() ? name : name + ": " + text;
        } catch (RuntimeException e) {
            return "CUresult " + status;
        }
    }

    @SuppressWarnings("restricted") // a C string returned by the library: its length is unknown until the NUL
    static String cString(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** {@code cuInit(0)}; returns the raw status so the probe can explain "no device" itself. */
    public static int init() {
        return CudaDriver.cuInit(0);
    }

    /** The CUDA version the driver supports, e.g. 13000 for 13.0. */
    public static int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            check("cuDriverGetVersion", CudaDriver.cuDriverGetVersion(v), null);
            return v.get(JAVA_INT, 0);
        }
    }

    /** Number of CUDA devices visible to this process. */
    public static int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            check("cuDeviceGetCount", CudaDriver.cuDeviceGetCount(v), null);
            return v.get(JAVA_INT, 0);
        }
    }

    /** The {@code CUdevice} of an ordinal. */
    public static int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            check("cuDeviceGet", CudaDriver.cuDeviceGet(v, ordinal), "ordinal " + ordinal);
            return v.get(JAVA_INT, 0);
        }
    }

    /** The device's marketing name. */
    public static String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(256);
            check("cuDeviceGetName", CudaDriver.cuDeviceGetName(name, 256, device), null);
            name.set(JAVA_BYTE, 255, (byte) 0);
            return name.getString(0);
        }
    }

    /** A {@code CU_DEVICE_ATTRIBUTE_*} value. */
    public static int attribute(int device, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", CudaDriver.cuDeviceGetAttribute(v, attribute, device), "attribute " + attribute);
            return v.get(JAVA_INT, 0);
        }
    }

    /** {free, total} device bytes of the current context's device. */
    public static long[] memInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG), total = arena.allocate(JAVA_LONG);
            check("cuMemGetInfo_v2", CudaDriver.cuMemGetInfo(free, total), null);
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    /** Allocates {@code bytes} of device memory; 0 when the device is out of memory. */
    public static long tryMalloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(JAVA_LONG);
            int status = CudaDriver.cuMemAlloc(p, bytes);
            if (status == ERROR_OUT_OF_MEMORY) return 0;
            check("cuMemAlloc_v2", status, bytes + " bytes");
            return p.get(JAVA_LONG, 0);
        }
    }

    /** Frees device memory from {@link #tryMalloc}. */
    public static void free(long ptr) {
        check("cuMemFree_v2", CudaDriver.cuMemFree(ptr), null);
    }

    /** Sets {@code count} 32-bit words at {@code dst} to {@code value}, queued on {@code stream}. */
    public static void memsetD32(long dst, int value, long count, Stream stream) {
        check("cuMemsetD32Async", CudaDriver.cuMemsetD32Async(dst, value, count, stream.raw()), count + " words");
    }

    /** Sets {@code count} bytes at {@code dst} to {@code value}, queued on {@code stream}. */
    public static void memsetD8(long dst, byte value, long count, Stream stream) {
        check("cuMemsetD8Async", CudaDriver.cuMemsetD8Async(dst, value, count, stream.raw()), count + " bytes");
    }

    /**
     * Sets one 32-bit word in each of {@code height} rows of {@code width} words spaced
     * {@code pitchBytes} apart, queued on {@code stream} (fills one word of each 64-bit element
     * with a pitch of 8).
     */
    public static void memsetD2D32(long dst, long pitchBytes, int value, long width, long height, Stream stream) {
        check("cuMemsetD2D32Async", CudaDriver.cuMemsetD2D32Async(dst, pitchBytes, value, width, height, stream.raw()),
                height + " rows");
    }

    /** Device-to-device copy queued on {@code stream}. */
    public static void copyDeviceToDevice(long dst, long src, long bytes, Stream stream) {
        check("cuMemcpyDtoDAsync_v2", CudaDriver.cuMemcpyDtoDAsync(dst, src, bytes, stream.raw()), bytes + " bytes");
    }

    /** Host (pinned) to device copy queued on {@code stream}. */
    public static void copyHostToDevice(long dst, PinnedBuffer src, long srcOffset, long bytes, Stream stream) {
        check("cuMemcpyHtoDAsync_v2", CudaDriver.cuMemcpyHtoDAsync(dst, src.segment().asSlice(srcOffset, bytes), bytes,
                stream.raw()), bytes + " bytes");
    }

    /** Device to host (pinned) copy queued on {@code stream}. */
    public static void copyDeviceToHost(PinnedBuffer dst, long dstOffset, long src, long bytes, Stream stream) {
        check("cuMemcpyDtoHAsync_v2", CudaDriver.cuMemcpyDtoHAsync(dst.segment().asSlice(dstOffset, bytes), src, bytes,
                stream.raw()), bytes + " bytes");
    }

    /** The device's primary context, retained; {@link #close()} releases it. */
    public static final class Context implements AutoCloseable {
        private final int device;
        private final MemorySegment ctx;
        private boolean closed;

        Context(int device, MemorySegment ctx) {
            this.device = device;
            this.ctx = ctx;
        }

        /** Retains the primary context of {@code device}. */
        public static Context retainPrimary(int device) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(ADDRESS);
                check("cuDevicePrimaryCtxRetain", CudaDriver.cuDevicePrimaryCtxRetain(p, device), "device " + device);
                return new Context(device, p.get(ADDRESS, 0));
            }
        }

        /** Binds this context to the calling thread. */
        public void makeCurrent() {
            check("cuCtxSetCurrent", CudaDriver.cuCtxSetCurrent(ctx), "device " + device);
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            check("cuDevicePrimaryCtxRelease_v2", CudaDriver.cuDevicePrimaryCtxRelease(device), "device " + device);
        }
    }

    /** A non-blocking stream of the current context. */
    public static final class Stream implements AutoCloseable {
        private final MemorySegment stream;
        private boolean closed;

        Stream(MemorySegment stream) {
            this.stream = stream;
        }

        /** Creates a stream that does not synchronise with the legacy default stream. */
        public static Stream create() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(ADDRESS);
                check("cuStreamCreate", CudaDriver.cuStreamCreate(p, STREAM_NON_BLOCKING), null);
                return new Stream(p.get(ADDRESS, 0));
            }
        }

        MemorySegment raw() {
            return stream;
        }

        /** Waits for all work queued so far. */
        public void synchronize() {
            check("cuStreamSynchronize", CudaDriver.cuStreamSynchronize(stream), null);
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            check("cuStreamDestroy_v2", CudaDriver.cuStreamDestroy(stream), null);
        }
    }

    /** An event without timing, to know when queued work has passed a point. */
    public static final class Event implements AutoCloseable {
        private final MemorySegment event;
        private boolean closed;

        Event(MemorySegment event) {
            this.event = event;
        }

        /** Creates an event (timing disabled). */
        public static Event create() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(ADDRESS);
                check("cuEventCreate", CudaDriver.cuEventCreate(p, EVENT_DISABLE_TIMING), null);
                return new Event(p.get(ADDRESS, 0));
            }
        }

        /** Marks the current end of {@code stream}. */
        public void record(Stream stream) {
            check("cuEventRecord", CudaDriver.cuEventRecord(event, stream.raw()), null);
        }

        /** True once the work before the last {@link #record} has finished (or it was never recorded). */
        public boolean isDone() {
            int status = CudaDriver.cuEventQuery(event);
            if (status == ERROR_NOT_READY) return false;
            check("cuEventQuery", status, null);
            return true;
        }

        /** Waits for the work before the last {@link #record}. */
        public void synchronize() {
            check("cuEventSynchronize", CudaDriver.cuEventSynchronize(event), null);
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            check("cuEventDestroy_v2", CudaDriver.cuEventDestroy(event), null);
        }
    }

    /** Page-locked host memory (for asynchronous copies). */
    public static final class PinnedBuffer implements AutoCloseable {
        private final MemorySegment segment;
        private boolean closed;

        PinnedBuffer(MemorySegment segment) {
            this.segment = segment;
        }

        /** Allocates {@code bytes} of pinned host memory. */
        @SuppressWarnings("restricted") // sized to the allocation just made
        public static PinnedBuffer allocate(long bytes) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(ADDRESS);
                check("cuMemHostAlloc", CudaDriver.cuMemHostAlloc(p, bytes, 0), bytes + " bytes");
                return new PinnedBuffer(p.get(ADDRESS, 0).reinterpret(bytes));
            }
        }

        /** The memory; invalid after {@link #close()}. */
        public MemorySegment segment() {
            return segment;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            check("cuMemFreeHost", CudaDriver.cuMemFreeHost(segment), null);
        }
    }

    /** A loaded module image (Kiln's fatbin, or NVRTC's cubin or PTX) and its functions. */
    public static final class Module implements AutoCloseable {
        private final MemorySegment module;
        private boolean closed;

        Module(MemorySegment module) {
            this.module = module;
        }

        /** Loads a cubin/fatbin/PTX image into the current context. */
        public static Module load(byte[] image) {
            return load(image, "kiln.fatbin, " + image.length + " bytes");
        }

        /**
         * Loads a cubin, fatbin or PTX image (PTX NUL-terminated, or terminated here) into the current
         * context; {@code what} names the image in errors.
         */
        public static Module load(byte[] image, String what) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment data = arena.allocate(image.length + 1L, 16);
                MemorySegment.copy(MemorySegment.ofArray(image), 0, data, 0, image.length);
                MemorySegment p = arena.allocate(ADDRESS);
                check("cuModuleLoadData", CudaDriver.cuModuleLoadData(p, data), what);
                return new Module(p.get(ADDRESS, 0));
            }
        }

        /** The kernel named {@code name}. */
        public Function function(String name) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(ADDRESS);
                check("cuModuleGetFunction", CudaDriver.cuModuleGetFunction(p, module, arena.allocateFrom(name)),
                        "kernel " + name + " (is the kernels module older than this jar?)");
                return new Function(name, p.get(ADDRESS, 0));
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            check("cuModuleUnload", CudaDriver.cuModuleUnload(module), null);
        }
    }

    /** A kernel of a {@link Module}; valid while the module is loaded. */
    public static final class Function {
        private final String name;
        private final MemorySegment function;

        Function(String name, MemorySegment function) {
            this.name = name;
            this.function = function;
        }

        /** Queues the kernel on {@code stream}; {@code params} is the {@code void*[]} of argument addresses. */
        public void launch(int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, Stream stream, MemorySegment params) {
            int status = CudaDriver.cuLaunchKernel(function, gx, gy, gz, bx, by, bz, sharedBytes, stream.raw(), params,
                    MemorySegment.NULL);
            if (status != 0) {
                check("cuLaunchKernel", status, name + " grid (" + gx + ", " + gy + ", " + gz + ") block (" + bx + ", " + by
                        + ", " + bz + ") shared " + sharedBytes);
            }
        }
    }
}
