package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The copy at the heart of GEMM packing when an operand's panels are runs of its stored rows (B as
 * stored, or A transposed): {@code depth} source lines, {@code ld} floats apart, each cut into runs
 * of {@code w} floats, run {@code t0 / w} of line {@code p} going to {@code dst[t0 * depth + p * w]}.
 * A segment copy per run costs more than the run itself at w = 4 or 16, so {@link #get()} picks the
 * Vector API version (loaded reflectively from {@code dev.kiln.cpu.simd}) when {@link MicroKernels}
 * uses SIMD; this scalar one otherwise. Only data moves, so both give the same bits.
 */
public class PanelCopy {
    private static final String VECTOR = "dev.kiln.cpu.simd.VectorPanelCopy";
    private static final PanelCopy CHOSEN = choose();

    /** Public for the vector subclass. */
    public PanelCopy() {}

    /** {@return the implementation matching the GEMM micro-kernel's choice} */
    public static PanelCopy get() {
        return CHOSEN;
    }

    /**
     * Copies the full runs: for p in [0, depth) and t0 = 0, w, ... below {@code full} (a multiple of w),
     * {@code dst[t0 * depth + p * w + t] = seg[src + p * ld + t0 + t]} for t in [0, w).
     *
     * @param seg   the operand's storage
     * @param src   element offset of line 0, run 0
     * @param ld    distance between lines, in floats
     * @param full  floats per line copied, a multiple of w
     * @param depth lines
     * @param w     run length
     * @param dst   the packed panels
     */
    public void runs(MemorySegment seg, long src, long ld, int full, int depth, int w, float[] dst) {
        for (int t0 = 0; t0 < full; t0 += w) {
            int base = t0 * depth;
            for (int p = 0; p < depth; p++) {
                MemorySegment.copy(seg, JAVA_FLOAT, (src + p * ld + t0) * Float.BYTES, dst, base + p * w, w);
            }
        }
    }

    /** Most runs per panel {@link #gatherRuns} takes. */
    public static final int MAX_RUNS = 6;

    /**
     * One panel of {@code w} columns gathered from a few contiguous runs of {@code x} (an im2col
     * panel: an output row's pixels read consecutive inputs, and so do a kernel row's taps): for p
     * in [0, depth) and t in [0, w), {@code dst[at + p * w + t] = x[origins[j] + rowOff[p0 + p] + t]}
     * with j the run holding column t, run j covering {@code [starts[j], starts[j + 1])} (the last
     * one up to w). The caller has checked that {@code x[origins[j] + rowOff[p0 + p] + t]} is in
     * range for every run j, row p and t in [0, w), so an implementation may read whole panels
     * from each origin.
     *
     * @param x       the source
     * @param rowOff  per depth row, the offset added to every origin
     * @param p0      first depth row
     * @param depth   rows
     * @param w       panel width
     * @param origins per run, where column t reads {@code x[origin + rowOff + t]}
     * @param starts  per run, its first column ({@code starts[0] = 0}, increasing)
     * @param runs    number of runs, 1 to {@link #MAX_RUNS}
     * @param dst     the packed panels
     * @param at      where the panel starts in dst
     */
    public void gatherRuns(float[] x, int[] rowOff, int p0, int depth, int w, int[] origins, int[] starts, int runs, float[] dst, int at) {
        for (int p = 0; p < depth; p++) {
            int off = rowOff[p0 + p], row = at + p * w;
            for (int j = 0; j < runs; j++) {
                int from = origins[j] + off, end = j + 1 < runs ? starts[j + 1] : w;
                for (int t = starts[j]; t < end; t++) dst[row + t] = x[from + t];
            }
        }
    }

    private static PanelCopy choose() {
        if ("false".equalsIgnoreCase(System.getProperty(MicroKernels.SIMD_PROPERTY)) || MicroKernels.vectorFamily().isEmpty()) {
            return new PanelCopy();
        }
        try {
            return (PanelCopy) Class.forName(VECTOR).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new PanelCopy();
        }
    }
}
