package dev.kiln.cuda;

import dev.kiln.cuda.driver.KernelModules;
import dev.kiln.cuda.ffi.Driver;
import dev.kiln.cuda.ffi.NativeLibraries;
import dev.kiln.cuda.ffi.NativeLibraries.Library;
import dev.kiln.kernels.Fatbin;
import dev.kiln.spi.BackendProvider;
import dev.kiln.spi.ProbeResult;
import java.util.List;
import java.util.Optional;

/**
 * Discovers the CUDA backend (name "cuda", rank 100). Constructing it touches no native code;
 * {@link #probe()} loads the libraries, opens the device, loads the kernels (the fatbin, or NVRTC's
 * compilation of the shipped sources where the fatbin has no code for the GPU) and runs a self-check,
 * and reports the cause and the fix of any failure instead of throwing.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** Oldest driver API version accepted (CUDA 12.0). */
    static final int MIN_DRIVER_VERSION = 12000;
    private static final String OR_CPU = " or set KILN_BACKEND=cpu";

    /** A provider; does nothing until {@link #probe()}. */
    public CudaBackendProvider() {}

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public ProbeResult probe() {
        try {
            return probe(NativeLibraries.get(), CudaOptions.fromEnvironment(), Fatbin.load());
        } catch (IllegalCallerException e) {
            return unavailable(NativeLibraries.nativeAccessFix());
        } catch (ExceptionInInitializerError e) {
            return unavailable(e.getCause() instanceof IllegalCallerException ? NativeLibraries.nativeAccessFix() : describe(e.getCause()));
        } catch (Throwable e) {
            return unavailable(describe(e));
        }
    }

    /** The native libraries tried and loaded, with their versions ({@link NativeLibraries#report()}). */
    @Override
    public List<String> diagnostics() {
        try {
            return NativeLibraries.get().report().lines().toList();
        } catch (RuntimeException | LinkageError e) {
            return List.of("the CUDA libraries could not be inspected: " + describe(e));
        }
    }

    /** The probe against given libraries, options and fatbin (tests pass their own). */
    static ProbeResult probe(NativeLibraries libs, CudaOptions options, Optional<byte[]> fatbin) {
        if (libs.nativeAccessError().isPresent()) return unavailable(NativeLibraries.nativeAccessFix());
        Optional<String> missing = missingLibrary(libs);
        if (missing.isPresent()) return unavailable(missing.get());
        int status = Driver.init();
        if (status == Driver.ERROR_NO_DEVICE) {
            return unavailable("no CUDA device found (cuInit: " + Driver.errorName(status) + "); check nvidia-smi and CUDA_VISIBLE_DEVICES" + OR_CPU);
        }
        if (status != 0) {
            return unavailable("cuInit failed: " + Driver.errorName(status) + "; check the NVIDIA driver installation (nvidia-smi)" + OR_CPU);
        }
        int driver = Driver.driverVersion();
        if (driver < MIN_DRIVER_VERSION) {
            return unavailable("the NVIDIA driver supports CUDA " + driver / 1000 + "." + driver % 1000 / 10
                    + " but Kiln needs CUDA 12.0 or newer; update the NVIDIA driver" + OR_CPU);
        }
        int count = Driver.deviceCount();
        if (count == 0) return unavailable("no CUDA device found; check nvidia-smi and CUDA_VISIBLE_DEVICES" + OR_CPU);
        if (options.device() >= count) {
            return unavailable("KILN_CUDA_DEVICE=" + options.device() + " but only " + count + " CUDA device(s) are visible; use 0.."
                    + (count - 1) + OR_CPU);
        }
        CudaRuntime rt;
        try {
            rt = CudaRuntime.open(options, libs, fatbin);
        } catch (KernelModules.KernelsUnavailableException e) {
            return unavailable("CUDA device " + options.device() + ": " + e.getMessage() + OR_CPU);
        } catch (CudaException e) {
            return unavailable("starting CUDA device " + options.device() + " failed: " + e.getMessage()
                    + "; check nvidia-smi, the library versions above and GPU memory in use by other processes" + OR_CPU);
        }
        CudaBackend backend = new CudaBackend(rt);
        try {
            SelfCheck.run(backend);
        } catch (RuntimeException | AssertionError e) {
            try {
                backend.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            return unavailable("self-check on " + backend.description() + " failed: " + describe(e) + OR_CPU);
        }
        return ProbeResult.ok(backend);
    }

    /** The reason for the first required library that did not load, with what was tried and the fix. */
    static Optional<String> missingLibrary(NativeLibraries libs) {
        for (Library lib : Library.values()) {
            if (!lib.required() || libs.lookup(lib).isPresent()) continue;
            String tried = String.join(", ", libs.attempts(lib).stream().map(Object::toString).toList());
            String what = switch (lib) {
                case CUDA -> "libcuda.so.1 (the NVIDIA driver) not found on the library path (tried " + tried
                        + "); install the NVIDIA driver on a machine with an NVIDIA GPU";
                case CUBLAS -> "cuBLAS (libcublas.so.13 or libcublas.so.12) not found (tried " + tried
                        + "); install the CUDA toolkit or the nvidia-cublas wheel and add its lib directory to LD_LIBRARY_PATH "
                        + "(or set CUDA_HOME / KILN_CUDA_LIBRARY_PATH)";
                case CUDNN -> "libcudnn.so.9 not found (tried " + tried + "); install cuDNN 9 (or the nvidia-cudnn wheel) and add "
                        + "its lib directory to LD_LIBRARY_PATH (or set KILN_CUDA_LIBRARY_PATH)";
                case NVRTC -> throw new AssertionError("NVRTC is optional");
            };
            return Optional.of(what + OR_CPU);
        }
        return Optional.empty();
    }

    private static ProbeResult unavailable(String reason) {
        return ProbeResult.unavailable("cuda", reason);
    }

    private static String describe(Throwable e) {
        if (e == null) return "unknown error";
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
