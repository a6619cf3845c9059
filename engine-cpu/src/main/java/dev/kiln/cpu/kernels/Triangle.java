package dev.kiln.cpu.kernels;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.TriangleSpec;
import java.lang.foreign.MemorySegment;

/**
 * tril/triu ({@link dev.kiln.spi.Backend#triangle}): in each matrix row the kept columns form one
 * run, copied as a block; the rest is zero-filled (zero bits are zero in every dtype). Rows run in
 * parallel and each writes only its own bytes.
 */
public final class Triangle {
    private static final long GRAIN = 1 << 15;

    private Triangle() {}

    /** Writes the kept triangle of every matrix of {@code x} to {@code out}, zeros elsewhere; elements of {@code elementBytes} bytes. */
    public static void forward(CpuThreadPool pool, TriangleSpec spec, int elementBytes, MemorySegment x, MemorySegment out) {
        long rows = spec.batch() * spec.rows();
        int cols = spec.cols();
        if (rows == 0 || cols == 0) return;
        long rowBytes = (long) cols * elementBytes;
        pool.parallelRange(rows, Math.max(1, GRAIN / cols), (s, e) -> {
            for (long r = s; r < e; r++) {
                long i = r % spec.rows();
                // Kept columns [from, to): j - i <= diagonal (lower) or j - i >= diagonal (upper).
                long from = spec.upper() ? clamp(i + spec.diagonal(), cols) : 0;
                long to = spec.upper() ? cols : clamp(i + spec.diagonal() + 1, cols);
                long base = r * rowBytes;
                if (to > from) MemorySegment.copy(x, base + from * elementBytes, out, base + from * elementBytes, (to - from) * elementBytes);
                else to = from;
                out.asSlice(base, from * elementBytes).fill((byte) 0);
                out.asSlice(base + to * elementBytes, rowBytes - to * elementBytes).fill((byte) 0);
            }
        });
    }

    private static long clamp(long v, int cols) {
        return Math.max(0, Math.min(v, cols));
    }
}
