package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Pool2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * Max and average pooling over NCHW planes with PyTorch's semantics (padding, dilation for max,
 * ceil mode, count_include_pad). Planes run in parallel; within a plane the order is fixed, so
 * overlapping windows accumulate their gradients deterministically.
 */
public final class Pool2d {
    private Pool2d() {}

    /** {@code y[n, c, oh, ow]} = max over each window; padded cells never win. */
    public static void maxForward(CpuThreadPool pool, Pool2dSpec s, MemorySegment x, MemorySegment y) {
        int oh = s.outH(), ow = s.outW();
        if (InnerWindows.applies(s)) {
            pool.parallelRange(planes(s), 8, (from, to) -> {
                if (InnerWindows.disjoint2x2(s)) {
                    for (long b = from, step = InnerWindows.planesPerBlock(s); b < to; b += step) InnerWindows.maxForward2x2(s, x, y, b, Math.min(to, b + step));
                } else for (long pl = from; pl < to; pl++) InnerWindows.maxForward(s, x, y, pl);
            });
            return;
        }
        pool.parallelFor(planes(s), pl -> {
            long xb = (long) pl * s.h() * s.w(), yb = (long) pl * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    long at = argmax(s, x, xb, oy, ox);
                    y.setAtIndex(JAVA_FLOAT, yb + (long) oy * ow + ox, at < 0 ? Float.NEGATIVE_INFINITY : x.getAtIndex(JAVA_FLOAT, at));
                }
            }
        });
    }

    /** {@code gx}: each window's {@code gy} added to its first maximal input (row-major scan); {@code y} is the forward output. */
    public static void maxBackward(CpuThreadPool pool, Pool2dSpec s, MemorySegment x, MemorySegment y, MemorySegment gy, MemorySegment gx) {
        int oh = s.outH(), ow = s.outW();
        if (InnerWindows.applies(s)) {
            pool.parallelRange(planes(s), 8, (from, to) -> {
                if (InnerWindows.disjoint2x2(s)) {
                    for (long b = from, step = InnerWindows.planesPerBlock(s); b < to; b += step) InnerWindows.maxBackward2x2(s, x, y, gy, gx, b, Math.min(to, b + step));
                } else for (long pl = from; pl < to; pl++) InnerWindows.maxBackward(s, x, y, gy, gx, pl);
            });
            return;
        }
        pool.parallelFor(planes(s), pl -> {
            long xb = (long) pl * s.h() * s.w(), yb = (long) pl * oh * ow;
            for (long i = 0; i < (long) s.h() * s.w(); i++) gx.setAtIndex(JAVA_FLOAT, xb + i, 0f);
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    long at = argmax(s, x, xb, oy, ox);
                    if (at >= 0) gx.setAtIndex(JAVA_FLOAT, at, gx.getAtIndex(JAVA_FLOAT, at) + gy.getAtIndex(JAVA_FLOAT, yb + (long) oy * ow + ox));
                }
            }
        });
    }

    /** Element index of the first maximum of window (oy, ox) in the plane at {@code xb}, or -1 if it holds no real cell. */
    private static long argmax(Pool2dSpec s, MemorySegment x, long xb, int oy, int ox) {
        long best = -1;
        float bestV = 0;
        for (int ki = 0; ki < s.kh(); ki++) {
            int iy = oy * s.strideH() - s.padH() + ki * s.dilationH();
            if (iy < 0 || iy >= s.h()) continue;
            for (int kj = 0; kj < s.kw(); kj++) {
                int ix = ox * s.strideW() - s.padW() + kj * s.dilationW();
                if (ix < 0 || ix >= s.w()) continue;
                long at = xb + (long) iy * s.w() + ix;
                float v = x.getAtIndex(JAVA_FLOAT, at);
                // NaN propagates like PyTorch: the first NaN wins and is kept.
                if (best < 0 || v > bestV || (Float.isNaN(v) && !Float.isNaN(bestV))) {
                    best = at;
                    bestV = v;
                }
            }
        }
        return best;
    }

    /** {@code y[n, c, oh, ow]} = window sum / divisor (see {@link Pool2dSpec}). */
    public static void avgForward(CpuThreadPool pool, Pool2dSpec s, MemorySegment x, MemorySegment y) {
        int oh = s.outH(), ow = s.outW();
        pool.parallelFor(planes(s), pl -> {
            long xb = (long) pl * s.h() * s.w(), yb = (long) pl * oh * ow;
            int[] win = new int[5];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    window(s, oy, ox, win);
                    double sum = 0;
                    for (int iy = win[0]; iy < win[1]; iy++) {
                        for (int ix = win[2]; ix < win[3]; ix++) sum += x.getAtIndex(JAVA_FLOAT, xb + (long) iy * s.w() + ix);
                    }
                    y.setAtIndex(JAVA_FLOAT, yb + (long) oy * ow + ox, (float) (sum / win[4]));
                }
            }
        });
    }

    /** {@code gx}: each window's {@code gy / divisor} added to every real cell of the window. */
    public static void avgBackward(CpuThreadPool pool, Pool2dSpec s, MemorySegment gy, MemorySegment gx) {
        int oh = s.outH(), ow = s.outW();
        pool.parallelFor(planes(s), pl -> {
            long xb = (long) pl * s.h() * s.w(), yb = (long) pl * oh * ow;
            for (long i = 0; i < (long) s.h() * s.w(); i++) gx.setAtIndex(JAVA_FLOAT, xb + i, 0f);
            int[] win = new int[5];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    window(s, oy, ox, win);
                    float g = (float) ((double) gy.getAtIndex(JAVA_FLOAT, yb + (long) oy * ow + ox) / win[4]);
                    for (int iy = win[0]; iy < win[1]; iy++) {
                        for (int ix = win[2]; ix < win[3]; ix++) {
                            long d = xb + (long) iy * s.w() + ix;
                            gx.setAtIndex(JAVA_FLOAT, d, gx.getAtIndex(JAVA_FLOAT, d) + g);
                        }
                    }
                }
            }
        });
    }

    /**
     * PyTorch's average window: {@code out = {h0, h1, w0, w1, divisor}} with the bounds clipped to
     * the input and the divisor taken before clipping (window within the padded input) when
     * count_include_pad, after clipping otherwise.
     */
    private static void window(Pool2dSpec s, int oy, int ox, int[] out) {
        int h0 = oy * s.strideH() - s.padH(), w0 = ox * s.strideW() - s.padW();
        int h1 = Math.min(h0 + s.kh(), s.h() + s.padH()), w1 = Math.min(w0 + s.kw(), s.w() + s.padW());
        int poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, s.h());
        w1 = Math.min(w1, s.w());
        out[0] = h0;
        out[1] = h1;
        out[2] = w0;
        out[3] = w1;
        out[4] = s.countIncludePad() ? poolSize : (h1 - h0) * (w1 - w0);
    }

    private static int planes(Pool2dSpec s) {
        return Math.multiplyExact(s.n(), s.c());
    }
}
