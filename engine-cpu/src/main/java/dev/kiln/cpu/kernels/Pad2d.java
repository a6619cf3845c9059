package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.PadSpec;
import java.lang.foreign.MemorySegment;

/** Zero or circular padding of NCHW planes, and its adjoint. Planes run in parallel. */
public final class Pad2d {
    private Pad2d() {}

    /** {@code y[n, c, h+top+bottom, w+left+right]} from {@code x[n, c, h, w]}. */
    public static void forward(CpuThreadPool pool, PadSpec s, MemorySegment x, MemorySegment y) {
        int oh = s.outH(), ow = s.outW();
        pool.parallelFor(planes(s), pl -> {
            long xb = (long) pl * s.h() * s.w(), yb = (long) pl * oh * ow;
            for (int i = 0; i < oh; i++) {
                int si = source(i, s.top(), s.h(), s.mode());
                for (int j = 0; j < ow; j++) {
                    int sj = source(j, s.left(), s.w(), s.mode());
                    float v = si < 0 || sj < 0 ? 0f : x.getAtIndex(JAVA_FLOAT, xb + (long) si * s.w() + sj);
                    y.setAtIndex(JAVA_FLOAT, yb + (long) i * ow + j, v);
                }
            }
        });
    }

    /** {@code gx[n, c, h, w]}: each padded cell's gradient added to the cell it was copied from. */
    public static void backward(CpuThreadPool pool, PadSpec s, MemorySegment gy, MemorySegment gx) {
        int oh = s.outH(), ow = s.outW();
        pool.parallelFor(planes(s), pl -> {
            long xb = (long) pl * s.h() * s.w(), yb = (long) pl * oh * ow;
            for (long i = 0; i < (long) s.h() * s.w(); i++) gx.setAtIndex(JAVA_FLOAT, xb + i, 0f);
            for (int i = 0; i < oh; i++) {
                int si = source(i, s.top(), s.h(), s.mode());
                if (si < 0) continue;
                for (int j = 0; j < ow; j++) {
                    int sj = source(j, s.left(), s.w(), s.mode());
                    if (sj < 0) continue;
                    long d = xb + (long) si * s.w() + sj;
                    gx.setAtIndex(JAVA_FLOAT, d, gx.getAtIndex(JAVA_FLOAT, d) + gy.getAtIndex(JAVA_FLOAT, yb + (long) i * ow + j));
                }
            }
        });
    }

    /** Source index of padded index {@code i}, or -1 for a zero cell. */
    private static int source(int i, int before, int size, PadSpec.Mode mode) {
        int r = i - before;
        if (mode == PadSpec.Mode.CIRCULAR) return ((r % size) + size) % size;
        return r >= 0 && r < size ? r : -1;
    }

    private static int planes(PadSpec s) {
        return Math.multiplyExact(s.n(), s.c());
    }
}
