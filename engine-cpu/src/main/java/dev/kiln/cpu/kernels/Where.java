package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.WhereSpec;
import java.lang.foreign.MemorySegment;

/**
 * Broadcasting select {@code out = cond ? a : b} ({@link dev.kiln.spi.Backend#where}); elements of
 * a and b move bit for bit as 1-, 4- or 8-byte words, so every dtype works.
 */
public final class Where {
    private static final long GRAIN = 1 << 15;

    private Where() {}

    /** {@code out[i] = cond[ic] != 0 ? a[ia] : b[ib]} for every output element of {@code elementBytes} bytes. */
    public static void forward(CpuThreadPool pool, WhereSpec spec, int elementBytes, MemorySegment cond, MemorySegment a, MemorySegment b,
                               MemorySegment out) {
        int[] shape = spec.outShape();
        long[][] strides = {spec.condStrides(), spec.aStrides(), spec.bStrides()};
        pool.parallelRange(spec.numel(), GRAIN, (s, e) -> {
            Odometer o = new Odometer(shape, strides, s);
            for (long i = s; i < e; i++, o.next()) {
                boolean c = cond.get(JAVA_BYTE, o.offset(0)) != 0;
                MemorySegment src = c ? a : b;
                long at = c ? o.offset(1) : o.offset(2);
                switch (elementBytes) {
                    case 1 -> out.set(JAVA_BYTE, i, src.get(JAVA_BYTE, at));
                    case 4 -> out.setAtIndex(JAVA_INT, i, src.getAtIndex(JAVA_INT, at));
                    default -> out.setAtIndex(JAVA_LONG, i, src.getAtIndex(JAVA_LONG, at));
                }
            }
        });
    }
}
