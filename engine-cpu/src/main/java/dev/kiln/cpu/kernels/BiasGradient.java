package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Conv2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * A convolution's bias gradient, alone or fused with the ReLU backward of a fused
 * convolution + ReLU. Planes (one image, one channel) are walked in memory order, in parallel,
 * in blocks copied to the heap (where C2 compiles the loops well);
 * each plane is summed in double with 8 accumulators (element i into accumulator i mod 8, the
 * tail into the first ones, then the accumulators pairwise), and then each channel's plane sums
 * are added in image order. The order depends on the shape only, so both entry points, and every
 * thread count, give the same bits.
 */
final class BiasGradient {
    /** Floats per block of planes copied to the heap (a few blocks stay in L2). */
    private static final int BLOCK_FLOATS = 1 << 13;

    private BiasGradient() {}

    /** {@code gb[o] = sum over n, oh, ow of gy[n, o]}. */
    static void sum(CpuThreadPool pool, Conv2dSpec s, MemorySegment gy, MemorySegment gb) {
        run(pool, s, null, gy, null, gb);
    }

    /**
     * {@code gz = y > 0 ? gy : 0} everywhere and, when {@code gb} is not null,
     * {@code gb[o] = sum of gz[n, o]} exactly as {@link #sum} computes it.
     */
    static void reluBackward(CpuThreadPool pool, Conv2dSpec s, MemorySegment y, MemorySegment gy, MemorySegment gz, MemorySegment gb) {
        run(pool, s, y, gy, gz, gb);
    }

    /** With {@code y} null: plane sums of gy; else gz written and its plane sums. Blocks of planes go through heap copies. */
    private static void run(CpuThreadPool pool, Conv2dSpec s, MemorySegment y, MemorySegment gy, MemorySegment gz, MemorySegment gb) {
        int p = s.outH() * s.outW(), outC = s.outC(), planes = Math.multiplyExact(s.n(), outC);
        int perBlock = Math.max(1, BLOCK_FLOATS / p);
        double[] sums = new double[planes];
        pool.parallelRange(planes, perBlock, (from, to) -> {
            float[] ga = Workspace.array(Workspace.Heap.GRADIENT, (long) perBlock * p);
            float[] ya = y == null ? null : Workspace.array(Workspace.Heap.INPUT, (long) perBlock * p);
            float[] za = y == null ? ga : Workspace.array(Workspace.Heap.COLUMNS, (long) perBlock * p);
            for (long b0 = from; b0 < to; b0 += perBlock) {
                int count = (int) Math.min(perBlock, to - b0), len = count * p;
                long off = b0 * p * Float.BYTES;
                MemorySegment.copy(gy, JAVA_FLOAT, off, ga, 0, len);
                if (y != null) {
                    MemorySegment.copy(y, JAVA_FLOAT, off, ya, 0, len);
                    // Branch-free: a float select compiles to a jump that mispredicts half the time.
                    for (int i = 0; i < len; i++) za[i] = Activations.keepIfPositive(ya[i], ga[i]);
                    MemorySegment.copy(za, 0, gz, JAVA_FLOAT, off, len);
                }
                if (gb != null) {
                    for (int k = 0; k < count; k++) sums[(int) b0 + k] = planeSum(za, k * p, p);
                }
            }
        });
        if (gb == null) return;
        for (int o = 0; o < outC; o++) {
            double total = 0;
            for (int img = 0; img < s.n(); img++) total += sums[img * outC + o];
            gb.setAtIndex(JAVA_FLOAT, o, (float) total);
        }
    }

    /** Sum in double of {@code a[off, off + n)} in the class's order. */
    static double planeSum(float[] a, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = off, end = off + n;
        for (; i + 8 <= end; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        double[] acc = {s0, s1, s2, s3, s4, s5, s6, s7};
        for (int k = 0; i < end; i++, k++) acc[k] += a[i];
        return combine(acc);
    }

    private static double combine(double[] a) {
        return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    }
}
