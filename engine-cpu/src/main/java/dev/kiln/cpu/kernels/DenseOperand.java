package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * A row-major matrix in a segment as a GEMM {@link Operand}. {@code outerMajor}: element
 * {@code (o, p)} is at {@code off + o*ld + p} (A as stored, or B transposed); otherwise at
 * {@code off + p*ld + o} (B as stored, or A transposed), whose panels are bulk copies.
 */
public record DenseOperand(MemorySegment seg, long off, long ld, boolean outerMajor) implements Operand {
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
        for (int t0 = 0; t0 < count; t0 += w) {
            int valid = Math.min(w, count - t0), base = t0 * depth;
            if (outerMajor) {
                for (int t = 0; t < valid; t++) {
                    long src = off + (long) (o0 + t0 + t) * ld + p0;
                    for (int p = 0; p < depth; p++) dst[base + p * w + t] = seg.getAtIndex(JAVA_FLOAT, src + p);
                }
            } else {
                for (int p = 0; p < depth; p++) {
                    MemorySegment.copy(seg, JAVA_FLOAT, (off + (long) (p0 + p) * ld + o0 + t0) * Float.BYTES, dst, base + p * w, valid);
                }
            }
            if (valid < w) {
                for (int p = 0; p < depth; p++) java.util.Arrays.fill(dst, base + p * w + valid, base + p * w + w, 0f);
            }
        }
    }
}
