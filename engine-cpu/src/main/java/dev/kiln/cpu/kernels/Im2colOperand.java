package dev.kiln.cpu.kernels;

import dev.kiln.spi.Conv2dSpec;

/**
 * The im2col matrix of a run of images, read straight from (a heap copy of) the input while
 * packing: the column matrix itself is never stored. Its element for pixel {@code q} (image {@code q / P},
 * output position {@code q % P}, with {@code P = outH*outW}) and kernel tap {@code r} (channel,
 * ky, kx, in the weight's memory order) is the input value that tap reads for that output, or 0 in
 * the padding. {@code pixelsOuter}: pixels are the outer index (forward: B with columns =
 * pixels); otherwise taps are (weight gradient: B with columns = taps, depth = pixels).
 */
final class Im2colOperand implements Operand {
    private final float[] x;
    private final boolean pixelsOuter, padded;
    private final int h, w;
    private final int[] pixBase, pixY, pixX, pixRun, tapOff, tapY, tapX;

    /**
     * The images in {@code x [images, c, h, w]} (at most {@code g}'s count), the channels {@code g}
     * was built for, with tables built once for every chunk of a call.
     */
    Im2colOperand(Geometry g, float[] x, boolean pixelsOuter) {
        this.x = x;
        this.pixelsOuter = pixelsOuter;
        this.h = g.h;
        this.w = g.w;
        this.padded = g.padded;
        this.pixBase = g.pixBase;
        this.pixY = g.pixY;
        this.pixX = g.pixX;
        this.pixRun = g.pixRun;
        this.tapOff = g.tapOff;
        this.tapY = g.tapY;
        this.tapX = g.tapX;
    }

    /**
     * The index tables of a run of images, which depend on the spec, the image count and the first
     * channel only: a call builds them once and every chunk's operand reads them (a chunk with fewer
     * images uses a prefix), instead of rebuilding them per chunk (a quarter of conv1's GEMM time).
     */
    static final class Geometry {
        final boolean padded;
        final int h, w;
        /** Per pixel: element offset of its window's top-left corner (possibly in the padding), its row and column there. */
        final int[] pixBase, pixY, pixX;
        /** Per pixel q: how many pixels from q on have window corners one element apart, so read one contiguous run per tap. */
        final int[] pixRun;
        /** Per tap: offset from the window corner, and its row and column within the window. */
        final int[] tapOff, tapY, tapX;

        /** For up to {@code images} images, channels from {@code c0}. */
        Geometry(Conv2dSpec s, int images, int c0) {
            this.h = s.h();
            this.w = s.w();
            this.padded = s.padH() > 0 || s.padW() > 0;
            int oh = s.outH(), ow = s.outW(), p = oh * ow;
            int plane = s.h() * s.w();
            pixBase = new int[images * p];
            pixY = new int[images * p];
            pixX = new int[images * p];
            for (int i = 0, q = 0; i < images; i++) {
                int img = (i * s.c() + c0) * plane;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, q++) {
                        pixY[q] = oy * s.strideH() - s.padH();
                        pixX[q] = ox * s.strideW() - s.padW();
                        pixBase[q] = img + pixY[q] * s.w() + pixX[q];
                    }
                }
            }
            pixRun = new int[images * p];
            for (int q = pixRun.length - 1; q >= 0; q--) {
                pixRun[q] = q + 1 < pixRun.length && pixBase[q + 1] == pixBase[q] + 1 ? pixRun[q + 1] + 1 : 1;
            }
            int taps = s.cPerGroup() * s.kh() * s.kw();
            tapOff = new int[taps];
            tapY = new int[taps];
            tapX = new int[taps];
            for (int ci = 0, r = 0; ci < s.cPerGroup(); ci++) {
                for (int ki = 0; ki < s.kh(); ki++) {
                    for (int kj = 0; kj < s.kw(); kj++, r++) {
                        tapY[r] = ki * s.dilationH();
                        tapX[r] = kj * s.dilationW();
                        tapOff[r] = ci * plane + tapY[r] * s.w() + tapX[r];
                    }
                }
            }
        }
    }

    @Override
    public void pack(int o0, int count, int p0, int depth, int width, float[] dst) {
        for (int t0 = 0; t0 < count; t0 += width) {
            int valid = Math.min(width, count - t0), base = t0 * depth;
            if (pixelsOuter && !padded && valid == width && runsPanel(o0 + t0, p0, depth, width, dst, base)) continue;
            for (int p = 0; p < depth; p++) {
                int row = base + p * width;
                int o = o0 + t0, d = p0 + p;
                if (padded) {
                    for (int t = 0; t < valid; t++) dst[row + t] = pixelsOuter ? checked(o + t, d) : checked(d, o + t);
                } else if (pixelsOuter) {
                    int tap = tapOff[d];
                    for (int t = 0; t < valid; t++) dst[row + t] = x[pixBase[o + t] + tap];
                } else {
                    int pix = pixBase[d];
                    for (int t = 0; t < valid; t++) dst[row + t] = x[pix + tapOff[o + t]];
                }
                for (int t = valid; t < width; t++) dst[row + t] = 0f;
            }
        }
    }

    /**
     * The full panel of pixels {@code [o, o + w)} by taps {@code [p0, p0 + depth)} through
     * {@link PanelCopy#threeRuns} when its pixels form at most three runs of consecutive inputs (an
     * output row at stride 1 is one) and every read stays inside x; false, having written nothing,
     * otherwise.
     */
    private boolean runsPanel(int o, int p0, int depth, int w, float[] dst, int at) {
        int s1 = Math.min(pixRun[o], w), s2 = s1 < w ? Math.min(s1 + pixRun[o + s1], w) : w;
        if (s2 < w && s2 + pixRun[o + s2] < w) return false;
        int o0 = pixBase[o], o1 = s1 < w ? pixBase[o + s1] - s1 : o0, o2 = s2 < w ? pixBase[o + s2] - s2 : o1;
        long lowest = (long) Math.min(o0, Math.min(o1, o2)) + tapOff[p0];
        long highest = (long) Math.max(o0, Math.max(o1, o2)) + tapOff[p0 + depth - 1] + w;
        if (lowest < 0 || highest > x.length) return false;
        PanelCopy.get().threeRuns(x, tapOff, p0, depth, w, o0, o1, o2, s1, s2, dst, at);
        return true;
    }

    private float checked(int q, int r) {
        int iy = pixY[q] + tapY[r], ix = pixX[q] + tapX[r];
        return iy >= 0 && iy < h && ix >= 0 && ix < w ? x[pixBase[q] + tapOff[r]] : 0f;
    }
}
