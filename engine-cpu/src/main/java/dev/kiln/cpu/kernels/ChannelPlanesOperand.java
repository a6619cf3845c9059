package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * A run of images of an NCHW tensor (e.g. the output gradient) seen as a matrix of pixels by
 * channels: element {@code (q, ch)} is channel {@code c0 + ch} of pixel {@code q % P} of image
 * {@code firstImage + q / P}, with {@code P} pixels per plane. {@code pixelsOuter}: pixels are
 * the outer index (B of the input gradient, columns = pixels); otherwise channels are (A of the
 * weight gradient, depth = pixels). Runs of pixels inside one plane are contiguous in memory.
 */
final class ChannelPlanesOperand implements Operand {
    private final MemorySegment t;
    private final long imageStride, firstPlane;
    private final int planeSize;
    private final boolean pixelsOuter;

    /** {@code t [n, channels, P]}: images from {@code firstImage}, channels from {@code c0}. */
    ChannelPlanesOperand(MemorySegment t, int channels, int planeSize, int firstImage, int c0, boolean pixelsOuter) {
        this.t = t;
        this.planeSize = planeSize;
        this.imageStride = (long) channels * planeSize;
        this.firstPlane = firstImage * imageStride + (long) c0 * planeSize;
        this.pixelsOuter = pixelsOuter;
    }

    /** Element offset of pixel {@code q}, channel 0. */
    private long at(int q) {
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
                    long src = at(q);
                    for (int p = 0; p < depth; p++) {
                        MemorySegment.copy(this.t, JAVA_FLOAT, (src + (long) (p0 + p) * planeSize) * Float.BYTES, dst, base + p * w + t, run);
                    }
                    t += run;
                }
            } else {
                for (int p = 0; p < depth; p++) {
                    long src = at(p0 + p) + (long) (o0 + t0) * planeSize;
                    int row = base + p * w;
                    for (int c = 0; c < valid; c++) dst[row + c] = this.t.getAtIndex(JAVA_FLOAT, src + (long) c * planeSize);
                }
            }
            if (valid < w) {
                for (int p = 0; p < depth; p++) java.util.Arrays.fill(dst, base + p * w + valid, base + p * w + w, 0f);
            }
        }
    }
}
