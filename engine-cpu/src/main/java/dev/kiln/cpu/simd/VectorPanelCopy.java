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
     * or before t), and two stores; one run is a plain copy, up to three runs take 6 loads and 4
     * blends per row, up to six 12 and 10, instead of a gather per float.
     */
    @Override
    public void gatherRuns(float[] x, int[] rowOff, int p0, int depth, int w, int[] origins, int[] starts, int runs, float[] dst, int at) {
        if (w != 2 * L || runs > MAX_RUNS) {
            super.gatherRuns(x, rowOff, p0, depth, w, origins, starts, runs, dst, at);
        } else if (runs == 1) {
            oneRun(x, rowOff, p0, depth, origins[0], dst, at);
        } else if (runs <= 3) {
            threeRuns(x, rowOff, p0, depth, origins[0], origin(origins, runs, 1), origin(origins, runs, 2),
                    start(starts, runs, 1), start(starts, runs, 2), dst, at);
        } else {
            sixRuns(x, rowOff, p0, depth, origins, starts, runs, dst, at);
        }
    }

    /** Run j's origin, or the first run's for a run that does not exist (its lanes are masked off). */
    private static int origin(int[] origins, int runs, int j) {
        return j < runs ? origins[j] : origins[0];
    }

    /** Run j's first column, or 2L (no lane) for a run that does not exist. */
    private static int start(int[] starts, int runs, int j) {
        return j < runs ? starts[j] : 2 * L;
    }

    private static void oneRun(float[] x, int[] rowOff, int p0, int depth, int o0, float[] dst, int at) {
        for (int p = 0, row = at; p < depth; p++, row += 2 * L) {
            int from = o0 + rowOff[p0 + p];
            FloatVector.fromArray(S, x, from).intoArray(dst, row);
            FloatVector.fromArray(S, x, from + L).intoArray(dst, row + L);
        }
    }

    private static void threeRuns(float[] x, int[] rowOff, int p0, int depth, int o0, int o1, int o2, int s1, int s2, float[] dst, int at) {
        VectorMask<Float> lo1 = lanesFrom(s1), lo2 = lanesFrom(s2), hi1 = lanesFrom(s1 - L), hi2 = lanesFrom(s2 - L);
        for (int p = 0, row = at; p < depth; p++, row += 2 * L) {
            int off = rowOff[p0 + p], a = o0 + off, b = o1 + off, c = o2 + off;
            FloatVector.fromArray(S, x, a).blend(FloatVector.fromArray(S, x, b), lo1).blend(FloatVector.fromArray(S, x, c), lo2)
                    .intoArray(dst, row);
            FloatVector.fromArray(S, x, a + L).blend(FloatVector.fromArray(S, x, b + L), hi1).blend(FloatVector.fromArray(S, x, c + L), hi2)
                    .intoArray(dst, row + L);
        }
    }

    private static void sixRuns(float[] x, int[] rowOff, int p0, int depth, int[] origins, int[] starts, int runs, float[] dst, int at) {
        int o0 = origins[0], o1 = origin(origins, runs, 1), o2 = origin(origins, runs, 2), o3 = origin(origins, runs, 3),
                o4 = origin(origins, runs, 4), o5 = origin(origins, runs, 5);
        VectorMask<Float> lo1 = lanesFrom(start(starts, runs, 1)), lo2 = lanesFrom(start(starts, runs, 2)),
                lo3 = lanesFrom(start(starts, runs, 3)), lo4 = lanesFrom(start(starts, runs, 4)), lo5 = lanesFrom(start(starts, runs, 5));
        VectorMask<Float> hi1 = lanesFrom(start(starts, runs, 1) - L), hi2 = lanesFrom(start(starts, runs, 2) - L),
                hi3 = lanesFrom(start(starts, runs, 3) - L), hi4 = lanesFrom(start(starts, runs, 4) - L), hi5 = lanesFrom(start(starts, runs, 5) - L);
        for (int p = 0, row = at; p < depth; p++, row += 2 * L) {
            int off = rowOff[p0 + p];
            FloatVector.fromArray(S, x, o0 + off).blend(FloatVector.fromArray(S, x, o1 + off), lo1)
                    .blend(FloatVector.fromArray(S, x, o2 + off), lo2).blend(FloatVector.fromArray(S, x, o3 + off), lo3)
                    .blend(FloatVector.fromArray(S, x, o4 + off), lo4).blend(FloatVector.fromArray(S, x, o5 + off), lo5)
                    .intoArray(dst, row);
            int hi = off + L;
            FloatVector.fromArray(S, x, o0 + hi).blend(FloatVector.fromArray(S, x, o1 + hi), hi1)
                    .blend(FloatVector.fromArray(S, x, o2 + hi), hi2).blend(FloatVector.fromArray(S, x, o3 + hi), hi3)
                    .blend(FloatVector.fromArray(S, x, o4 + hi), hi4).blend(FloatVector.fromArray(S, x, o5 + hi), hi5)
                    .intoArray(dst, row + L);
        }
    }

    /** Lanes {@code i >= first}. */
    private static VectorMask<Float> lanesFrom(int first) {
        return IOTA.compare(VectorOperators.GE, first);
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
