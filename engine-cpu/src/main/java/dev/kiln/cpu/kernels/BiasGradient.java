package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Conv2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * A convolution's bias gradient, alone or fused with the ReLU backward of a fused
 * convolution + ReLU. Planes (one image, one channel) are walked in memory order, in parallel,
 * in blocks copied to the heap (where C2 compiles the loops well; the ReLU mask works on the float
 * bits as ints, see {@link #positiveMask}); each plane is summed in double with 8 accumulators (element i into accumulator i mod 8, the
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
            float[] ga = y != null ? null : Workspace.array(Workspace.Heap.GRADIENT, (long) perBlock * p);
            int[] yb = y == null ? null : Workspace.bits(Workspace.Bits.FIRST, (long) perBlock * p);
            int[] gb2 = y == null ? null : Workspace.bits(Workspace.Bits.SECOND, (long) perBlock * p);
            for (long b0 = from; b0 < to; b0 += perBlock) {
                int count = (int) Math.min(perBlock, to - b0), len = count * p;
                long off = b0 * p * Float.BYTES;
                if (y != null) {
                    MemorySegment.copy(y, JAVA_INT, off, yb, 0, len);
                    MemorySegment.copy(gy, JAVA_INT, off, gb2, 0, len);
                    for (int i = 0; i < len; i++) gb2[i] &= positiveMask(yb[i]);
                    MemorySegment.copy(gb2, 0, gz, JAVA_INT, off, len);
                    if (gb != null) {
                        for (int k = 0; k < count; k++) sums[(int) b0 + k] = planeSum(gb2, k * p, p);
                    }
                } else {
                    MemorySegment.copy(gy, JAVA_FLOAT, off, ga, 0, len);
                    for (int k = 0; k < count; k++) sums[(int) b0 + k] = planeSum(ga, k * p, p);
                }
            }
        });
        if (gb == null) return;
        totals(s, sums, gb);
    }

    /** {@code gb[o]} from the plane sums {@code sums[img * outC + o]}: each channel's sums added in image order. */
    static void totals(Conv2dSpec s, double[] sums, MemorySegment gb) {
        int outC = s.outC();
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

    /** {@link #planeSum(float[], int, int)} of the floats whose bits are {@code a[off, off + n)}, in the same order. */
    static double planeSum(int[] a, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = off, end = off + n;
        for (; i + 8 <= end; i += 8) {
            s0 += Float.intBitsToFloat(a[i]);
            s1 += Float.intBitsToFloat(a[i + 1]);
            s2 += Float.intBitsToFloat(a[i + 2]);
            s3 += Float.intBitsToFloat(a[i + 3]);
            s4 += Float.intBitsToFloat(a[i + 4]);
            s5 += Float.intBitsToFloat(a[i + 5]);
            s6 += Float.intBitsToFloat(a[i + 6]);
            s7 += Float.intBitsToFloat(a[i + 7]);
        }
        double[] acc = {s0, s1, s2, s3, s4, s5, s6, s7};
        for (int k = 0; i < end; i++, k++) acc[k] += Float.intBitsToFloat(a[i]);
        return combine(acc);
    }

    /**
     * All ones when the float with these bits is {@code > 0} (positive, not zero, not NaN), else 0:
     * {@code bits - 1} lies in [0, 0x7f7fffff] exactly for +MIN_VALUE..+infinity. Integer
     * arithmetic only, so the loop vectorises (C2 compiles a float select to a mispredicting jump).
     */
    static int positiveMask(int bits) {
        int d = bits - 1;
        return ((d - 0x7f800000) >> 31) & ~(d >> 31);
    }

    private static double combine(double[] a) {
        return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    }
}
