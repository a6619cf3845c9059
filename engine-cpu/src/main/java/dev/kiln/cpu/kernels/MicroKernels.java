package dev.kiln.cpu.kernels;

import java.util.Optional;

/**
 * Chooses the GEMM {@link MicroKernel} once: the Vector API one when the
 * {@code jdk.incubator.vector} module is in the boot layer and {@value #SIMD_PROPERTY} is not
 * {@code false}, else the scalar one. The vector class is loaded reflectively so that no class
 * outside {@code dev.kiln.cpu.simd} links against the incubator module.
 */
public final class MicroKernels {
    /** Set to {@code false} to force the scalar path (both paths then run in CI). */
    public static final String SIMD_PROPERTY = "kiln.cpu.simd";
    private static final String VECTOR_CLASS = "dev.kiln.cpu.simd.VectorMicroKernel";
    private static final System.Logger LOG = System.getLogger(MicroKernels.class.getName());

    private static volatile MicroKernel chosen;
    private static volatile String reason = "not chosen yet";

    private MicroKernels() {}

    /** The kernel GEMM uses, chosen (and logged) on first call. */
    public static MicroKernel get() {
        MicroKernel k = chosen;
        if (k == null) {
            synchronized (MicroKernels.class) {
                if (chosen == null) {
                    chosen = choose();
                    LOG.log(System.Logger.Level.INFO, "kiln cpu gemm micro-kernel: " + chosen.name() + " (" + reason + ")");
                }
                k = chosen;
            }
        }
        return k;
    }

    /** Why {@link #get()} chose what it did. */
    public static String reason() {
        get();
        return reason;
    }

    /** The scalar reference kernel. */
    public static MicroKernel scalar() {
        return new ScalarMicroKernel();
    }

    /** The Vector API kernel, if the incubator module is present and usable. */
    public static Optional<MicroKernel> vector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return Optional.empty();
        try {
            return Optional.of((MicroKernel) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static MicroKernel choose() {
        if ("false".equalsIgnoreCase(System.getProperty(SIMD_PROPERTY))) {
            reason = SIMD_PROPERTY + "=false";
            return scalar();
        }
        Optional<MicroKernel> v = vector();
        if (v.isPresent()) {
            reason = "jdk.incubator.vector present";
            return v.get();
        }
        reason = "jdk.incubator.vector not in the boot layer; run with --add-modules jdk.incubator.vector for SIMD";
        return scalar();
    }
}
