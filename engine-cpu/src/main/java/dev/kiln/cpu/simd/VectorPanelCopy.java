package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.PanelCopy;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PanelCopy} with vector loads and stores: a run of w floats is w / L moves of the preferred
 * species when L divides w (B panels), else of the 128-bit species when 4 divides w (A panels of
 * the 4-row tile); other widths take the scalar path. Public and constructed reflectively.
 */
public final class VectorPanelCopy extends PanelCopy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Public for reflective construction. */
    public VectorPanelCopy() {}

    @Override
    public void runs(MemorySegment seg, long src, long ld, int full, int depth, int w, float[] dst) {
        if (w % L == 0) wide(seg, src, ld, full, depth, w, dst);
        else if (w % 4 == 0 && S4.length() == 4) narrow(seg, src, ld, full, depth, w, dst);
        else super.runs(seg, src, ld, full, depth, w, dst);
    }

    // Two copies of one loop: C2 intrinsifies vector moves only for a constant species.

    /** Line by line (reads in memory order), each run as w / L moves of the preferred species. */
    private static void wide(MemorySegment seg, long src, long ld, int full, int depth, int w, float[] dst) {
        for (int p = 0; p < depth; p++) {
            long line = (src + p * ld) * Float.BYTES;
            int d = p * w;
            for (int t0 = 0; t0 < full; t0 += w, d += w * depth) {
                for (int t = 0; t < w; t += L) {
                    FloatVector.fromMemorySegment(S, seg, line + (long) (t0 + t) * Float.BYTES, NATIVE).intoArray(dst, d + t);
                }
            }
        }
    }

    /** The same with 4-float moves. */
    private static void narrow(MemorySegment seg, long src, long ld, int full, int depth, int w, float[] dst) {
        for (int p = 0; p < depth; p++) {
            long line = (src + p * ld) * Float.BYTES;
            int d = p * w;
            for (int t0 = 0; t0 < full; t0 += w, d += w * depth) {
                for (int t = 0; t < w; t += 4) {
                    FloatVector.fromMemorySegment(S4, seg, line + (long) (t0 + t) * Float.BYTES, NATIVE).intoArray(dst, d + t);
                }
            }
        }
    }
}
