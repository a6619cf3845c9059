package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.StridedCopySpec;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Strided copy of 1-, 4- or 8-byte elements (every dtype, moved bit for bit). Rows (the last
 * dimension after merging) run in parallel; each output element is written once, so the result
 * does not depend on the thread count. When both innermost strides are 1 (a permute that keeps
 * the last dimension, a narrow, a slice placed back), each row is one contiguous block copy.
 */
public final class StridedCopy {
    /** Smallest number of elements worth a task. */
    private static final long GRAIN = 1 << 14;

    private StridedCopy() {}

    /** Copies as {@code spec} says from {@code in} to {@code out}, elements of {@code elementBytes} (1, 4 or 8) bytes. */
    public static void forward(CpuThreadPool pool, StridedCopySpec spec, int elementBytes, MemorySegment in, MemorySegment out) {
        if (elementBytes != 1 && elementBytes != 4 && elementBytes != 8) {
            throw new IllegalArgumentException("stridedCopy: elements of " + elementBytes + " bytes, expected 1, 4 or 8");
        }
        long n = spec.numel();
        if (n == 0) return;
        long[][] dims = coalesce(spec.shape(), spec.inStrides(), spec.outStrides());
        long[] shape = dims[0], is = dims[1], os = dims[2];
        long inOff = spec.inOffset(), outOff = spec.outOffset();
        int rank = shape.length;
        if (rank == 0) {  // every dimension has size 1: a single element
            move(elementBytes, in, inOff, out, outOff, 1, 1, 1);
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
                    MemorySegment.copy(in, elementBytes * src, out, elementBytes * dst, elementBytes * inner);
                } else {
                    move(elementBytes, in, src, out, dst, inner, innerIn, innerOut);
                }
            }
        });
    }

    /** {@code count} elements from {@code in[src + k * inStep]} to {@code out[dst + k * outStep]}; one loop per width, no switch inside. */
    private static void move(int bytes, MemorySegment in, long src, MemorySegment out, long dst, long count, long inStep, long outStep) {
        switch (bytes) {
            case 1 -> {
                for (long j = 0; j < count; j++, src += inStep, dst += outStep) out.set(JAVA_BYTE, dst, in.get(JAVA_BYTE, src));
            }
            case 4 -> {
                for (long j = 0; j < count; j++, src += inStep, dst += outStep) out.setAtIndex(JAVA_INT, dst, in.getAtIndex(JAVA_INT, src));
            }
            default -> {
                for (long j = 0; j < count; j++, src += inStep, dst += outStep) out.setAtIndex(JAVA_LONG, dst, in.getAtIndex(JAVA_LONG, src));
            }
        }
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
