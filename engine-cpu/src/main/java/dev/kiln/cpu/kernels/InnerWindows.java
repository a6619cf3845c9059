package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.spi.Pool2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * Max pooling when every window lies inside the input (no padding, no dilation, windows not
 * past the edge): no bounds tests per cell, and the common 2 x 2 window unrolled. Same results
 * as {@link Pool2d}'s general path: the first maximum in row-major order wins, and a NaN wins over
 * any number (the first NaN is kept).
 */
final class InnerWindows {
    private InnerWindows() {}

    /** True when this fast path computes {@code s} exactly. */
    static boolean applies(Pool2dSpec s) {
        return s.padH() == 0 && s.padW() == 0 && s.dilationH() == 1 && s.dilationW() == 1
                && (s.outH() - 1) * s.strideH() + s.kh() <= s.h() && (s.outW() - 1) * s.strideW() + s.kw() <= s.w();
    }

    /** Plane {@code pl}: {@code y} = max of each window. */
    static void maxForward(Pool2dSpec s, MemorySegment x, MemorySegment y, long pl) {
        int oh = s.outH(), ow = s.outW(), w = s.w();
        long xb = pl * s.h() * w, yb = pl * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
            long row = xb + (long) oy * s.strideH() * w, out = yb + (long) oy * ow;
            for (int ox = 0; ox < ow; ox++) y.setAtIndex(JAVA_FLOAT, out + ox, x.getAtIndex(JAVA_FLOAT, argmax(s, x, row + (long) ox * s.strideW())));
        }
    }

    /** Plane {@code pl}: {@code gx} zero except each window's first maximum, which receives its {@code gy}. */
    static void maxBackward(Pool2dSpec s, MemorySegment x, MemorySegment gy, MemorySegment gx, long pl) {
        int oh = s.outH(), ow = s.outW(), w = s.w();
        long xb = pl * s.h() * w, yb = pl * oh * ow;
        gx.asSlice(xb * Float.BYTES, (long) s.h() * w * Float.BYTES).fill((byte) 0);
        for (int oy = 0; oy < oh; oy++) {
            long row = xb + (long) oy * s.strideH() * w, g = yb + (long) oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                long at = argmax(s, x, row + (long) ox * s.strideW());
                gx.setAtIndex(JAVA_FLOAT, at, gx.getAtIndex(JAVA_FLOAT, at) + gy.getAtIndex(JAVA_FLOAT, g + ox));
            }
        }
    }

    /** Element index of the first maximum of the window whose top-left cell is {@code corner}. */
    private static long argmax(Pool2dSpec s, MemorySegment x, long corner) {
        int w = s.w();
        if (s.kh() == 2 && s.kw() == 2) {
            long best = corner;
            float bv = x.getAtIndex(JAVA_FLOAT, corner);
            float v = x.getAtIndex(JAVA_FLOAT, corner + 1);
            if (wins(v, bv)) {
                best = corner + 1;
                bv = v;
            }
            v = x.getAtIndex(JAVA_FLOAT, corner + w);
            if (wins(v, bv)) {
                best = corner + w;
                bv = v;
            }
            v = x.getAtIndex(JAVA_FLOAT, corner + w + 1);
            return wins(v, bv) ? corner + w + 1 : best;
        }
        long best = corner;
        float bv = x.getAtIndex(JAVA_FLOAT, corner);
        for (int ki = 0; ki < s.kh(); ki++) {
            for (int kj = 0; kj < s.kw(); kj++) {
                long at = corner + (long) ki * w + kj;
                float v = x.getAtIndex(JAVA_FLOAT, at);
                if (wins(v, bv)) {
                    best = at;
                    bv = v;
                }
            }
        }
        return best;
    }

    /** Whether {@code v} replaces the current best {@code bv}: larger, or the first NaN. */
    private static boolean wins(float v, float bv) {
        return v > bv || (v != v && bv == bv);
    }
}
