package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.spi.Conv2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * The adjoint of im2col: adds each entry of a column-gradient matrix {@code [taps, images*P]}
 * (rows {@code ld} floats apart) back onto the input pixel its tap read. Taps, images and output
 * rows are visited in a fixed order, so the sums are deterministic; the in-bounds column range of
 * each (tap, row) is computed once, so the inner loop has no tests.
 */
final class Col2im {
    private Col2im() {}

    /**
     * Adds {@code col} (images {@code [firstImage, firstImage + images)}, channels
     * {@code [c0, c0 + cPerGroup)}) into {@code gx}, which the caller has zeroed.
     */
    static void add(Conv2dSpec s, MemorySegment col, long ld, MemorySegment gx, int firstImage, int images, int c0) {
        int oh = s.outH(), ow = s.outW(), p = oh * ow;
        long plane = (long) s.h() * s.w();
        for (int ci = 0, r = 0; ci < s.cPerGroup(); ci++) {
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, r++) {
                    int dx = kj * s.dilationW() - s.padW();
                    // Output columns whose tap lands inside the row: 0 <= ox*stride + dx < w.
                    int oxLo = dx >= 0 ? 0 : ceilDiv(-dx, s.strideW());
                    int oxHi = Math.min(ow, ceilDiv(s.w() - dx, s.strideW()));
                    if (oxLo >= oxHi) continue;
                    for (int i = 0; i < images; i++) {
                        long dstPlane = ((long) (firstImage + i) * s.c() + c0 + ci) * plane;
                        long srcRow = r * ld + (long) i * p;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * s.strideH() - s.padH() + ki * s.dilationH();
                            if (iy < 0 || iy >= s.h()) continue;
                            long dst = dstPlane + (long) iy * s.w() + dx, src = srcRow + (long) oy * ow;
                            int sw = s.strideW();
                            for (int ox = oxLo; ox < oxHi; ox++) {
                                long d = dst + (long) ox * sw;
                                gx.setAtIndex(JAVA_FLOAT, d, gx.getAtIndex(JAVA_FLOAT, d) + col.getAtIndex(JAVA_FLOAT, src + ox));
                            }
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }
}
