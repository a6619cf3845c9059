package dev.kiln.cpu.kernels;

/** The {@link CellRows} of this JVM, chosen once with the same rule as {@link MicroKernels}. */
final class CellRowsChoice {
    private static final String VECTOR = "dev.kiln.cpu.simd.VectorCellRows";
    static final CellRows SCALAR = new ScalarCellRows();
    static final CellRows CHOSEN = choose();

    private CellRowsChoice() {}

    private static CellRows choose() {
        if ("false".equalsIgnoreCase(System.getProperty(MicroKernels.SIMD_PROPERTY)) || MicroKernels.vectorFamily().isEmpty()) {
            return SCALAR;
        }
        try {
            return (CellRows) Class.forName(VECTOR).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return SCALAR;
        }
    }
}
