package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.spi.Conv2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * Unfolding of one image's channel group into GEMM columns and its adjoint. The column matrix
 * is {@code [cPerGroup*kh*kw, outH*outW]}; row {@code (ci*kh + ki)*kw + kj} matches the weight's
 * memory order, so a group's weights {@code [outC/groups, cPerGroup*kh*kw]} multiply it directly.
 */
final class Im2col {
    private Im2col() {}

    /** Fills {@code col} from channels [c0, c0 + cPerGroup) of the image starting at element {@code xOff}; padding reads as 0. */
    static void im2col(Conv2dSpec s, MemorySegment x, long xOff, int c0, float[] col) {
        int oh = s.outH(), ow = s.outW(), p = oh * ow;
        int r = 0;
        for (int ci = 0; ci < s.cPerGroup(); ci++) {
            long plane = xOff + (long) (c0 + ci) * s.h() * s.w();
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, r++) {
                    int base = r * p;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s.strideH() - s.padH() + ki * s.dilationH();
                        int rowBase = base + oy * ow;
                        if (iy < 0 || iy >= s.h()) {
                            java.util.Arrays.fill(col, rowBase, rowBase + ow, 0f);
                            continue;
                        }
                        long src = plane + (long) iy * s.w();
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * s.strideW() - s.padW() + kj * s.dilationW();
                            col[rowBase + ox] = ix >= 0 && ix < s.w() ? x.getAtIndex(JAVA_FLOAT, src + ix) : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds each column entry back onto its source pixel (channels [c0, c0 + cPerGroup) of {@code gx} at {@code gxOff}). */
    static void col2im(Conv2dSpec s, float[] col, MemorySegment gx, long gxOff, int c0) {
        int oh = s.outH(), ow = s.outW(), p = oh * ow;
        int r = 0;
        for (int ci = 0; ci < s.cPerGroup(); ci++) {
            long plane = gxOff + (long) (c0 + ci) * s.h() * s.w();
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, r++) {
                    int base = r * p;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s.strideH() - s.padH() + ki * s.dilationH();
                        if (iy < 0 || iy >= s.h()) continue;
                        long dst = plane + (long) iy * s.w();
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * s.strideW() - s.padW() + kj * s.dilationW();
                            if (ix >= 0 && ix < s.w()) {
                                gx.setAtIndex(JAVA_FLOAT, dst + ix, gx.getAtIndex(JAVA_FLOAT, dst + ix) + col[base + oy * ow + ox]);
                            }
                        }
                    }
                }
            }
        }
    }
}
