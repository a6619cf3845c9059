package dev.kiln.cpu.kernels;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.LayerNormSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layer norm and RMS norm over the rows of {@code [rows, cols]} (see {@link LayerNormSpec}), sums
 * in double. Each row is normalised by one task in a fixed order. The weight and bias gradients
 * are column sums over rows: rows are cut into blocks whose size depends on the shape alone, each
 * block sums its rows in order into its own partial row, and the partials are added block by block
 * in order, so the result is identical for every thread count. {@code weight}, {@code bias} and
 * the gradient outputs may be null.
 */
public final class LayerNorm {
    /** Unaligned access: an aligned layout costs an alignment check per element in these scalar loops. */
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** At most this many row blocks for the parameter gradients (bounds the partial-sum memory). */
    static final int MAX_BLOCKS = 256;
    /** At least this many rows per block (a smaller block would not amortise its task). */
    static final int MIN_BLOCK_ROWS = 16;

    private LayerNorm() {}

    /** {@code y} and the per-row {@code mean} (0 for RMS norm) and {@code invStd}. */
    public static void forward(CpuThreadPool pool, LayerNormSpec s, MemorySegment x, MemorySegment weight, MemorySegment bias,
                               MemorySegment y, MemorySegment mean, MemorySegment invStd) {
        int cols = s.cols();
        pool.parallelRange(s.rows(), Math.max(1, Elementwise.GRAIN / cols), (start, end) -> {
            // Rows go through heap copies: segment accesses in these double-precision loops cost more than the arithmetic.
            float[] xr = Workspace.array(Workspace.Heap.ROW_A, cols), yr = Workspace.array(Workspace.Heap.ROW_B, cols);
            float[] w = weight == null ? null : weight.asSlice(0, (long) cols * Float.BYTES).toArray(F);
            float[] b = bias == null ? null : bias.asSlice(0, (long) cols * Float.BYTES).toArray(F);
            for (long r = start; r < end; r++) {
                long base = r * cols;
                MemorySegment.copy(x, F, base * Float.BYTES, xr, 0, cols);
                double m = 0;
                if (!s.rms()) {
                    double sum = 0;
                    for (int j = 0; j < cols; j++) sum += xr[j];
                    m = sum / cols;
                }
                double sq = 0;
                for (int j = 0; j < cols; j++) {
                    double d = xr[j] - m;
                    sq += d * d;
                }
                double inv = 1.0 / Math.sqrt(sq / cols + s.eps());
                for (int j = 0; j < cols; j++) {
                    double v = (xr[j] - m) * inv;
                    if (w != null) v *= w[j];
                    if (b != null) v += b[j];
                    yr[j] = (float) v;
                }
                MemorySegment.copy(yr, 0, y, F, base * Float.BYTES, cols);
                mean.setAtIndex(F, r, (float) m);
                invStd.setAtIndex(F, r, (float) inv);
            }
        });
    }

    /**
     * {@code gx = invStd * (g - mean(g) - xhat * mean(g * xhat))} with {@code g = gy * weight}
     * (RMS norm drops the {@code mean(g)} term), {@code gWeight = sum of gy * xhat},
     * {@code gBias = sum of gy} over rows.
     */
    public static void backward(CpuThreadPool pool, LayerNormSpec s, MemorySegment x, MemorySegment weight, MemorySegment gy,
                                MemorySegment mean, MemorySegment invStd,
                                MemorySegment gx, MemorySegment gWeight, MemorySegment gBias) {
        int rows = s.rows(), cols = s.cols();
        int blockRows = blockRows(rows);
        int blocks = (rows + blockRows - 1) / blockRows;
        double[] partW = gWeight == null ? null : new double[Math.multiplyExact(blocks, cols)];
        double[] partB = gBias == null ? null : new double[Math.multiplyExact(blocks, cols)];
        if (gx != null || partW != null || partB != null) {
            pool.parallelFor(blocks, blk -> {
                float[] w = weight == null ? null : weight.asSlice(0, (long) cols * Float.BYTES).toArray(F);
                int end = Math.min(rows, (blk + 1) * blockRows);
                long pBase = (long) blk * cols;
                // Rows through heap copies, as in the forward.
                float[] xr = Workspace.array(Workspace.Heap.ROW_A, cols), gr = Workspace.array(Workspace.Heap.ROW_B, cols);
                float[] gxr = gx == null ? null : Workspace.array(Workspace.Heap.ROW_C, cols);
                for (int r = blk * blockRows; r < end; r++) {
                    long base = (long) r * cols;
                    double m = mean.getAtIndex(F, r), inv = invStd.getAtIndex(F, r);
                    MemorySegment.copy(x, F, base * Float.BYTES, xr, 0, cols);
                    MemorySegment.copy(gy, F, base * Float.BYTES, gr, 0, cols);
                    if (gx != null) {
                        inputGradient(s, xr, w, gr, gxr, m, inv);
                        MemorySegment.copy(gxr, 0, gx, F, base * Float.BYTES, cols);
                    }
                    for (int j = 0; j < cols && (partW != null || partB != null); j++) {
                        double g = gr[j];
                        if (partW != null) partW[(int) pBase + j] += g * (xr[j] - m) * inv;
                        if (partB != null) partB[(int) pBase + j] += g;
                    }
                }
            });
        }
        if (gWeight != null) sumBlocks(pool, partW, blocks, cols, gWeight);
        if (gBias != null) sumBlocks(pool, partB, blocks, cols, gBias);
    }

    /** One row of the input gradient: {@code gxr} from the row's {@code xr} and {@code gr}. */
    private static void inputGradient(LayerNormSpec s, float[] xr, float[] w, float[] gr, float[] gxr, double m, double inv) {
        int cols = s.cols();
        double sumG = 0, sumGX = 0;
        for (int j = 0; j < cols; j++) {
            double g = gr[j];
            if (w != null) g *= w[j];
            sumG += g;
            sumGX += g * (xr[j] - m) * inv;
        }
        double meanG = s.rms() ? 0 : sumG / cols, meanGX = sumGX / cols;
        for (int j = 0; j < cols; j++) {
            double g = gr[j];
            if (w != null) g *= w[j];
            double xhat = (xr[j] - m) * inv;
            gxr[j] = (float) (inv * (g - meanG - xhat * meanGX));
        }
    }

    /** {@code out[j] = sum over blocks b, in order, of part[b * cols + j]}; zeros when there are no rows. */
    private static void sumBlocks(CpuThreadPool pool, double[] part, int blocks, int cols, MemorySegment out) {
        pool.parallelRange(cols, Math.max(1, Elementwise.GRAIN / Math.max(1, blocks)), (start, end) -> {
            for (long j = start; j < end; j++) {
                double sum = 0;
                for (int b = 0; b < blocks; b++) sum += part[(int) (b * (long) cols + j)];
                out.setAtIndex(F, j, (float) sum);
            }
        });
    }

    /** Rows per partial-sum block: a function of the row count only, never of the thread count. */
    static int blockRows(int rows) {
        return Math.max(MIN_BLOCK_ROWS, (rows + MAX_BLOCKS - 1) / MAX_BLOCKS);
    }
}
