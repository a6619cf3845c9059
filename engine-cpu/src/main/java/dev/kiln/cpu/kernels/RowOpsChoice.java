package dev.kiln.cpu.kernels;

/** The {@link RowOps} of this JVM, chosen once with the same rule as {@link MicroKernels}. */
final class RowOpsChoice {
    private static final String VECTOR = "dev.kiln.cpu.simd.VectorRowOps";
    static final RowOps CHOSEN = choose();

    private RowOpsChoice() {}

    private static RowOps choose() {
        if ("false".equalsIgnoreCase(System.getProperty(MicroKernels.SIMD_PROPERTY)) || MicroKernels.vectorFamily().isEmpty()) {
            return new ScalarRowOps();
        }
        try {
            return (RowOps) Class.forName(VECTOR).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new ScalarRowOps();
        }
    }
}
