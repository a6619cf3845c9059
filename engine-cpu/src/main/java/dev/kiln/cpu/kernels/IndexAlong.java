package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.IndexSpec;
import java.lang.foreign.MemorySegment;

/**
 * Gather and scatter-add along one dimension ({@link IndexSpec}), one-hot encoding and the range
 * of an index. Indices are checked before anything is written, so a bad one leaves the output
 * untouched and the message names the first. A scatter-add splits the work by output rows (a
 * shared index with many rows: each task scans the index for its rows) or by output columns
 * {@code (o, i)}, never by source entries, and visits the entries in increasing {@code k}, so every
 * output element sums its contributions in one fixed order whatever the thread count (the same
 * order as the CUDA kernel).
 */
public final class IndexAlong {
    /** Smallest number of elements worth a task. */
    private static final long GRAIN = 1 << 14;

    private IndexAlong() {}

    /**
     * {@code out[o, k, i] = x[o, index(o, k, i), i]} for elements of {@code elemBytes} (1, 4 or 8) bytes.
     *
     * @throws IllegalArgumentException naming the first index outside {@code [0, spec.size())}
     */
    public static void gather(CpuThreadPool pool, IndexSpec spec, int elemBytes, MemorySegment x, MemorySegment index, boolean wide,
                              MemorySegment out) {
        check(spec, index, wide);
        long count = spec.count(), inner = spec.inner(), size = spec.size();
        if (spec.shared()) {  // each (o, k) is one contiguous run of inner elements
            long rowBytes = inner * elemBytes;
            pool.parallelRange((long) spec.outer() * count, Math.max(1, GRAIN / Math.max(1, inner)), (s, e) -> {
                for (long r = s; r < e; r++) {
                    long o = r / count, k = r - o * count;
                    long from = (o * size + at(index, wide, k)) * inner;
                    MemorySegment.copy(x, from * elemBytes, out, r * rowBytes, rowBytes);
                }
            });
            return;
        }
        pool.parallelRange(spec.otherNumel(), GRAIN, (s, e) -> {
            for (long j = s; j < e; j++) {
                long o = j / (count * inner), i = j % inner;
                long from = (o * size + at(index, wide, j)) * inner + i;
                switch (elemBytes) {
                    case 1 -> out.set(JAVA_BYTE, j, x.get(JAVA_BYTE, from));
                    case 4 -> out.setAtIndex(JAVA_INT, j, x.getAtIndex(JAVA_INT, from));
                    case 8 -> out.setAtIndex(JAVA_LONG, j, x.getAtIndex(JAVA_LONG, from));
                    default -> throw new IllegalArgumentException("gather: unsupported element size " + elemBytes);
                }
            }
        });
    }

    /**
     * {@code out[o, index(o, k, i), i] += src[o, k, i]} (float32), entries with index
     * {@code spec.skip()} dropped; each column {@code (o, i)} adds its entries in increasing k.
     *
     * @throws IllegalArgumentException naming the first index outside {@code [0, spec.size())}
     */
    public static void scatterAdd(CpuThreadPool pool, IndexSpec spec, MemorySegment src, MemorySegment index, boolean wide,
                                  MemorySegment out) {
        check(spec, index, wide);
        long count = spec.count(), inner = spec.inner(), size = spec.size(), skip = spec.skip();
        boolean shared = spec.shared();
        long outRows = (long) spec.outer() * size;
        if (shared && outRows >= 4L * pool.threads()) {
            // An embedding's weight gradient: each task owns whole output rows, scans the index and adds
            // the full source rows that land in its range (contiguous runs), in increasing k.
            pool.parallelRange(outRows, Math.max(1, outRows / (4L * pool.threads())), (s, e) -> {
                for (long o = s / size; o * size < e; o++) {
                    long r0 = Math.max(s - o * size, 0), r1 = Math.min(e - o * size, size);
                    for (long k = 0; k < count; k++) {
                        long r = at(index, wide, k);
                        if (r < r0 || r >= r1 || r == skip) continue;
                        long outRow = (o * size + r) * inner, srcRow = (o * count + k) * inner;
                        for (long i = 0; i < inner; i++) {
                            out.setAtIndex(JAVA_FLOAT, outRow + i, out.getAtIndex(JAVA_FLOAT, outRow + i) + src.getAtIndex(JAVA_FLOAT, srcRow + i));
                        }
                    }
                }
            });
            return;
        }
        long grain = Math.max(1, GRAIN / Math.max(1, count));
        pool.parallelRange((long) spec.outer() * inner, grain, (s, e) -> {
            for (long c = s; c < e; ) {  // columns c = o * inner + i, taken one o at a time
                long o = c / inner, i0 = c - o * inner, i1 = Math.min(inner, i0 + (e - c));
                for (long k = 0; k < count; k++) {
                    long srcRow = (o * count + k) * inner;
                    if (shared) {
                        long r = at(index, wide, k);
                        if (r == skip) continue;
                        long outRow = (o * size + r) * inner;
                        for (long i = i0; i < i1; i++) {
                            out.setAtIndex(JAVA_FLOAT, outRow + i, out.getAtIndex(JAVA_FLOAT, outRow + i) + src.getAtIndex(JAVA_FLOAT, srcRow + i));
                        }
                    } else {
                        for (long i = i0; i < i1; i++) {
                            long r = at(index, wide, srcRow + i);
                            if (r == skip) continue;
                            long to = (o * size + r) * inner + i;
                            out.setAtIndex(JAVA_FLOAT, to, out.getAtIndex(JAVA_FLOAT, to) + src.getAtIndex(JAVA_FLOAT, srcRow + i));
                        }
                    }
                }
                c += i1 - i0;
            }
        });
    }

    /**
     * INT64 {@code out[j, c] = index[j] == c ? 1 : 0} for {@code n} values.
     *
     * @throws IllegalArgumentException naming the first value outside {@code [0, classes)}
     */
    public static void oneHot(CpuThreadPool pool, int classes, long n, MemorySegment index, boolean wide, MemorySegment out) {
        for (long j = 0; j < n; j++) {
            long v = at(index, wide, j);
            if (v < 0 || v >= classes) throw IndexSpec.classOutOfRange(v, classes);
        }
        pool.parallelRange(n, Math.max(1, GRAIN / Math.max(1, classes)), (s, e) -> {
            out.asSlice(s * classes * 8, (e - s) * classes * 8).fill((byte) 0);
            for (long j = s; j < e; j++) out.setAtIndex(JAVA_LONG, j * classes + at(index, wide, j), 1L);
        });
    }

    /** {@return {min, max} of the first {@code n} (at least one) values} */
    public static long[] range(long n, MemorySegment index, boolean wide) {
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (long j = 0; j < n; j++) {
            long v = at(index, wide, j);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new long[] {min, max};
    }

    private static void check(IndexSpec spec, MemorySegment index, boolean wide) {
        long n = spec.indexNumel(), size = spec.size();
        for (long j = 0; j < n; j++) {
            long v = at(index, wide, j);
            if (v < 0 || v >= size) throw spec.outOfRange(v);
        }
    }

    private static long at(MemorySegment index, boolean wide, long j) {
        return wide ? index.getAtIndex(JAVA_LONG, j) : index.getAtIndex(JAVA_INT, j);
    }
}
