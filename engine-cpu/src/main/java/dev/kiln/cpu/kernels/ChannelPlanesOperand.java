package dev.kiln.cpu.kernels;

/**
 * A run of images of an NCHW tensor (e.g. the output gradient; a heap copy) seen as a matrix of
 * pixels by channels: element {@code (q, ch)} is channel {@code c0 + ch} of pixel {@code q % P} of
 * image {@code q / P}, with {@code P} pixels per plane. {@code pixelsOuter}: pixels are
 * the outer index (B of the input gradient, columns = pixels); otherwise channels are (A of the
 * weight gradient, depth = pixels). Runs of pixels inside one plane are contiguous in memory.
 */
final class ChannelPlanesOperand implements Operand {
    private final float[] t;
    private final int imageStride, firstPlane;
    private final int planeSize;
    private final boolean pixelsOuter;

    /** {@code t [images, channels, P]}, channels from {@code c0}. */
    ChannelPlanesOperand(float[] t, int channels, int planeSize, int c0, boolean pixelsOuter) {
        this.t = t;
        this.planeSize = planeSize;
        this.imageStride = channels * planeSize;
        this.firstPlane = c0 * planeSize;
        this.pixelsOuter = pixelsOuter;
    }

    /** Element offset of pixel {@code q}, channel 0. */
    private int at(int q) {
        return firstPlane + (q / planeSize) * imageStride + q % planeSize;
    }

    @Override
    public void pack(int o0, int count, int p0, int depth, int w, float[] dst) {
        for (int t0 = 0; t0 < count; t0 += w) {
            int valid = Math.min(w, count - t0), base = t0 * depth;
            if (pixelsOuter) {
                // Copy the panel's pixels run by run (a run ends at a plane boundary), one channel per depth step.
                for (int t = 0; t < valid; ) {
                    int q = o0 + t0 + t, run = Math.min(valid - t, planeSize - q % planeSize);
                    int src = at(q);
                    for (int p = 0; p < depth; p++) System.arraycopy(this.t, src + (p0 + p) * planeSize, dst, base + p * w + t, run);
                    t += run;
                }
            } else {
                for (int p = 0; p < depth; p++) {
                    int src = at(p0 + p) + (o0 + t0) * planeSize, row = base + p * w;
                    for (int c = 0; c < valid; c++) dst[row + c] = this.t[src + c * planeSize];
                }
            }
            if (valid < w) {
                for (int p = 0; p < depth; p++) java.util.Arrays.fill(dst, base + p * w + valid, base + p * w + w, 0f);
            }
        }
    }
}
