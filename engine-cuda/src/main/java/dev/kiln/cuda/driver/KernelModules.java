package dev.kiln.cuda.driver;

import dev.kiln.cuda.CudaException;
import dev.kiln.cuda.CudaOptions.Kernels;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where Kiln's kernels module comes from: {@code kiln.fatbin} (nvcc, build time) or NVRTC's
 * compilation of the shipped sources for this GPU (run time). Under {@link Kernels#AUTO} the
 * fatbin is tried first and NVRTC only when the fatbin is missing or the driver answers
 * {@code cuModuleLoadData} with a status of {@link #NO_USABLE_CODE} (a fatbin from a newer nvcc
 * than the driver supports, or without code for this GPU); one log line then says so and why.
 * Any other failure (out of memory, a broken context) is not a matter of code and is rethrown.
 * Generic in the module type so the decision is tested without a GPU.
 */
public final class KernelModules {
    /**
     * The {@code CUresult}s of {@code cuModuleLoadData} (cuda.h, CUDA 12 and 13) after which NVRTC
     * may still give this GPU code: no SASS for it and no PTX it can JIT ({@code NO_BINARY_FOR_GPU}),
     * PTX of a newer ISA than the driver's ({@code UNSUPPORTED_PTX_VERSION}), an image the driver
     * cannot parse, e.g. a newer cubin format ({@code INVALID_IMAGE}), and a PTX JIT that failed,
     * is missing or is disabled ({@code INVALID_PTX}, {@code JIT_COMPILER_NOT_FOUND},
     * {@code JIT_COMPILATION_DISABLED}: NVRTC's cubin needs no JIT).
     */
    public static final Map<Integer, String> NO_USABLE_CODE = Map.of(
            200, "CUDA_ERROR_INVALID_IMAGE",
            209, "CUDA_ERROR_NO_BINARY_FOR_GPU",
            218, "CUDA_ERROR_INVALID_PTX",
            221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND",
            222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
            223, "CUDA_ERROR_JIT_COMPILATION_DISABLED");

    private KernelModules() {}

    /** Loads an image into the current context ({@code cuModuleLoadData}); throws {@link CudaException} with the status. */
    public interface Loader<M> {
        /** Loads {@code image}, described by {@code what} in errors. */
        M load(byte[] image, String what);
    }

    /**
     * An image to load and where it came from.
     *
     * @param bytes  a fatbin, cubin or NUL-terminated PTX
     * @param origin e.g. {@code kiln.fatbin} or {@code NVRTC 13.0 cubin sm_90}
     */
    public record Image(byte[] bytes, String origin) {}

    /**
     * The loaded module.
     *
     * @param module the module
     * @param origin where its code came from ({@link Image#origin()})
     */
    public record Loaded<M>(M module, String origin) {}

    /** The kernels cannot be loaded by the chosen path(s); the message holds each path's reason. */
    public static final class KernelsUnavailableException extends CudaException {
        /** An exception with the complete reason. */
        public KernelsUnavailableException(String message, Throwable cause) {
            super(message);
            if (cause != null) initCause(cause);
        }
    }

    /**
     * Loads the kernels module as {@code mode} says.
     *
     * @param fatbin  {@code kiln.fatbin}'s bytes, empty when the jar was built without nvcc
     * @param nvrtc   compiles the sources for this GPU (called only when needed); throws with the reason
     * @param log     receives the one line saying NVRTC is used and why
     * @throws KernelsUnavailableException when no allowed path gives a module, with every reason
     * @throws CudaException               when loading fails for a reason other than the code ({@link #NO_USABLE_CODE})
     */
    public static <M> Loaded<M> load(Kernels mode, Optional<byte[]> fatbin, Loader<M> loader, Supplier<Image> nvrtc,
                                     Consumer<String> log) {
        if (mode == Kernels.NVRTC) {
            Loaded<M> loaded = viaNvrtc(loader, nvrtc, "kiln.cuda.kernels=nvrtc", null);
            log.accept("cuda: kernels from " + loaded.origin() + " (kiln.cuda.kernels=nvrtc; kiln.fatbin not tried)");
            return loaded;
        }
        String fatbinProblem;
        if (fatbin.isEmpty()) {
            fatbinProblem = "kiln.fatbin is missing from the kernels jar (it was built without nvcc: install the CUDA toolkit, "
                    + "nvcc on PATH, and rebuild)";
            if (mode == Kernels.FATBIN) {
                throw new KernelsUnavailableException(fatbinProblem + "; or allow NVRTC with KILN_CUDA_KERNELS=auto", null);
            }
        } else {
            try {
                return new Loaded<>(loader.load(fatbin.get(), "kiln.fatbin, " + fatbin.get().length + " bytes"), "kiln.fatbin");
            } catch (CudaException e) {
                if (!NO_USABLE_CODE.containsKey(e.status())) throw e;
                if (mode == Kernels.FATBIN) {
                    throw new KernelsUnavailableException("kiln.fatbin has no code this GPU and driver can load: " + e.getMessage()
                            + "; rebuild the kernels module with a CUDA toolkit no newer than the driver, or allow NVRTC with "
                            + "KILN_CUDA_KERNELS=auto", e);
                }
                fatbinProblem = "kiln.fatbin has no code this GPU and driver can load (" + e.getMessage() + ")";
            }
        }
        Loaded<M> loaded = viaNvrtc(loader, nvrtc, fatbinProblem, fatbinProblem);
        log.accept("cuda: " + fatbinProblem + "; using kernels from " + loaded.origin());
        return loaded;
    }

    private static <M> Loaded<M> viaNvrtc(Loader<M> loader, Supplier<Image> nvrtc, String why, String fatbinProblem) {
        Image image;
        try {
            image = nvrtc.get();
        } catch (RuntimeException e) {
            throw unavailable(fatbinProblem, "compiling the kernels with NVRTC failed: " + e.getMessage(), e);
        }
        try {
            return new Loaded<>(loader.load(image.bytes(), image.origin() + " (" + why + "), " + image.bytes().length + " bytes"),
                    image.origin());
        } catch (CudaException e) {
            String hint = NO_USABLE_CODE.containsKey(e.status())
                    ? " (is NVRTC newer than the driver? put the NVRTC of the driver's CUDA version first on LD_LIBRARY_PATH)" : "";
            throw unavailable(fatbinProblem, "loading " + image.origin() + " failed: " + e.getMessage() + hint, e);
        }
    }

    private static KernelsUnavailableException unavailable(String fatbinProblem, String nvrtcProblem, RuntimeException cause) {
        String message = fatbinProblem == null
                ? "Kiln's kernels: " + nvrtcProblem + " (kiln.cuda.kernels=nvrtc; unset KILN_CUDA_KERNELS to use kiln.fatbin)"
                : "no kernel code for this GPU: " + fatbinProblem + "; and " + nvrtcProblem;
        return new KernelsUnavailableException(message, cause);
    }
}
