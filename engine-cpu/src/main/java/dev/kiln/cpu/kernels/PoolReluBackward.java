package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Pool2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * The backward of a fused convolution + ReLU + 2 x 2 / stride-2 max pool
 * ({@link Conv2d#forwardReluMaxPool}) up to the convolution's output, in one pass over blocks of
 * planes on heap copies: each window's pooled gradient goes to its first maximum (by the masks of
 * {@link InnerWindows#maxBackward2x2}), is zeroed where the pre-pool activation is not positive
 * (by {@link BiasGradient#positiveMask}), and each finished plane is summed for the bias gradient
 * in {@link BiasGradient}'s order. Every value is the one {@code maxPool2dBackward} followed by
 * {@code conv2dReluBackward} computes, whatever the thread count; the pooled-size gradient is
 * the only thing read besides {@code y} and the pooled output, and the full-size gradient is
 * written once instead of three times.
 */
public final class PoolReluBackward {
    /** Pre-pool floats per block: the block's copies (about 3 x 16 KiB) stay in L1/L2. */
    private static final long BLOCK_FLOATS = 4096;

    private PoolReluBackward() {}

    /**
     * {@code gz} (the gradient at the convolution's output) and, when {@code gb} is not null, the
     * bias gradient, from the pre-pool activation {@code y}, the pooled output {@code out} and its
     * gradient {@code gOut}.
     *
     * @throws IllegalArgumentException if the pair is not one {@link Conv2d#poolFuses} handles
     */
    public static void run(CpuThreadPool pool, Conv2dSpec s, Pool2dSpec ps, MemorySegment y, MemorySegment out, MemorySegment gOut,
                           MemorySegment gz, MemorySegment gb) {
        if (!Conv2d.poolFuses(s, ps)) throw new IllegalArgumentException("conv2d_relu_max_pool2d backward: expected a 2x2 / stride-2 pooling without padding over "
                + java.util.Arrays.toString(s.outputShape()) + ", got " + ps);
        int planes = Math.multiplyExact(ps.n(), ps.c());
        int perBlock = (int) Math.max(1, BLOCK_FLOATS / ((long) ps.h() * ps.w()));
        double[] sums = new double[planes];
        pool.parallelRange(planes, perBlock, (from, to) -> {
            for (long b0 = from; b0 < to; b0 += perBlock) {
                block(ps, y, out, gOut, gz, gb == null ? null : sums, b0, (int) Math.min(perBlock, to - b0), perBlock);
            }
        });
        if (gb != null) BiasGradient.totals(s, sums, gb);
    }

    /**
     * Planes {@code [b0, b0 + count)} on heap copies (arrays sized for {@code perBlock} planes); the
     * plane sums go to {@code sums} when it is not null. A method of its own, called once per block,
     * so that C2 compiles it early as a whole method (a loop inside the per-task lambda would wait for
     * on-stack replacement, compiled for whichever shape ran first).
     */
    private static void block(Pool2dSpec ps, MemorySegment y, MemorySegment out, MemorySegment gOut, MemorySegment gz, double[] sums,
                              long b0, int count, int perBlock) {
        int w = ps.w(), plane = ps.h() * w, oh = ps.outH(), ow = ps.outW(), outPlane = oh * ow;
        int len = count * plane, outLen = count * outPlane, gBase = outLen;
        float[] ya = Workspace.array(Workspace.Heap.INPUT, (long) perBlock * plane);
        int[] ga = Workspace.bits(Workspace.Bits.SECOND, (long) perBlock * plane);
        // The pooled maxima then their gradient, back to back.
        float[] ma = Workspace.array(Workspace.Heap.GRADIENT, 2L * perBlock * outPlane);
        MemorySegment.copy(y, JAVA_FLOAT, b0 * plane * Float.BYTES, ya, 0, len);
        MemorySegment.copy(out, JAVA_FLOAT, b0 * outPlane * Float.BYTES, ma, 0, outLen);
        MemorySegment.copy(gOut, JAVA_FLOAT, b0 * outPlane * Float.BYTES, ma, gBase, outLen);
        if (oh * 2 != ps.h() || ow * 2 != w) java.util.Arrays.fill(ga, 0, len, 0);
        for (int pl = 0; pl < count; pl++) {
            for (int oy = 0; oy < oh; oy++) {
                int c = pl * plane + oy * 2 * w, o = pl * outPlane + oy * ow;
                for (int ox = 0; ox < ow; ox++, c += 2, o++) {
                    float m = ma[o];
                    int e0 = InnerWindows.hit(ya[c], m);
                    int e1 = InnerWindows.hit(ya[c + 1], m) & ~e0;
                    int e2 = InnerWindows.hit(ya[c + w], m) & ~(e0 | e1);
                    int e3 = ~(e0 | e1 | e2);
                    // The ReLU's mask matters at the winner only, whose value is the maximum m (y has no -0 or NaN: ReLU outputs +0 for those).
                    int g = Float.floatToRawIntBits(ma[gBase + o]) & BiasGradient.positiveMask(Float.floatToRawIntBits(m));
                    ga[c] = g & e0;
                    ga[c + 1] = g & e1;
                    ga[c + w] = g & e2;
                    ga[c + w + 1] = g & e3;
                }
            }
        }
        MemorySegment.copy(ga, 0, gz, JAVA_INT, b0 * plane * Float.BYTES, len);
        if (sums != null) {
            for (int k = 0; k < count; k++) sums[(int) b0 + k] = BiasGradient.planeSum(ga, k * plane, plane);
        }
    }
}
