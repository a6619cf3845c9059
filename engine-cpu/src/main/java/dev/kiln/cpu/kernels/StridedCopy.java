package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.StridedCopySpec;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Strided copy of 4-byte elements (any 4-byte dtype, moved as ints, bit for bit). Rows (the last
 * dimension after merging) run in parallel; each output element is written once, so the result
 * does not depend on the thread count. When both innermost strides are 1 (a permute that keeps
 * the last dimension, a narrow, a slice placed back), each row is one contiguous block copy.
 */
public final class StridedCopy {
    /** Smallest number of elements worth a task. */
    private static final long GRAIN = 1 << 14;

    private StridedCopy() {}

    /** Copies as {@code spec} says from {@code in} to {@code out}. */
    public static void forward(CpuThreadPool pool, StridedCopySpec spec, MemorySegment in, MemorySegment out) {
        long n = spec.numel();
        if (n == 0) return;
        long[][] dims = coalesce(spec.shape(), spec.inStrides(), spec.outStrides());
        long[] shape = dims[0], is = dims[1], os = dims[2];
        long inOff = spec.inOffset(), outOff = spec.outOffset();
        int rank = shape.length;
        if (rank == 0) {  // every dimension has size 1: a single element
            out.setAtIndex(JAVA_INT, outOff, in.getAtIndex(JAVA_INT, inOff));
            return;
        }
        long inner = shape[rank - 1], innerIn = is[rank - 1], innerOut = os[rank - 1];
        long rows = n / inner;
        long rowGrain = Math.max(1, GRAIN / inner);
        pool.parallelRange(rows, rowGrain, (start, end) -> {
            for (long row = start; row < end; row++) {
                long src = inOff, dst = outOff, rem = row;
                for (int d = rank - 2; d >= 0; d--) {
                    long q = rem / shape[d];
                    long j = rem - q * shape[d];
                    src += j * is[d];
                    dst += j * os[d];
                    rem = q;
                }
                if (innerIn == 1 && innerOut == 1) {
                    MemorySegment.copy(in, 4 * src, out, 4 * dst, 4 * inner);
                } else {
                    for (long j = 0; j < inner; j++, src += innerIn, dst += innerOut) {
                        out.setAtIndex(JAVA_INT, dst, in.getAtIndex(JAVA_INT, src));
                    }
                }
            }
        });
    }

    /**
     * {shape, inStrides, outStrides} with size-1 dimensions dropped and each dimension merged into
     * its outer neighbour where the pair is one run on both sides ({@code stride[d] ==
     * stride[d+1] * shape[d+1]} for input and output), so merging never changes which element goes
     * where.
     */
    static long[][] coalesce(int[] shape, long[] in, long[] out) {
        List<long[]> dims = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (!dims.isEmpty() && dims.getLast()[1] == in[d] * shape[d] && dims.getLast()[2] == out[d] * shape[d]) {
                long[] prev = dims.getLast();
                prev[0] *= shape[d];
                prev[1] = in[d];
                prev[2] = out[d];
            } else {
                dims.add(new long[] {shape[d], in[d], out[d]});
            }
        }
        long[][] res = new long[3][dims.size()];
        for (int d = 0; d < dims.size(); d++) {
            for (int k = 0; k < 3; k++) res[k][d] = dims.get(d)[k];
        }
        return res;
    }
}
