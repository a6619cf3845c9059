package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A row-major matrix in a segment as a GEMM {@link Operand}. {@code outerMajor}: element
 * {@code (o, p)} is at {@code off + o*ld + p} (A as stored, or B transposed); otherwise at
 * {@code off + p*ld + o} (B as stored, or A transposed), whose panels are bulk copies.
 */
public record DenseOperand(MemorySegment seg, long off, long ld, boolean outerMajor) implements Operand {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** op(A) of a row-major A stored {@code [m x k]}, or {@code [k x m]} when transposed. */
    public static DenseOperand a(MemorySegment seg, long off, int m, int k, boolean trans) {
        return trans ? new DenseOperand(seg, off, m, false) : new DenseOperand(seg, off, k, true);
    }

    /** op(B) of a row-major B stored {@code [k x n]}, or {@code [n x k]} when transposed. */
    public static DenseOperand b(MemorySegment seg, long off, int n, int k, boolean trans) {
        return trans ? new DenseOperand(seg, off, k, true) : new DenseOperand(seg, off, n, false);
    }

    @Override
    public void pack(int o0, int count, int p0, int depth, int w, float[] dst) {
        if (outerMajor) packRows(o0, count, p0, depth, w, dst);
        else packColumns(o0, count, p0, depth, w, dst);
        int tail = count % w;
        if (tail != 0) {
            int base = (count - tail) * depth;
            for (int p = 0; p < depth; p++) java.util.Arrays.fill(dst, base + p * w + tail, base + p * w + w, 0f);
        }
    }

    /** Element (o, p) at {@code off + o*ld + p}: a transpose, one source row at a time (unaligned reads skip the alignment check). */
    private void packRows(int o0, int count, int p0, int depth, int w, float[] dst) {
        for (int t0 = 0; t0 < count; t0 += w) {
            int valid = Math.min(w, count - t0), base = t0 * depth;
            for (int t = 0; t < valid; t++) {
                long src = off + (long) (o0 + t0 + t) * ld + p0;
                for (int p = 0; p < depth; p++) dst[base + p * w + t] = seg.getAtIndex(F, src + p);
            }
        }
    }

    /** Element (o, p) at {@code off + p*ld + o}: every source line holds w consecutive values of each panel. */
    private void packColumns(int o0, int count, int p0, int depth, int w, float[] dst) {
        int full = count / w * w;
        PanelCopy.get().runs(seg, off + (long) p0 * ld + o0, ld, full, depth, w, dst);
        if (full < count) {
            int base = full * depth;
            for (int p = 0; p < depth; p++) {
                MemorySegment.copy(seg, JAVA_FLOAT, (off + (long) (p0 + p) * ld + o0 + full) * Float.BYTES, dst, base + p * w, count - full);
            }
        }
    }
}
