package dev.kiln.cuda;

import dev.kiln.cuda.driver.CompiledKernelCache;
import dev.kiln.cuda.driver.FatbinLauncher;
import dev.kiln.cuda.driver.KernelModules;
import dev.kiln.cuda.driver.NvrtcKernels;
import dev.kiln.cuda.ffi.Blas;
import dev.kiln.cuda.ffi.Dnn;
import dev.kiln.cuda.ffi.DnnCalls;
import dev.kiln.cuda.ffi.Driver;
import dev.kiln.cuda.ffi.NativeLibraries;
import dev.kiln.cuda.ffi.RuntimeCompiler;
import dev.kiln.cuda.kernels.KernelOps;
import dev.kiln.cuda.memory.CachingAllocator;
import dev.kiln.cuda.memory.DeviceMemory;
import dev.kiln.cuda.memory.PinnedStaging;
import dev.kiln.kernels.KernelSources;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the CUDA backend holds on one device: the retained primary context, one compute
 * stream, the cuBLAS and cuDNN handles bound to it, the caching allocator, the pinned staging
 * ring and the loaded kernels module ({@link KernelModules}: the fatbin, or NVRTC's compilation
 * of the shipped sources). Work is serialised by one lock ({@link #begin(String)}), which also makes
 * the context current on the calling thread, on every call ({@link DeviceGate}). {@link #close()}
 * releases all in reverse order, best-effort.
 */
final class CudaRuntime implements AutoCloseable {
    /** An op in progress: holds the lock; closing releases the op's temporaries and the lock. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    final CudaOptions options;
    final int ordinal;
    final String deviceName;
    final int driverVersion, ccMajor, ccMinor, multiprocessors, maxThreadsPerBlock;
    final int cublasVersion;
    final long cudnnVersion;
    final CachingAllocator allocator;
    final Driver.Stream stream;
    final Blas.Handle blas;
    final DnnCalls dnn;
    final PinnedStaging staging;
    final FatbinLauncher launcher;
    /** Where the kernels' code came from ({@link KernelModules.Loaded#origin()}). */
    final String kernelsOrigin;
    final KernelOps kernels;
    /** A device int the cross-entropy kernel sets to 1 + row on an out-of-range target. */
    final long errorFlag;

    private final Driver.Context context;
    private final List<AutoCloseable> owned;
    private final DeviceGate gate;
    private final boolean syncEachOp = CudaOptions.syncEachOp(System.getProperties(), System.getenv());
    /** The backend call holding the lock (for {@code syncEachOp} errors). */
    private String op;
    private final Scope scope = this::endScope;

    private CudaRuntime(CudaOptions options, NativeLibraries libs, Optional<byte[]> fatbin) {
        this.options = options;
        this.owned = new ArrayList<>();
        this.ordinal = options.device();
        int device = Driver.device(ordinal);
        this.deviceName = Driver.deviceName(device);
        this.driverVersion = Driver.driverVersion();
        this.ccMajor = Driver.attribute(device, Driver.ATTR_CC_MAJOR);
        this.ccMinor = Driver.attribute(device, Driver.ATTR_CC_MINOR);
        this.multiprocessors = Driver.attribute(device, Driver.ATTR_MULTIPROCESSOR_COUNT);
        this.maxThreadsPerBlock = Driver.attribute(device, Driver.ATTR_MAX_THREADS_PER_BLOCK);
        this.context = own(Driver.Context.retainPrimary(device));
        context.makeCurrent();
        this.gate = new DeviceGate(context::makeCurrent);
        this.stream = own(Driver.Stream.create());
        this.allocator = new CachingAllocator(new DriverMemory(stream));
        own((AutoCloseable) allocator::releaseAll);
        this.staging = own(new PinnedStaging(stream));
        this.blas = own(Blas.Handle.create());
        blas.setStream(stream);
        blas.setMathMode(options.tf32() ? Blas.MATH_TF32_TENSOR_OP : Blas.MATH_DEFAULT);
        this.cublasVersion = blas.version();
        Dnn.Handle dnnHandle = own(Dnn.Handle.create());
        dnnHandle.setStream(stream);
        this.dnn = dnnHandle.calls();
        this.cudnnVersion = Dnn.version();
        KernelModules.Loaded<Driver.Module> kernelsModule = KernelModules.load(options.kernels(), fatbin, Driver.Module::load,
                () -> nvrtcKernels(libs).compile(ccMajor, ccMinor),
                line -> System.getLogger(CudaRuntime.class.getName()).log(System.Logger.Level.INFO, line));
        Driver.Module module = own(kernelsModule.module());
        this.kernelsOrigin = kernelsModule.origin();
        this.launcher = new FatbinLauncher(module, stream, allocator, staging, maxThreadsPerBlock);
        this.kernels = new KernelOps(launcher);
        this.errorFlag = allocator.allocate(4);
        Driver.memsetD32(errorFlag, 0, 1, stream);
    }

    private NvrtcKernels nvrtcKernels(NativeLibraries libs) {
        KernelSources sources = KernelSources.load().orElseThrow(() -> new CudaException(
                "the kernels jar has no CUDA sources (" + KernelSources.RESOURCE_DIR + KernelSources.MAIN + ")"));
        return new NvrtcKernels(RuntimeCompiler.open(libs, driverVersion), CompiledKernelCache.shared(), sources);
    }

    /** Resources created by a constructor that has not returned yet, so that a failure can release them. */
    private static final ThreadLocal<List<AutoCloseable>> PENDING = ThreadLocal.withInitial(ArrayList::new);

    /**
     * Opens device {@code options.device()} (after {@code cuInit} succeeded) and loads the kernels
     * ({@code fatbin}, or NVRTC from {@code libs} as {@code options.kernels()} allows); on failure
     * releases what was created and rethrows.
     */
    static CudaRuntime open(CudaOptions options, NativeLibraries libs, Optional<byte[]> fatbin) {
        PENDING.get().clear();
        try {
            return new CudaRuntime(options, libs, fatbin);
        } catch (RuntimeException | Error e) {
            closeAll(PENDING.get(), e);
            throw e;
        } finally {
            PENDING.get().clear();
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        PENDING.get().add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> resources, Throwable cause) {
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * Takes the lock for backend call {@code op} and makes the context current on this thread; close
     * the scope when the op has queued its work.
     */
    Scope begin(String op) {
        gate.enter();
        this.op = op;
        return scope;
    }

    private void endScope() {
        try {
            launcher.releaseTemporaries();
            if (syncEachOp && gate.outermost() && !gate.isClosed()) {
                try {
                    stream.synchronize();
                } catch (CudaException e) {
                    CudaException named = new CudaException("cuda: " + op + " failed on the GPU (reported right after it: "
                            + "KILN_CUDA_SYNC_EACH_OP is on): " + e.getMessage());
                    named.initCause(e);
                    throw named;
                }
            }
        } finally {
            gate.exit();
        }
    }

    /** Device bytes free right now (the context must be current). */
    long freeDeviceBytes() {
        return Driver.memInfo()[0];
    }

    /**
     * Waits for the stream and releases modules, handles, memory and the context, each attempted even
     * after a failure (a sticky kernel fault makes every call fail); throws at most one
     * {@link CudaException} at the end. Idempotent.
     */
    @Override
    public void close() {
        gate.close(stream::synchronize, owned);
    }

    /** Device memory through the driver; frees wait for the stream so no queued kernel loses its memory. */
    private record DriverMemory(Driver.Stream stream) implements DeviceMemory {
        @Override
        public long tryAllocate(long bytes) {
            return Driver.tryMalloc(bytes);
        }

        @Override
        public void free(long address) {
            Driver.free(address);
        }

        @Override
        public long freeBytes() {
            try {
                return Driver.memInfo()[0];
            } catch (RuntimeException e) {
                return -1;
            }
        }

        @Override
        public void synchronize() {
            stream.synchronize();
        }
    }
}
