package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Conv2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * A convolution's bias gradient, alone or fused with the ReLU backward of a fused
 * convolution + ReLU. One task per output channel walks that channel's planes (images in order);
 * each plane is summed in double by {@link #planeSum} in a fixed order, and the plane sums are
 * added in image order. The order depends on the shape only, so both entry points, and every
 * thread count, give the same bits.
 */
final class BiasGradient {
    /** Independent double accumulators per plane (latency of the add, not bandwidth, bounds one chain). */
    private static final int LANES = 8;

    private BiasGradient() {}

    /** {@code gb[o] = sum over n, oh, ow of gy[n, o]}. */
    static void sum(CpuThreadPool pool, Conv2dSpec s, MemorySegment gy, MemorySegment gb) {
        int p = s.outH() * s.outW();
        pool.parallelFor(s.outC(), o -> {
            float[] plane = Workspace.array(Workspace.Heap.GRADIENT, p);
            double total = 0;
            for (int img = 0; img < s.n(); img++) {
                long base = ((long) img * s.outC() + o) * p;
                MemorySegment.copy(gy, JAVA_FLOAT, base * Float.BYTES, plane, 0, p);
                total += planeSum(plane, p);
            }
            gb.setAtIndex(JAVA_FLOAT, o, (float) total);
        });
    }

    /**
     * {@code gz = y > 0 ? gy : 0} everywhere and, when {@code gb} is not null,
     * {@code gb[o] = sum of gz[n, o]} exactly as {@link #sum} computes it.
     */
    static void reluBackward(CpuThreadPool pool, Conv2dSpec s, MemorySegment y, MemorySegment gy, MemorySegment gz, MemorySegment gb) {
        int p = s.outH() * s.outW();
        pool.parallelFor(s.outC(), o -> {
            float[] ya = Workspace.array(Workspace.Heap.INPUT, p);
            float[] ga = Workspace.array(Workspace.Heap.GRADIENT, p);
            double total = 0;
            for (int img = 0; img < s.n(); img++) {
                long base = ((long) img * s.outC() + o) * p;
                MemorySegment.copy(y, JAVA_FLOAT, base * Float.BYTES, ya, 0, p);
                MemorySegment.copy(gy, JAVA_FLOAT, base * Float.BYTES, ga, 0, p);
                for (int i = 0; i < p; i++) ga[i] = ya[i] > 0 ? ga[i] : 0f;
                MemorySegment.copy(ga, 0, gz, JAVA_FLOAT, base * Float.BYTES, p);
                if (gb != null) total += planeSum(ga, p);
            }
            if (gb != null) gb.setAtIndex(JAVA_FLOAT, o, (float) total);
        });
    }

    /** Sum in double of {@code a[0, n)}: element i into accumulator i mod {@value #LANES}, then the accumulators in order. */
    static double planeSum(float[] a, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        double[] tail = {s0, s1, s2, s3, s4, s5, s6, s7};
        for (int j = 0; i < n; i++, j++) tail[j] += a[i];
        return ((tail[0] + tail[1]) + (tail[2] + tail[3])) + ((tail[4] + tail[5]) + (tail[6] + tail[7]));
    }
}
