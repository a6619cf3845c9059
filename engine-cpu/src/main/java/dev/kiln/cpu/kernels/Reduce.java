package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.tensor.Shape;
import java.lang.foreign.MemorySegment;

/**
 * Sums over axes and row-wise argmax.
 *
 * <p>Determinism: each output's reduced elements are cut into fixed chunks of {@link #CHUNK}
 * (a function of the shape only), each chunk summed in double in index order, and the chunk
 * partials added in chunk order. Whether one thread does all of that or many threads compute
 * the chunks, the arithmetic is the same, so results do not depend on the thread count.
 */
public final class Reduce {
    /** Reduced elements per partial sum. */
    static final int CHUNK = 4096;
    /** Columns per task of {@link #columnSums} (their double sums stay in L1). */
    private static final int COLUMN_BLOCK = 512;

    private Reduce() {}

    /** {@code out = sum of x over spec.axes()}. */
    public static void sum(CpuThreadPool pool, ReduceSpec spec, MemorySegment x, MemorySegment out) {
        Plan plan = new Plan(spec);
        long outN = spec.outNumel();
        long chunks = (plan.reducedCount + CHUNK - 1) / CHUNK;
        if (plan.reducedCount == 0) {
            pool.parallelRange(outN, Elementwise.GRAIN, (s, e) -> {
                for (long o = s; o < e; o++) out.setAtIndex(JAVA_FLOAT, o, 0f);
            });
            return;
        }
        if (plan.leadingReduced && outN > 1) {
            columnSums(pool, plan.reducedCount, outN, chunks, x, out);
            return;
        }
        if (outN >= pool.threads() * 4L || chunks == 1) {
            // Enough outputs to keep every thread busy: one output per step, chunks in order.
            pool.parallelRange(outN, Math.max(1, Elementwise.GRAIN / plan.reducedCount), (s, e) -> {
                for (long o = s; o < e; o++) {
                    long base = plan.outputBase(o);
                    double total = 0;
                    for (long c = 0; c < chunks; c++) total += plan.chunkSum(x, base, c);
                    out.setAtIndex(JAVA_FLOAT, o, (float) total);
                }
            });
            return;
        }
        // Few outputs, many elements each: compute the chunk partials in parallel, then combine.
        double[] partial = new double[Math.toIntExact(outN * chunks)];
        pool.parallelFor(Math.toIntExact(outN * chunks), t -> {
            long o = t / chunks, c = t % chunks;
            partial[t] = plan.chunkSum(x, plan.outputBase(o), c);
        });
        for (long o = 0; o < outN; o++) {
            double total = 0;
            for (long c = 0; c < chunks; c++) total += partial[(int) (o * chunks + c)];
            out.setAtIndex(JAVA_FLOAT, o, (float) total);
        }
    }

    /**
     * Sums of {@code x [rows, cols]} over its rows (a bias gradient): the reduced axes all come
     * before the kept ones, so rows are read in memory order instead of walking each column with
     * a stride. Same arithmetic as {@link Plan#chunkSum}: per column, chunks of {@link #CHUNK} rows
     * summed in double in row order, the chunk partials added in chunk order. Tasks are (column
     * block, chunk) pairs, so threads never change a bit.
     */
    private static void columnSums(CpuThreadPool pool, long rows, long cols, long chunks, MemorySegment x, MemorySegment out) {
        int width = (int) Math.min(cols, COLUMN_BLOCK);
        long blocks = (cols + width - 1) / width;
        double[] partial = new double[Math.toIntExact(chunks * cols)];
        pool.parallelFor(Math.toIntExact(blocks * chunks), t -> {
            long c = t / blocks, j0 = (t % blocks) * width;
            int w = (int) Math.min(width, cols - j0);
            long r0 = c * CHUNK, r1 = Math.min(rows, r0 + CHUNK);
            float[] row = Workspace.array(Workspace.Heap.ROW_A, w);
            double[] acc = new double[w];
            for (long r = r0; r < r1; r++) {
                MemorySegment.copy(x, JAVA_FLOAT, (r * cols + j0) * Float.BYTES, row, 0, w);
                for (int j = 0; j < w; j++) acc[j] += row[j];
            }
            System.arraycopy(acc, 0, partial, (int) (c * cols + j0), w);
        });
        for (long j = 0; j < cols; j++) {
            double total = 0;
            for (long c = 0; c < chunks; c++) total += partial[(int) (c * cols + j)];
            out.setAtIndex(JAVA_FLOAT, j, (float) total);
        }
    }

    /** Index arithmetic of one reduction: kept axes address outputs, reduced axes are walked. */
    private static final class Plan {
        final int[] keptSize, redSize;
        final long[] keptStride, redStride;
        final long reducedCount;
        /** Every reduced axis precedes every kept one: x is [reducedCount, outputs]. */
        final boolean leadingReduced;

        Plan(ReduceSpec spec) {
            int[] shape = spec.shape();
            long[] strides = Shape.strides(shape);
            int nRed = spec.axes().length, nKept = shape.length - nRed;
            keptSize = new int[nKept];
            keptStride = new long[nKept];
            redSize = new int[nRed];
            redStride = new long[nRed];
            int k = 0, r = 0;
            long count = 1;
            for (int d = 0; d < shape.length; d++) {
                if (spec.reduces(d)) {
                    redSize[r] = shape[d];
                    redStride[r++] = strides[d];
                    count *= shape[d];
                } else {
                    keptSize[k] = shape[d];
                    keptStride[k++] = strides[d];
                }
            }
            reducedCount = count;
            boolean leading = true;
            for (int d = 0; d < shape.length; d++) leading &= spec.reduces(d) == (d < nRed);
            leadingReduced = leading;
        }

        /** Offset in x of the first element reduced into output {@code o} (outputs are in kept-axis order). */
        long outputBase(long o) {
            long base = 0;
            for (int d = keptSize.length - 1; d >= 0; d--) {
                base += (o % keptSize[d]) * keptStride[d];
                o /= keptSize[d];
            }
            return base;
        }

        /** Sum in double of reduced elements [c*CHUNK, (c+1)*CHUNK) of the output at {@code base}. */
        double chunkSum(MemorySegment x, long base, long c) {
            long start = c * CHUNK, end = Math.min(reducedCount, start + CHUNK);
            int nr = redSize.length;
            int[] idx = new int[nr];
            long off = base, rem = start;
            for (int d = nr - 1; d >= 0; d--) {
                idx[d] = (int) (rem % redSize[d]);
                rem /= redSize[d];
                off += idx[d] * redStride[d];
            }
            double s = 0;
            for (long i = start; i < end; i++) {
                s += x.getAtIndex(JAVA_FLOAT, off);
                for (int d = nr - 1; d >= 0; d--) {
                    off += redStride[d];
                    if (++idx[d] < redSize[d]) break;
                    off -= redStride[d] * redSize[d];
                    idx[d] = 0;
                }
            }
            return s;
        }
    }

    /** Int32 index of the first maximum of each row of {@code x [rows, cols]}. */
    public static void argmax(CpuThreadPool pool, int rows, int cols, MemorySegment x, MemorySegment out) {
        pool.parallelRange(rows, Math.max(1, Elementwise.GRAIN / Math.max(1, cols)), (s, e) -> {
            for (long r = s; r < e; r++) {
                long base = r * cols;
                int best = 0;
                float bestV = x.getAtIndex(JAVA_FLOAT, base);
                for (int j = 1; j < cols; j++) {
                    float v = x.getAtIndex(JAVA_FLOAT, base + j);
                    // Strict '>' keeps the first of equal maxima; a NaN wins like in PyTorch.
                    if (v > bestV || (Float.isNaN(v) && !Float.isNaN(bestV))) {
                        best = j;
                        bestV = v;
                    }
                }
                out.setAtIndex(JAVA_INT, r, best);
            }
        });
    }
}
