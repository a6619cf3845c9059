package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.PanelCopy;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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

    /**
     * With {@code w = 2L} (the B panel of every vector tile): per depth row, two vector loads per run
     * at its origin, merged by lane masks built once per panel (lane t takes the last run starting at
     * or before t), and two stores: 6 loads, 4 blends and 2 stores per row of 16 or 32 floats
     * instead of a gather per float.
     */
    @Override
    public void threeRuns(float[] x, int[] rowOff, int p0, int depth, int w, int o0, int o1, int o2, int s1, int s2, float[] dst, int at) {
        if (w != 2 * L) {
            super.threeRuns(x, rowOff, p0, depth, w, o0, o1, o2, s1, s2, dst, at);
            return;
        }
        if (s1 >= w) { // one run: a plain copy
            for (int p = 0, row = at; p < depth; p++, row += w) {
                int from = o0 + rowOff[p0 + p];
                FloatVector.fromArray(S, x, from).intoArray(dst, row);
                FloatVector.fromArray(S, x, from + L).intoArray(dst, row + L);
            }
            return;
        }
        VectorMask<Float> lo1 = IOTA.compare(VectorOperators.GE, s1), lo2 = IOTA.compare(VectorOperators.GE, s2);
        VectorMask<Float> hi1 = IOTA.compare(VectorOperators.GE, s1 - L), hi2 = IOTA.compare(VectorOperators.GE, s2 - L);
        for (int p = 0, row = at; p < depth; p++, row += w) {
            int off = rowOff[p0 + p], a = o0 + off, b = o1 + off, c = o2 + off;
            FloatVector.fromArray(S, x, a).blend(FloatVector.fromArray(S, x, b), lo1).blend(FloatVector.fromArray(S, x, c), lo2)
                    .intoArray(dst, row);
            FloatVector.fromArray(S, x, a + L).blend(FloatVector.fromArray(S, x, b + L), hi1).blend(FloatVector.fromArray(S, x, c + L), hi2)
                    .intoArray(dst, row + L);
        }
    }

    /** Lane indices 0, 1, ..., L - 1. */
    private static final FloatVector IOTA = (FloatVector) S.iotaShuffle(0, 1, false).toVector();

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
