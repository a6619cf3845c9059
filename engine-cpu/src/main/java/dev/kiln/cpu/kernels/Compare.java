package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CompareOp;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Broadcasting comparisons into a BOOL output ({@link dev.kiln.spi.Backend#compare}). FLOAT32
 * compares with Java's float operators (IEEE: NaN is unequal to everything); INT32, INT64 and
 * BOOL compare exactly as longs.
 */
public final class Compare {
    private static final long GRAIN = 1 << 15;

    private Compare() {}

    /** {@code out[i] = a[ia] (op) b[ib]} for every output element; a and b have dtype {@code type}. */
    public static void forward(CpuThreadPool pool, CompareOp op, Broadcast spec, DType type, MemorySegment a, MemorySegment b,
                               MemorySegment out) {
        int[] shape = spec.outShape();
        long[][] strides = {spec.aStrides(), spec.bStrides()};
        pool.parallelRange(spec.numel(), GRAIN, (s, e) -> {
            Odometer o = new Odometer(shape, strides, s);
            for (long i = s; i < e; i++, o.next()) {
                long ia = o.offset(0), ib = o.offset(1);
                boolean r = type == DType.FLOAT32
                        ? test(op, a.getAtIndex(JAVA_FLOAT, ia), b.getAtIndex(JAVA_FLOAT, ib))
                        : test(op, asLong(type, a, ia), asLong(type, b, ib));
                out.set(JAVA_BYTE, i, r ? (byte) 1 : 0);
            }
        });
    }

    private static long asLong(DType type, MemorySegment s, long i) {
        return switch (type) {
            case INT32 -> s.getAtIndex(JAVA_INT, i);
            case INT64 -> s.getAtIndex(JAVA_LONG, i);
            case BOOL -> s.get(JAVA_BYTE, i);
            case FLOAT32 -> throw new IllegalStateException("unreachable: FLOAT32 compares as float");
        };
    }

    private static boolean test(CompareOp op, float a, float b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }

    private static boolean test(CompareOp op, long a, long b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }
}
