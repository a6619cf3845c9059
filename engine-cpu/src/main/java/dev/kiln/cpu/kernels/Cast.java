package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Elementwise dtype conversion ({@link dev.kiln.spi.Backend#cast}) with Java's casts, which are
 * the SPI's rules: float to integer rounds toward zero and saturates (NaN gives 0), long to int
 * keeps the low bits, integers to float round to nearest, and booleans are {@code != 0}.
 */
public final class Cast {
    private static final long GRAIN = 1 << 15;

    private Cast() {}

    /** {@code out[i] = (to) in[i]} for {@code n} elements. */
    public static void forward(CpuThreadPool pool, DType from, DType to, MemorySegment in, MemorySegment out, long n) {
        pool.parallelRange(n, GRAIN, (s, e) -> {
            switch (to) {
                case FLOAT32 -> { for (long i = s; i < e; i++) out.setAtIndex(JAVA_FLOAT, i, asFloat(from, in, i)); }
                case INT32 -> { for (long i = s; i < e; i++) out.setAtIndex(JAVA_INT, i, asInt(from, in, i)); }
                case INT64 -> { for (long i = s; i < e; i++) out.setAtIndex(JAVA_LONG, i, asLong(from, in, i)); }
                case BOOL -> { for (long i = s; i < e; i++) out.set(JAVA_BYTE, i, asBool(from, in, i) ? (byte) 1 : 0); }
            }
        });
    }

    private static float asFloat(DType from, MemorySegment in, long i) {
        return switch (from) {
            case FLOAT32 -> in.getAtIndex(JAVA_FLOAT, i);
            case INT32 -> in.getAtIndex(JAVA_INT, i);
            case INT64 -> in.getAtIndex(JAVA_LONG, i);  // one rounding, straight from 64 bits
            case BOOL -> in.get(JAVA_BYTE, i) != 0 ? 1f : 0f;
        };
    }

    private static int asInt(DType from, MemorySegment in, long i) {
        return switch (from) {
            case FLOAT32 -> (int) in.getAtIndex(JAVA_FLOAT, i);
            case INT32 -> in.getAtIndex(JAVA_INT, i);
            case INT64 -> (int) in.getAtIndex(JAVA_LONG, i);
            case BOOL -> in.get(JAVA_BYTE, i) != 0 ? 1 : 0;
        };
    }

    private static long asLong(DType from, MemorySegment in, long i) {
        return switch (from) {
            case FLOAT32 -> (long) in.getAtIndex(JAVA_FLOAT, i);
            case INT32 -> in.getAtIndex(JAVA_INT, i);
            case INT64 -> in.getAtIndex(JAVA_LONG, i);
            case BOOL -> in.get(JAVA_BYTE, i) != 0 ? 1 : 0;
        };
    }

    private static boolean asBool(DType from, MemorySegment in, long i) {
        return switch (from) {
            case FLOAT32 -> in.getAtIndex(JAVA_FLOAT, i) != 0f;  // true for NaN
            case INT32 -> in.getAtIndex(JAVA_INT, i) != 0;
            case INT64 -> in.getAtIndex(JAVA_LONG, i) != 0;
            case BOOL -> in.get(JAVA_BYTE, i) != 0;
        };
    }
}
