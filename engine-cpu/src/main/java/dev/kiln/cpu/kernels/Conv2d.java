package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Conv2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * 2-D convolution (cross-correlation) by im2col + GEMM per image and group, and its three
 * gradients. Images run in parallel when there are enough of them, otherwise one at a time with
 * a parallel GEMM; GEMM results do not depend on its split, so neither do these.
 */
public final class Conv2d {
    /** Upper bound, in floats, on the per-chunk weight-gradient partials of {@link #backwardWeight}. */
    private static final long PARTIALS_BUDGET = 1L << 24;
    /** Number of batch chunks backwardWeight aims for (a constant, so the sum order is fixed). */
    private static final int TARGET_CHUNKS = 16;
    private static final ThreadLocal<float[][]> COL = ThreadLocal.withInitial(() -> new float[1][0]);

    private Conv2d() {}

    /** {@code y[n, outC, oh, ow] = conv(x, w) (+ bias)}; {@code bias} may be null. */
    public static void forward(CpuThreadPool pool, Conv2dSpec s, MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y) {
        forEachImage(pool, s, img -> {
            int ocpg = s.outC() / s.groups(), k = kDim(s), p = s.outH() * s.outW();
            for (int g = 0; g < s.groups(); g++) {
                long yOff = ((long) img * s.outC() + (long) g * ocpg) * p;
                MemorySegment cols;
                long colOff;
                if (isPointwise(s)) {
                    // 1x1, stride 1, no padding: the input plane already is the column matrix.
                    cols = x;
                    colOff = ((long) img * s.c() + (long) g * s.cPerGroup()) * s.h() * s.w();
                } else {
                    float[] col = col(k, p);
                    Im2col.im2col(s, x, (long) img * s.c() * s.h() * s.w(), g * s.cPerGroup(), col);
                    cols = MemorySegment.ofArray(col);
                    colOff = 0;
                }
                Gemm.gemm(pool, ocpg, p, k, false, false, w, (long) g * ocpg * k, cols, colOff, y, yOff, false);
            }
            if (bias != null) {
                for (int o = 0; o < s.outC(); o++) {
                    float b = bias.getAtIndex(JAVA_FLOAT, o);
                    long base = ((long) img * s.outC() + o) * p;
                    for (int i = 0; i < p; i++) y.setAtIndex(JAVA_FLOAT, base + i, y.getAtIndex(JAVA_FLOAT, base + i) + b);
                }
            }
        });
    }

    /** {@code gx[n, c, h, w]} from {@code gy[n, outC, oh, ow]}: columns {@code W^T gy} folded back by col2im. */
    public static void backwardData(CpuThreadPool pool, Conv2dSpec s, MemorySegment gy, MemorySegment w, MemorySegment gx) {
        forEachImage(pool, s, img -> {
            int ocpg = s.outC() / s.groups(), k = kDim(s), p = s.outH() * s.outW();
            long gxOff = (long) img * s.c() * s.h() * s.w();
            for (long i = 0; i < (long) s.c() * s.h() * s.w(); i++) gx.setAtIndex(JAVA_FLOAT, gxOff + i, 0f);
            float[] col = col(k, p);
            MemorySegment cols = MemorySegment.ofArray(col);
            for (int g = 0; g < s.groups(); g++) {
                long gyOff = ((long) img * s.outC() + (long) g * ocpg) * p;
                Gemm.gemm(pool, k, p, ocpg, true, false, w, (long) g * ocpg * k, gy, gyOff, cols, 0, false);
                Im2col.col2im(s, col, gx, gxOff, g * s.cPerGroup());
            }
        });
    }

    /**
     * {@code gw[outC, c/groups, kh, kw] = sum over images of gy_img @ col_img^T}. The batch is cut
     * into a fixed number of chunks (a function of the spec only); each chunk sums its images in
     * order into its own partial, and the partials are added in chunk order.
     */
    public static void backwardWeight(CpuThreadPool pool, Conv2dSpec s, MemorySegment x, MemorySegment gy, MemorySegment gw) {
        long gwSize = (long) s.outC() * kDim(s);
        int n = s.n();
        long perChunk = Math.max((n + TARGET_CHUNKS - 1) / TARGET_CHUNKS, (n * gwSize + PARTIALS_BUDGET - 1) / PARTIALS_BUDGET);
        int imagesPerChunk = (int) Math.min(n, Math.max(1, perChunk));
        int chunks = (n + imagesPerChunk - 1) / imagesPerChunk;
        if (chunks == 1) {
            accumulateChunk(pool, s, x, gy, gw, 0, n);
            return;
        }
        MemorySegment[] partials = new MemorySegment[chunks];
        for (int c = 0; c < chunks; c++) partials[c] = MemorySegment.ofArray(new float[Math.toIntExact(gwSize)]);
        java.util.function.IntConsumer chunk = c ->
                accumulateChunk(pool, s, x, gy, partials[c], c * imagesPerChunk, Math.min(n, (c + 1) * imagesPerChunk));
        if (chunks >= pool.threads()) pool.parallelFor(chunks, chunk);
        else for (int c = 0; c < chunks; c++) chunk.accept(c);
        pool.parallelRange(gwSize, Elementwise.GRAIN, (st, e) -> {
            for (long i = st; i < e; i++) {
                float sum = partials[0].getAtIndex(JAVA_FLOAT, i);
                for (int c = 1; c < chunks; c++) sum += partials[c].getAtIndex(JAVA_FLOAT, i);
                gw.setAtIndex(JAVA_FLOAT, i, sum);
            }
        });
    }

    /** {@code dst = sum over images [from, to) of the weight gradient}, images in order. */
    private static void accumulateChunk(CpuThreadPool pool, Conv2dSpec s, MemorySegment x, MemorySegment gy, MemorySegment dst, int from, int to) {
        int ocpg = s.outC() / s.groups(), k = kDim(s), p = s.outH() * s.outW();
        for (int img = from; img < to; img++) {
            for (int g = 0; g < s.groups(); g++) {
                MemorySegment cols;
                long colOff;
                if (isPointwise(s)) {
                    cols = x;
                    colOff = ((long) img * s.c() + (long) g * s.cPerGroup()) * s.h() * s.w();
                } else {
                    float[] col = col(k, p);
                    Im2col.im2col(s, x, (long) img * s.c() * s.h() * s.w(), g * s.cPerGroup(), col);
                    cols = MemorySegment.ofArray(col);
                    colOff = 0;
                }
                long gyOff = ((long) img * s.outC() + (long) g * ocpg) * p;
                Gemm.gemm(pool, ocpg, k, p, false, true, gy, gyOff, cols, colOff, dst, (long) g * ocpg * k, img > from);
            }
        }
    }

    /** {@code gb[o] = sum over n, oh, ow of gy}, in double, images then pixels in order. */
    public static void backwardBias(CpuThreadPool pool, Conv2dSpec s, MemorySegment gy, MemorySegment gb) {
        int p = s.outH() * s.outW();
        pool.parallelFor(s.outC(), o -> {
            double sum = 0;
            for (int img = 0; img < s.n(); img++) {
                long base = ((long) img * s.outC() + o) * p;
                for (int i = 0; i < p; i++) sum += gy.getAtIndex(JAVA_FLOAT, base + i);
            }
            gb.setAtIndex(JAVA_FLOAT, o, (float) sum);
        });
    }

    /** Runs images in parallel when they can occupy the pool, else one by one (GEMM then splits). */
    private static void forEachImage(CpuThreadPool pool, Conv2dSpec s, java.util.function.IntConsumer body) {
        if (s.n() >= pool.threads()) pool.parallelFor(s.n(), body);
        else for (int img = 0; img < s.n(); img++) body.accept(img);
    }

    private static boolean isPointwise(Conv2dSpec s) {
        return s.kh() == 1 && s.kw() == 1 && s.strideH() == 1 && s.strideW() == 1 && s.padH() == 0 && s.padW() == 0;
    }

    /** GEMM depth: one group's weights per output channel. */
    private static int kDim(Conv2dSpec s) {
        return s.cPerGroup() * s.kh() * s.kw();
    }

    /** This thread's column buffer, at least {@code k*p} floats. */
    private static float[] col(int k, int p) {
        int size = Math.toIntExact((long) k * p);
        float[][] holder = COL.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }
}
