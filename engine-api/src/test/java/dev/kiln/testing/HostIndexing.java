package dev.kiln.testing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.spi.IndexSpec;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * The indexing primitives of {@link HostOnlyBackend}, written naively from their SPI contracts
 * (one loop over every {@code (o, k, i)}, multi-index decoded by division), so that engine-api
 * tests can run indexSelect, gather, scatterAdd, oneHot and embedding without a real backend.
 */
final class HostIndexing {
    private HostIndexing() {}

    static Object call(String method, Object[] args) {
        switch (method) {
            case "indexGather", "indexScatterAdd" -> {
                IndexSpec s = (IndexSpec) args[0];
                HostOnlyBackend.HostStorage a = (HostOnlyBackend.HostStorage) args[1], index = (HostOnlyBackend.HostStorage) args[2];
                HostOnlyBackend.HostStorage out = (HostOnlyBackend.HostStorage) args[3];
                boolean gather = method.equals("indexGather");
                for (long j = 0; j < s.otherNumel(); j++) {
                    long i = j % s.inner(), k = j / s.inner() % s.count(), o = j / s.inner() / s.count();
                    long r = at(index, s.shared() ? k : j);
                    if (r < 0 || r >= s.size()) throw s.outOfRange(r);
                    long indexed = (o * s.size() + r) * s.inner() + i;
                    if (gather) {
                        copy(a.segment, indexed, out.segment, j, a.dtype.byteSize());
                    } else if (r != s.skip()) {
                        out.segment.setAtIndex(JAVA_FLOAT, indexed, out.segment.getAtIndex(JAVA_FLOAT, indexed) + a.segment.getAtIndex(JAVA_FLOAT, j));
                    }
                }
                return null;
            }
            case "oneHot" -> {
                int classes = (Integer) args[0];
                HostOnlyBackend.HostStorage index = (HostOnlyBackend.HostStorage) args[1], out = (HostOnlyBackend.HostStorage) args[2];
                for (long j = 0; j < index.numel; j++) {
                    long v = at(index, j);
                    if (v < 0 || v >= classes) throw IndexSpec.classOutOfRange(v, classes);
                    for (int c = 0; c < classes; c++) out.segment.setAtIndex(JAVA_LONG, j * classes + c, v == c ? 1L : 0L);
                }
                return null;
            }
            default -> {
                HostOnlyBackend.HostStorage index = (HostOnlyBackend.HostStorage) args[0];
                long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
                for (long j = 0; j < index.numel; j++) {
                    min = Math.min(min, at(index, j));
                    max = Math.max(max, at(index, j));
                }
                return new long[] {min, max};
            }
        }
    }

    private static long at(HostOnlyBackend.HostStorage index, long j) {
        return index.dtype == DType.INT64 ? index.segment.getAtIndex(JAVA_LONG, j) : index.segment.getAtIndex(JAVA_INT, j);
    }

    private static void copy(MemorySegment from, long i, MemorySegment to, long j, int bytes) {
        switch (bytes) {
            case 1 -> to.set(JAVA_BYTE, j, from.get(JAVA_BYTE, i));
            case 4 -> to.setAtIndex(JAVA_INT, j, from.getAtIndex(JAVA_INT, i));
            default -> to.setAtIndex(JAVA_LONG, j, from.getAtIndex(JAVA_LONG, i));
        }
    }
}
