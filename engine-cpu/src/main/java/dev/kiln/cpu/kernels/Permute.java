package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.PermuteSpec;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Permuted copy of 4-byte elements (any 4-byte dtype, moved as ints, bit for bit). Output rows
 * (the last output dimension) run in parallel; each output element is written once, so the
 * result does not depend on the thread count. When the last output dimension is also the
 * input's innermost one, each row is one contiguous block copy.
 */
public final class Permute {
    /** Smallest number of elements worth a task. */
    private static final long GRAIN = 1 << 14;

    private Permute() {}

    /** {@code out} (contiguous, {@code spec.outShape()}) from {@code in} (contiguous, {@code spec.inShape()}). */
    public static void forward(CpuThreadPool pool, PermuteSpec spec, MemorySegment in, MemorySegment out) {
        long n = spec.numel();
        if (n == 0) return;
        long[][] dims = coalesce(spec.outShape(), spec.sourceStrides());
        long[] shape = dims[0], stride = dims[1];
        int rank = shape.length;
        if (rank == 0) {  // every dimension has size 1: a single element
            MemorySegment.copy(in, 0, out, 0, 4 * n);
            return;
        }
        long inner = shape[rank - 1], innerStride = stride[rank - 1];
        long rows = n / inner;
        long rowGrain = Math.max(1, GRAIN / inner);
        pool.parallelRange(rows, rowGrain, (start, end) -> {
            for (long row = start; row < end; row++) {
                long src = 0, rem = row;
                for (int d = rank - 2; d >= 0; d--) {
                    long q = rem / shape[d];
                    src += (rem - q * shape[d]) * stride[d];
                    rem = q;
                }
                long dst = row * inner;
                if (innerStride == 1) {
                    MemorySegment.copy(in, 4 * src, out, 4 * dst, 4 * inner);
                } else {
                    for (long j = 0; j < inner; j++, src += innerStride) {
                        out.setAtIndex(JAVA_INT, dst + j, in.getAtIndex(JAVA_INT, src));
                    }
                }
            }
        });
    }

    /**
     * {shape, strides} with size-1 dimensions dropped and each dimension merged into its outer
     * neighbour where the pair walks the input as one run ({@code stride[d] == stride[d+1] *
     * shape[d+1]}); the output is contiguous, so merging never changes the element order.
     */
    static long[][] coalesce(int[] shape, long[] stride) {
        List<long[]> dims = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (!dims.isEmpty() && dims.getLast()[1] == stride[d] * shape[d]) {
                long[] prev = dims.getLast();
                prev[0] *= shape[d];
                prev[1] = stride[d];
            } else {
                dims.add(new long[] {shape[d], stride[d]});
            }
        }
        long[][] out = new long[2][dims.size()];
        for (int d = 0; d < dims.size(); d++) {
            out[0][d] = dims.get(d)[0];
            out[1][d] = dims.get(d)[1];
        }
        return out;
    }
}
