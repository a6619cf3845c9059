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
