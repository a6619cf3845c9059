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
    private final int[] pixBase, pixY, pixX, pixRun, tapOff, tapY, tapX, tapRun;

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
        this.tapRun = g.tapRun;
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
        /** Per tap r: how many taps from r on have offsets one element apart (a kernel row at dilation 1). */
        final int[] tapRun;
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
            pixRun = runs(pixBase);
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
            tapRun = runs(tapOff);
        }
    }

    /** Per index i: how many entries from i on go up by exactly 1 each. */
    private static int[] runs(int[] offsets) {
        int[] run = new int[offsets.length];
        for (int i = run.length - 1; i >= 0; i--) run[i] = i + 1 < run.length && offsets[i + 1] == offsets[i] + 1 ? run[i + 1] + 1 : 1;
        return run;
    }

    @Override
    public void pack(int o0, int count, int p0, int depth, int width, float[] dst) {
        // The depth rows' offsets (taps' for pixel panels, pixels' for tap panels) bound every run read.
        int[] outer = pixelsOuter ? pixBase : tapOff, run = pixelsOuter ? pixRun : tapRun, rowOff = pixelsOuter ? tapOff : pixBase;
        int lowest = Integer.MAX_VALUE, highest = Integer.MIN_VALUE;
        for (int p = p0; p < p0 + depth && !padded; p++) {
            lowest = Math.min(lowest, rowOff[p]);
            highest = Math.max(highest, rowOff[p]);
        }
        for (int t0 = 0; t0 < count; t0 += width) {
            int valid = Math.min(width, count - t0), base = t0 * depth;
            if (!padded && valid == width && runsPanel(outer, run, rowOff, o0 + t0, p0, depth, width, lowest, highest, dst, base)) continue;
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
     * The full panel of outer indices {@code [o, o + w)} (pixels or taps) by depth rows {@code [p0,
     * p0 + depth)} through {@link PanelCopy#gatherRuns} when its outer offsets form at most
     * {@link PanelCopy#MAX_RUNS} runs of consecutive inputs (an output row at stride 1, a kernel row
     * at dilation 1) and every read stays inside x (the rows' offsets lie in [lowest, highest]);
     * false, having written nothing, otherwise.
     */
    private boolean runsPanel(int[] outer, int[] run, int[] rowOff, int o, int p0, int depth, int w, int lowest, int highest,
                              float[] dst, int at) {
        int[] origins = new int[PanelCopy.MAX_RUNS], starts = new int[PanelCopy.MAX_RUNS];
        int runs = 0;
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (int t = 0; t < w; t += run[o + t], runs++) {
            if (runs == PanelCopy.MAX_RUNS) return false;
            starts[runs] = t;
            origins[runs] = outer[o + t] - t;
            min = Math.min(min, origins[runs]);
            max = Math.max(max, origins[runs]);
        }
        if (min + lowest < 0 || max + highest + w > x.length) return false;
        PanelCopy.get().gatherRuns(x, rowOff, p0, depth, w, origins, starts, runs, dst, at);
        return true;
    }

    private float checked(int q, int r) {
        int iy = pixY[q] + tapY[r], ix = pixX[q] + tapX[r];
        return iy >= 0 && iy < h && ix >= 0 && ix < w ? x[pixBase[q] + tapOff[r]] : 0f;
    }
}
