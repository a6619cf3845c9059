/**
 * Kiln's CPU backend: pure Java, with Vector API kernels when {@code jdk.incubator.vector} is in
 * the boot layer ({@code --add-modules jdk.incubator.vector}); scalar kernels otherwise.
 *
 * <p>Exports nothing: applications reach the backend through {@code dev.kiln} and
 * {@link java.util.ServiceLoader}, and the kernels are internal.
 */
module dev.kiln.cpu {
    requires dev.kiln;
    // Optional at run time: only dev.kiln.cpu.simd links against it, loaded reflectively after
    // ModuleLayer.boot().findModule("jdk.incubator.vector") says it is there.
    requires static jdk.incubator.vector;

    provides dev.kiln.spi.BackendProvider with dev.kiln.cpu.CpuBackendProvider;
}
