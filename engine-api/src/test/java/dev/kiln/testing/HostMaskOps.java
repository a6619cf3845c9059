package dev.kiln.testing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.TriangleSpec;
import dev.kiln.spi.WhereSpec;
import java.lang.foreign.MemorySegment;

/**
 * Naive versions of the SPI's cast, compare, where and triangle for {@link HostOnlyBackend}: one
 * element at a time, operand offsets recomputed from the output's multi-index (so engine-api tests
 * of the mask ops run without a real backend).
 */
final class HostMaskOps {
    private HostMaskOps() {}

    static Object run(String method, Object[] args) {
        switch (method) {
            case "cast" -> cast((HostOnlyBackend.HostStorage) args[0], (HostOnlyBackend.HostStorage) args[1]);
            case "compare" -> compare((CompareOp) args[0], (Broadcast) args[1], (HostOnlyBackend.HostStorage) args[2],
                    (HostOnlyBackend.HostStorage) args[3], (HostOnlyBackend.HostStorage) args[4]);
            case "where" -> where((WhereSpec) args[0], (HostOnlyBackend.HostStorage) args[1], (HostOnlyBackend.HostStorage) args[2],
                    (HostOnlyBackend.HostStorage) args[3], (HostOnlyBackend.HostStorage) args[4]);
            case "triangle" -> triangle((TriangleSpec) args[0], (HostOnlyBackend.HostStorage) args[1], (HostOnlyBackend.HostStorage) args[2]);
            default -> throw new UnsupportedOperationException(method);
        }
        return null;
    }

    private static void cast(HostOnlyBackend.HostStorage in, HostOnlyBackend.HostStorage out) {
        for (long i = 0; i < in.numel; i++) {
            MemorySegment s = in.segment, d = out.segment;
            switch (out.dtype) {
                case FLOAT32 -> d.setAtIndex(JAVA_FLOAT, i, switch (in.dtype) {
                    case FLOAT32 -> s.getAtIndex(JAVA_FLOAT, i);
                    case INT32 -> (float) s.getAtIndex(JAVA_INT, i);
                    case INT64 -> (float) s.getAtIndex(JAVA_LONG, i);
                    case BOOL -> s.get(JAVA_BYTE, i);
                });
                case INT32 -> d.setAtIndex(JAVA_INT, i, switch (in.dtype) {
                    case FLOAT32 -> (int) s.getAtIndex(JAVA_FLOAT, i);
                    case INT32 -> s.getAtIndex(JAVA_INT, i);
                    case INT64 -> (int) s.getAtIndex(JAVA_LONG, i);
                    case BOOL -> s.get(JAVA_BYTE, i);
                });
                case INT64 -> d.setAtIndex(JAVA_LONG, i, switch (in.dtype) {
                    case FLOAT32 -> (long) s.getAtIndex(JAVA_FLOAT, i);
                    case INT32 -> s.getAtIndex(JAVA_INT, i);
                    case INT64 -> s.getAtIndex(JAVA_LONG, i);
                    case BOOL -> s.get(JAVA_BYTE, i);
                });
                case BOOL -> d.set(JAVA_BYTE, i, (byte) (number(in, i) != 0 ? 1 : 0));
            }
        }
    }

    /** Element i as a double (exact for every INT32, BOOL and FLOAT32 value; for tests' INT64 values). */
    private static double number(HostOnlyBackend.HostStorage t, long i) {
        return switch (t.dtype) {
            case FLOAT32 -> t.segment.getAtIndex(JAVA_FLOAT, i);
            case INT32 -> t.segment.getAtIndex(JAVA_INT, i);
            case INT64 -> t.segment.getAtIndex(JAVA_LONG, i);
            case BOOL -> t.segment.get(JAVA_BYTE, i);
        };
    }

    private static void compare(CompareOp op, Broadcast spec, HostOnlyBackend.HostStorage a, HostOnlyBackend.HostStorage b,
                                HostOnlyBackend.HostStorage out) {
        int[] shape = spec.outShape();
        for (long i = 0; i < spec.numel(); i++) {
            int[] j = index(i, shape);
            double x = number(a, at(j, spec.aShape())), y = number(b, at(j, spec.bShape()));
            boolean r = switch (op) {
                case EQ -> x == y;
                case NE -> x != y;
                case LT -> x < y;
                case LE -> x <= y;
                case GT -> x > y;
                case GE -> x >= y;
            };
            out.segment.set(JAVA_BYTE, i, (byte) (r ? 1 : 0));
        }
    }

    private static void where(WhereSpec spec, HostOnlyBackend.HostStorage cond, HostOnlyBackend.HostStorage a,
                              HostOnlyBackend.HostStorage b, HostOnlyBackend.HostStorage out) {
        int w = out.dtype.byteSize();
        for (long i = 0; i < spec.numel(); i++) {
            int[] j = index(i, spec.outShape());
            boolean c = cond.segment.get(JAVA_BYTE, at(j, spec.condShape())) != 0;
            long src = c ? at(j, spec.aShape()) : at(j, spec.bShape());
            MemorySegment.copy(c ? a.segment : b.segment, src * w, out.segment, i * w, w);
        }
    }

    private static void triangle(TriangleSpec spec, HostOnlyBackend.HostStorage x, HostOnlyBackend.HostStorage out) {
        int w = out.dtype.byteSize();
        for (long i = 0; i < spec.numel(); i++) {
            long col = i % spec.cols(), row = i / spec.cols() % spec.rows();
            if (spec.keeps(row, col)) MemorySegment.copy(x.segment, i * w, out.segment, i * w, w);
            else out.segment.asSlice(i * w, w).fill((byte) 0);
        }
    }

    /** The multi-index of flat index i of {@code shape}. */
    private static int[] index(long i, int[] shape) {
        int[] j = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            j[d] = (int) (i % shape[d]);
            i /= shape[d];
        }
        return j;
    }

    /** The flat element of an operand of {@code shape} (right-aligned, size-1 dims broadcast) read at output index j. */
    private static long at(int[] j, int[] shape) {
        long off = 0;
        int lead = j.length - shape.length;
        for (int d = 0; d < shape.length; d++) off = off * shape[d] + (shape[d] == 1 ? 0 : j[d + lead]);
        return off;
    }
}
