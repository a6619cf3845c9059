package dev.kiln.cpu.kernels;

import dev.kiln.spi.Conv2dSpec;

/**
 * The adjoint of im2col: adds each entry of a column-gradient matrix {@code [taps, images*P]}
 * (rows {@code ld} floats apart) back onto the input pixel its tap read, on heap copies. Taps, images and output
 * rows are visited in a fixed order, so the sums are deterministic; the in-bounds column range of
 * each (tap, row) is computed once, so the inner loop has no tests.
 */
final class Col2im {
    private Col2im() {}

    /** Adds {@code col} into channels {@code [c0, c0 + cPerGroup)} of {@code gx [images, c, h, w]}. */
    static void add(Conv2dSpec s, float[] col, int ld, float[] gx, int images, int c0) {
        int oh = s.outH(), ow = s.outW(), p = oh * ow;
        int plane = s.h() * s.w();
        for (int ci = 0, r = 0; ci < s.cPerGroup(); ci++) {
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, r++) {
                    int dx = kj * s.dilationW() - s.padW();
                    // Output columns whose tap lands inside the row: 0 <= ox*stride + dx < w.
                    int oxLo = dx >= 0 ? 0 : ceilDiv(-dx, s.strideW());
                    int oxHi = Math.min(ow, ceilDiv(s.w() - dx, s.strideW()));
                    if (oxLo >= oxHi) continue;
                    for (int i = 0; i < images; i++) {
                        int dstPlane = (i * s.c() + c0 + ci) * plane;
                        int srcRow = r * ld + i * p;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * s.strideH() - s.padH() + ki * s.dilationH();
                            if (iy < 0 || iy >= s.h()) continue;
                            int dst = dstPlane + iy * s.w() + dx, src = srcRow + oy * ow, sw = s.strideW();
                            if (sw == 1) {
                                for (int ox = oxLo; ox < oxHi; ox++) gx[dst + ox] += col[src + ox];
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++) gx[dst + ox * sw] += col[src + ox];
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
