package dev.kiln.cuda.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.spi.Broadcast;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.StridedCopySpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Host-side packing of the kernel arguments that are not scalars: the by-value index maps of
 * {@code common.cuh} ({@code KilnBroadcast}, {@code KilnReduce}, {@code KilnStridedCopy}) and the tensor and chunk tables of
 * the multi-tensor optimisers ({@code optim.cu}). All little-endian, 8-byte aligned.
 */
final class KernelArgs {
    /** Most dimensions a kernel index map holds (KILN_MAX_RANK). */
    static final int MAX_RANK = 8;
    /** sizeof(KilnBroadcast): int32 rank, int32 pad, int64 shape[8], aStride[8], bStride[8]. */
    static final long BROADCAST_BYTES = 8 + 3 * 8 * MAX_RANK;
    /** sizeof(KilnReduce): int32 keptRank, int32 redRank, int64 keptShape[8], keptStride[8], redShape[8], redStride[8]. */
    static final long REDUCE_BYTES = 8 + 4 * 8 * MAX_RANK;
    /** sizeof(KilnStridedCopy): int32 rank, int32 pad, int64 shape[8], inStride[8], outStride[8], inOffset, outOffset. */
    static final long STRIDED_COPY_BYTES = 8 + 3 * 8 * MAX_RANK + 16;

    private KernelArgs() {}

    /** Dimensions with per-operand strides, after dropping size-1 dims and merging contiguous runs. */
    record Dims(long[] shape, long[][] strides) {
        int rank() {
            return shape.length;
        }
    }

    /**
     * Drops size-1 dimensions and merges each dimension into its outer neighbour wherever every
     * operand's stride says the pair is one run ({@code stride[d] == stride[d+1] * shape[d+1]},
     * which also merges runs broadcast in both operands). The index map is unchanged.
     */
    static Dims coalesce(long[] shape, long[]... strides) {
        List<long[]> dims = new ArrayList<>();  // each: {size, stride_0, stride_1, ...}
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            long[] cur = new long[1 + strides.length];
            cur[0] = shape[d];
            for (int k = 0; k < strides.length; k++) cur[1 + k] = strides[k][d];
            if (!dims.isEmpty()) {
                long[] prev = dims.getLast();
                boolean merge = true;
                for (int k = 1; k < cur.length; k++) merge &= prev[k] == cur[k] * cur[0];
                if (merge) {
                    prev[0] *= cur[0];
                    for (int k = 1; k < cur.length; k++) prev[k] = cur[k];
                    continue;
                }
            }
            dims.add(cur);
        }
        long[] outShape = new long[dims.size()];
        long[][] outStrides = new long[strides.length][dims.size()];
        for (int d = 0; d < dims.size(); d++) {
            outShape[d] = dims.get(d)[0];
            for (int k = 0; k < strides.length; k++) outStrides[k][d] = dims.get(d)[1 + k];
        }
        return new Dims(outShape, outStrides);
    }

    /** The {@code KilnBroadcast} struct for {@code spec}, allocated in {@code arena}. */
    static MemorySegment broadcast(Arena arena, Broadcast spec) {
        long[] shape = new long[spec.outShape().length];
        for (int d = 0; d < shape.length; d++) shape[d] = spec.outShape()[d];
        Dims dims = coalesce(shape, spec.aStrides(), spec.bStrides());
        checkRank("binary", dims.rank(), spec.outShape().length);
        MemorySegment s = arena.allocate(BROADCAST_BYTES, 8);
        s.set(JAVA_INT, 0, dims.rank());
        putLongs(s, 8, dims.shape());
        putLongs(s, 8 + 8 * MAX_RANK, dims.strides()[0]);
        putLongs(s, 8 + 16 * MAX_RANK, dims.strides()[1]);
        return s;
    }

    /**
     * The {@code KilnStridedCopy} struct for {@code spec}, coalesced: a dimension merges into its
     * outer neighbour only where both the input and the output walk the pair as one run, so every
     * element still goes to the same place.
     */
    static MemorySegment stridedCopy(Arena arena, StridedCopySpec spec) {
        int[] sh = spec.shape();
        long[] shape = new long[sh.length];
        for (int d = 0; d < shape.length; d++) shape[d] = sh[d];
        Dims dims = coalesce(shape, spec.inStrides(), spec.outStrides());
        checkRank("stridedCopy", dims.rank(), sh.length);
        MemorySegment s = arena.allocate(STRIDED_COPY_BYTES, 8);
        s.set(JAVA_INT, 0, dims.rank());
        putLongs(s, 8, dims.shape());
        putLongs(s, 8 + 8 * MAX_RANK, dims.strides()[0]);
        putLongs(s, 8 + 16 * MAX_RANK, dims.strides()[1]);
        s.set(JAVA_LONG, 8 + 24 * MAX_RANK, spec.inOffset());
        s.set(JAVA_LONG, 16 + 24 * MAX_RANK, spec.outOffset());
        return s;
    }

    /**
     * The {@code KilnReduce} struct for summing a contiguous tensor of {@code spec.shape()} over
     * {@code spec.axes()}: kept dims enumerate outputs (row-major, matching the contiguous output),
     * reduced dims enumerate the elements summed into each.
     */
    static MemorySegment reduce(Arena arena, ReduceSpec spec) {
        Dims[] parts = reduceDims(spec);
        MemorySegment s = arena.allocate(REDUCE_BYTES, 8);
        s.set(JAVA_INT, 0, parts[0].rank());
        s.set(JAVA_INT, 4, parts[1].rank());
        putLongs(s, 8, parts[0].shape());
        putLongs(s, 8 + 8 * MAX_RANK, parts[0].strides()[0]);
        putLongs(s, 8 + 16 * MAX_RANK, parts[1].shape());
        putLongs(s, 8 + 24 * MAX_RANK, parts[1].strides()[0]);
        return s;
    }

    /** {kept dims, reduced dims} of a sum, each coalesced, with the input's contiguous strides. */
    static Dims[] reduceDims(ReduceSpec spec) {
        int[] shape = spec.shape();
        long[] strides = new long[shape.length];
        for (int d = shape.length - 1, s = 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(shape[d], 1);
        }
        int rank = shape.length, reduced = spec.axes().length;
        long[] keptShape = new long[rank - reduced], keptStride = new long[rank - reduced];
        long[] redShape = new long[reduced], redStride = new long[reduced];
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (spec.reduces(d)) {
                redShape[r] = shape[d];
                redStride[r++] = strides[d];
            } else {
                keptShape[k] = shape[d];
                keptStride[k++] = strides[d];
            }
        }
        Dims kept = coalesce(keptShape, keptStride), red = coalesce(redShape, redStride);
        checkRank("sum", kept.rank(), rank);
        checkRank("sum", red.rank(), rank);
        return new Dims[] {kept, red};
    }

    /**
     * One table for a multi-tensor kernel: {@code columns.length} pointers/sizes per tensor
     * (row-major, tensor by tensor) followed by the chunk table, {tensor index, start} per chunk of
     * {@code chunkSize} elements. {@code sizes} is the last column. Empty tensors get no chunk.
     */
    static MemorySegment tensorTable(Arena arena, long[][] columns, long[] sizes, int chunkSize) {
        int tensors = sizes.length;
        long chunks = chunkCount(sizes, chunkSize);
        MemorySegment s = arena.allocate(8L * (tensors * (columns.length + 1L) + 2 * chunks), 8);
        long at = 0;
        for (int t = 0; t < tensors; t++) {
            for (long[] column : columns) {
                s.set(JAVA_LONG, at, column[t]);
                at += 8;
            }
            s.set(JAVA_LONG, at, sizes[t]);
            at += 8;
        }
        for (int t = 0; t < tensors; t++) {
            for (long start = 0; start < sizes[t]; start += chunkSize) {
                s.set(JAVA_LONG, at, t);
                s.set(JAVA_LONG, at + 8, start);
                at += 16;
            }
        }
        return s;
    }

    /** Number of chunks of {@code chunkSize} elements covering every tensor. */
    static long chunkCount(long[] sizes, int chunkSize) {
        long chunks = 0;
        for (long n : sizes) chunks += (n + chunkSize - 1) / chunkSize;
        return chunks;
    }

    private static void putLongs(MemorySegment s, long offset, long[] values) {
        for (int i = 0; i < values.length; i++) s.set(JAVA_LONG, offset + 8L * i, values[i]);
    }

    private static void checkRank(String op, int rank, int original) {
        if (rank > MAX_RANK) {
            throw new IllegalArgumentException(op + ": rank " + original + " does not reduce to at most " + MAX_RANK
                    + " dimensions for the CUDA kernel (got " + rank + ")");
        }
    }

    // ---- masks and dtypes (issue 11) ----

    /** sizeof(KilnWhere): int32 rank, int32 pad, int64 shape[8], cStride[8], aStride[8], bStride[8]. */
    static final long WHERE_BYTES = 8 + 4 * 8 * MAX_RANK;

    /** The {@code KilnWhere} struct for {@code spec}, coalesced over all three operands, allocated in {@code arena}. */
    static MemorySegment where(Arena arena, dev.kiln.spi.WhereSpec spec) {
        long[] shape = new long[spec.outShape().length];
        for (int d = 0; d < shape.length; d++) shape[d] = spec.outShape()[d];
        Dims dims = coalesce(shape, spec.condStrides(), spec.aStrides(), spec.bStrides());
        checkRank("where", dims.rank(), spec.outShape().length);
        MemorySegment s = arena.allocate(WHERE_BYTES, 8);
        s.set(JAVA_INT, 0, dims.rank());
        putLongs(s, 8, dims.shape());
        putLongs(s, 8 + 8 * MAX_RANK, dims.strides()[0]);
        putLongs(s, 8 + 16 * MAX_RANK, dims.strides()[1]);
        putLongs(s, 8 + 24 * MAX_RANK, dims.strides()[2]);
        return s;
    }
}
