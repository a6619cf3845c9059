package dev.kiln.cpu.kernels;

import java.util.List;
import java.util.Optional;

/**
 * Chooses the GEMM {@link MicroKernel} once: the Vector API family's preferred tile when the
 * {@code jdk.incubator.vector} module is in the boot layer and {@value #SIMD_PROPERTY} is not
 * {@code false}, else the scalar one. The vector classes are loaded reflectively so that no class
 * outside {@code dev.kiln.cpu.simd} links against the incubator module.
 */
public final class MicroKernels {
    /** Set to {@code false} to force the scalar path (both paths then run in CI). */
    public static final String SIMD_PROPERTY = "kiln.cpu.simd";
    /** Overrides the vector tile shape, as rows x vectors (e.g. {@code 12x2}). */
    public static final String TILE_PROPERTY = "kiln.cpu.tile";
    private static final String VECTOR_FAMILY = "dev.kiln.cpu.simd.VectorKernels";
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

    /** The Vector API family, if the incubator module is present and usable. */
    public static Optional<KernelFamily> vectorFamily() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return Optional.empty();
        try {
            return Optional.of((KernelFamily) Class.forName(VECTOR_FAMILY).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Every available kernel: the scalar one and, when present, each vector tile shape. */
    public static List<MicroKernel> all() {
        List<MicroKernel> all = new java.util.ArrayList<>();
        all.add(scalar());
        vectorFamily().ifPresent(f -> all.addAll(f.all()));
        return all;
    }

    private static MicroKernel choose() {
        if ("false".equalsIgnoreCase(System.getProperty(SIMD_PROPERTY))) {
            reason = SIMD_PROPERTY + "=false";
            return scalar();
        }
        Optional<KernelFamily> v = vectorFamily();
        if (v.isPresent()) {
            reason = "jdk.incubator.vector present";
            return v.get().preferred();
        }
        reason = "jdk.incubator.vector not in the boot layer; run with --add-modules jdk.incubator.vector for SIMD";
        return scalar();
    }
}
