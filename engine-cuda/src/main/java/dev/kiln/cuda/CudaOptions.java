package dev.kiln.cuda;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Run-time choices of the CUDA backend, from system properties (which win) or the environment.
 *
 * @param device        device ordinal: {@code kiln.cuda.device} / {@code KILN_CUDA_DEVICE}, default 0
 * @param tf32          allow TF32 tensor-core math in cuBLAS and cuDNN: {@code kiln.cuda.tf32} /
 *                      {@code KILN_CUDA_TF32}, default false (full FP32)
 * @param deterministic only cuDNN convolution algorithms reported deterministic:
 *                      {@code kiln.cuda.deterministic} / {@code KILN_CUDA_DETERMINISTIC}; default true,
 *                      because the Backend SPI promises identical results for identical inputs (set
 *                      false to allow faster algorithms that accumulate with atomics)
 * @param benchmark     choose each convolution's algorithms by timing them once per shape
 *                      ({@code cudnnFind*}) instead of by cuDNN's heuristics: {@code kiln.cuda.benchmark} /
 *                      {@code KILN_CUDA_BENCHMARK}, default false (the first step of each new shape
 *                      is then slower)
 * @param kernels       where Kiln's own kernels come from: {@code kiln.cuda.kernels} /
 *                      {@code KILN_CUDA_KERNELS} = {@code fatbin}, {@code nvrtc} or {@code auto}
 *                      (default): see {@link Kernels}
 */
public record CudaOptions(int device, boolean tf32, boolean deterministic, boolean benchmark, Kernels kernels) {

    /** Where the kernels module comes from. */
    public enum Kernels {
        /** Only {@code kiln.fatbin}, built by nvcc with the jar. */
        FATBIN,
        /** Only NVRTC's compilation of the shipped sources for this GPU (skips the fatbin; for testing that path). */
        NVRTC,
        /** The fatbin, and NVRTC when the fatbin is missing or has no code this GPU and driver can load. */
        AUTO;

        /**
         * Parses {@code fatbin}, {@code nvrtc} or {@code auto} (any case).
         *
         * @param value the text of the option
         * @return the choice
         * @throws IllegalArgumentException for anything else
         */
        public static Kernels parse(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "fatbin" -> FATBIN;
                case "nvrtc" -> NVRTC;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("KILN_CUDA_KERNELS (kiln.cuda.kernels) must be fatbin, nvrtc or auto, got '"
                        + value + "'");
            };
        }
    }

    /** Checks {@code kernels} is given. */
    public CudaOptions {
        Objects.requireNonNull(kernels, "kernels");
    }

    /**
     * Options with kernels from the fatbin, falling back to NVRTC ({@link Kernels#AUTO}).
     *
     * @param device CUDA device ordinal
     * @param tf32 allow TF32 tensor-core math in GEMM and convolution
     * @param deterministic choose only deterministic algorithms
     * @param benchmark time the convolution algorithms once per shape instead of trusting heuristics
     */
    public CudaOptions(int device, boolean tf32, boolean deterministic, boolean benchmark) {
        this(device, tf32, deterministic, benchmark, Kernels.AUTO);
    }

    /**
     * Options choosing algorithms by heuristics, kernels {@link Kernels#AUTO}.
     *
     * @param device CUDA device ordinal
     * @param tf32 allow TF32 tensor-core math in GEMM and convolution
     * @param deterministic choose only deterministic algorithms
     */
    public CudaOptions(int device, boolean tf32, boolean deterministic) {
        this(device, tf32, deterministic, false);
    }

    /** {@return options of this process} */
    public static CudaOptions fromEnvironment() {
        return from(System.getProperties(), System.getenv());
    }

    /**
     * Options from explicit sources.
     *
     * @param props system properties ({@code kiln.cuda.*}); they win over the environment
     * @param env environment variables ({@code KILN_CUDA_*})
     * @return the options
     * @throws IllegalArgumentException if the device ordinal is not a non-negative integer or the
     *     kernels choice is not fatbin, nvrtc or auto
     */
    public static CudaOptions from(Properties props, Map<String, String> env) {
        String dev = value(props, env, "kiln.cuda.device", "KILN_CUDA_DEVICE", "0");
        int device;
        try {
            device = Integer.parseInt(dev.trim());
        } catch (NumberFormatException e) {
            device = -1;
        }
        if (device < 0) throw new IllegalArgumentException("KILN_CUDA_DEVICE must be a device ordinal (0, 1, ...), got '" + dev + "'");
        return new CudaOptions(device, flag(value(props, env, "kiln.cuda.tf32", "KILN_CUDA_TF32", "false")),
                flag(value(props, env, "kiln.cuda.deterministic", "KILN_CUDA_DETERMINISTIC", "true")),
                flag(value(props, env, "kiln.cuda.benchmark", "KILN_CUDA_BENCHMARK", "false")),
                Kernels.parse(value(props, env, "kiln.cuda.kernels", "KILN_CUDA_KERNELS", "auto")));
    }

    /**
     * The debugging switch {@code kiln.cuda.syncEachOp} / {@code KILN_CUDA_SYNC_EACH_OP} (default
     * off): wait for the GPU after every backend call, so that an asynchronous failure (an illegal
     * address in a kernel, a failed cuDNN execution) is reported by the call that caused it. Slow;
     * combine with {@code CUDA_LAUNCH_BLOCKING=1} to pin it to the kernel.
     *
     * @param props system properties
     * @param env environment variables
     * @return true when the switch is on
     */
    public static boolean syncEachOp(Properties props, Map<String, String> env) {
        return flag(value(props, env, "kiln.cuda.syncEachOp", "KILN_CUDA_SYNC_EACH_OP", "false"));
    }

    private static String value(Properties props, Map<String, String> env, String property, String variable, String fallback) {
        String v = props.getProperty(property);
        if (v == null) v = env.get(variable);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static boolean flag(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            default -> false;
        };
    }
}
