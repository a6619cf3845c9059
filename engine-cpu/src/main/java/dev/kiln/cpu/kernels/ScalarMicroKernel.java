package dev.kiln.cpu.kernels;

/** The reference {@link MicroKernel}: plain loops (which C2 may auto-vectorise along columns); the fallback when the Vector API is absent. */
public final class ScalarMicroKernel implements MicroKernel {
    @Override
    public void multiplyAdd(float[] a, float[] b, float[] acc, int rows, int depth, int cols) {
        for (int i = 0; i < rows; i++) {
            int accRow = i * cols, aRow = i * depth;
            for (int p = 0; p < depth; p++) {
                float av = a[aRow + p];
                int bRow = p * cols;
                for (int j = 0; j < cols; j++) acc[accRow + j] += av * b[bRow + j];
            }
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}
