package dev.kiln.cuda.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.Broadcast;
import dev.kiln.spi.PermuteSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The packed index maps, checked by replaying the kernels' index arithmetic (common.cuh,
 * elementwise.cu, reduce.cu, strided_copy.cu) in Java against naive broadcasting, summation and permutation.
 */
class KernelArgsTest {
    private static final int[][][] BROADCAST_CASES = {
        {{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {4}}, {{1}, {5, 1, 7}}, {{6, 1, 1, 5}, {1, 4, 3, 1}}, {{3, 4}, {3, 4}},
        {{}, {}}, {{2, 1, 3, 1, 2, 1, 3, 1, 2}, {2, 1, 3, 1, 2}}, {{1, 1, 1}, {1}},
    };

    @Test
    void broadcastMapMatchesNaiveIndexing() {
        for (int[][] c : BROADCAST_CASES) {
            Broadcast spec = Broadcast.of("add", c[0], c[1]);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = KernelArgs.broadcast(arena, spec);
                assertEquals(KernelArgs.BROADCAST_BYTES, s.byteSize());
                int rank = s.get(JAVA_INT, 0);
                long[] shape = longs(s, 8, rank), as = longs(s, 72, rank), bs = longs(s, 136, rank);
                int[] out = spec.outShape();
                for (long i = 0; i < spec.numel(); i++) {
                    long[] k = kernelOffsets(i, shape, as, bs);
                    long[] n = naiveOffsets(i, out, c[0], c[1]);
                    assertArrayEquals(n, k, "element " + i + " of " + Arrays.toString(c[0]) + " + " + Arrays.toString(c[1]));
                }
            }
        }
    }

    @Test
    void broadcastCoalescesContiguousRuns() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = KernelArgs.broadcast(arena, Broadcast.of("add", new int[] {2, 3, 4}, new int[] {4}));
            assertEquals(2, s.get(JAVA_INT, 0));
            assertArrayEquals(new long[] {6, 4}, longs(s, 8, 2));
            assertArrayEquals(new long[] {4, 1}, longs(s, 72, 2));
            assertArrayEquals(new long[] {0, 1}, longs(s, 136, 2));
            s = KernelArgs.broadcast(arena, Broadcast.of("add", new int[] {5, 7}, new int[] {5, 7}));
            assertEquals(1, s.get(JAVA_INT, 0));
            assertArrayEquals(new long[] {35}, longs(s, 8, 1));
        }
    }

    @Test
    void reduceMapMatchesNaiveSums() {
        int[] shape = {3, 1, 4, 5, 2};
        float[] x = new float[(int) Shape.numel(shape)];
        for (int i = 0; i < x.length; i++) x[i] = (i * 37 % 101) - 50;
        for (int mask = 0; mask < 1 << shape.length; mask++) {
            int m = mask;
            int[] axes = IntStream.range(0, shape.length).filter(b -> (m >> b & 1) != 0).toArray();
            ReduceSpec spec = new ReduceSpec(shape, axes);
            float[] expected = naiveSum(x, spec);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = KernelArgs.reduce(arena, spec);
                assertEquals(KernelArgs.REDUCE_BYTES, s.byteSize());
                int kr = s.get(JAVA_INT, 0), rr = s.get(JAVA_INT, 4);
                long[] ks = longs(s, 8, kr), kst = longs(s, 72, kr), rs = longs(s, 136, rr), rst = longs(s, 200, rr);
                long redN = x.length / expected.length;
                for (int o = 0; o < expected.length; o++) {
                    long base = offset(o, ks, kst);
                    double acc = 0;
                    for (long r = 0; r < redN; r++) acc += x[(int) (base + offset(r, rs, rst))];
                    assertEquals(expected[o], (float) acc, "output " + o + " of sum over " + Arrays.toString(axes));
                }
            }
        }
    }

    @Test
    void permuteMapMatchesNaiveIndexing() {
        int[][][] cases = {
            {{2, 3, 4}, {2, 0, 1}}, {{2, 3, 4}, {0, 1, 2}}, {{5, 1, 3}, {2, 1, 0}}, {{2, 3, 4, 5}, {0, 2, 1, 3}},
            {{}, {}}, {{7}, {0}}, {{1, 1}, {1, 0}}, {{2, 1, 3, 1, 2, 1, 3, 1, 2}, {8, 7, 6, 5, 4, 3, 2, 1, 0}},
        };
        for (int[][] c : cases) {
            PermuteSpec spec = new PermuteSpec(c[0], c[1]);
            int[] out = spec.outShape();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = KernelArgs.stridedCopy(arena, spec.copySpec());
                assertEquals(KernelArgs.STRIDED_COPY_BYTES, s.byteSize());
                int rank = s.get(JAVA_INT, 0);
                long[] shape = longs(s, 8, rank), stride = longs(s, 72, rank), outStride = longs(s, 136, rank);
                assertEquals(0, i0(s));
                for (long i = 0; i < spec.numel(); i++) {
                    // Naive: output multi-index j, input index k with k[perm[d]] = j[d], row-major offset.
                    int[] k = new int[c[0].length];
                    long rem = i;
                    for (int d = out.length - 1; d >= 0; d--) {
                        k[c[1][d]] = (int) (rem % out[d]);
                        rem /= out[d];
                    }
                    long naive = 0;
                    for (int d = 0; d < k.length; d++) naive = naive * c[0][d] + k[d];
                    assertEquals(i, offset(i, shape, outStride), "permutes write contiguously");
                    assertEquals(naive, offset(i, shape, stride), "element " + i + " of " + Arrays.toString(c[0]) + " permuted by " + Arrays.toString(c[1]));
                }
            }
        }
    }

    @Test
    void permuteMapCoalescesUnmovedRuns() {
        try (Arena arena = Arena.ofConfined()) {
            // [2, 3, 4, 5] by (2, 3, 0, 1): dims 2,3 and 0,1 each stay adjacent, so a 2-D transpose of [6, 20].
            MemorySegment s = KernelArgs.stridedCopy(arena, new PermuteSpec(new int[] {2, 3, 4, 5}, new int[] {2, 3, 0, 1}).copySpec());
            assertEquals(2, s.get(JAVA_INT, 0));
            assertArrayEquals(new long[] {20, 6}, longs(s, 8, 2));
            assertArrayEquals(new long[] {1, 20}, longs(s, 72, 2));
            assertArrayEquals(new long[] {6, 1}, longs(s, 136, 2));
        }
    }

    /** Offsets, broadcast (stride 0) reads and strided writes, replayed against the spec's definition. */
    @Test
    void stridedCopyMapMatchesNaiveIndexing() {
        StridedCopySpec[] cases = {
            new StridedCopySpec(new int[] {2, 3, 4}, 7, new long[] {0, 4, 1}, 0, new long[] {12, 4, 1}),     // expand
            new StridedCopySpec(new int[] {2, 2, 3}, 5, new long[] {20, 5, 1}, 0, new long[] {6, 3, 1}),     // narrow
            new StridedCopySpec(new int[] {2, 2, 3}, 0, new long[] {6, 3, 1}, 5, new long[] {20, 5, 1}),     // narrow backward
            new StridedCopySpec(new int[] {3, 1, 4}, 2, new long[] {4, 99, 1}, 3, new long[] {8, 0, 2}),     // size-1 dim with odd strides
            new StridedCopySpec(new int[] {}, 11, new long[] {}, 4, new long[] {}),                          // scalar
        };
        for (StridedCopySpec spec : cases) {
            int[] sh = spec.shape();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = KernelArgs.stridedCopy(arena, spec);
                int rank = s.get(JAVA_INT, 0);
                long[] shape = longs(s, 8, rank), is = longs(s, 72, rank), os = longs(s, 136, rank);
                long inOff = s.get(JAVA_LONG, 200), outOff = s.get(JAVA_LONG, 208);
                for (long i = 0; i < spec.numel(); i++) {
                    long rem = i, src = spec.inOffset(), dst = spec.outOffset();
                    for (int d = sh.length - 1; d >= 0; d--) {
                        src += rem % sh[d] * spec.inStrides()[d];
                        dst += rem % sh[d] * spec.outStrides()[d];
                        rem /= sh[d];
                    }
                    assertEquals(src, inOff + offset(i, shape, is), "read of element " + i + " of " + Arrays.toString(sh));
                    assertEquals(dst, outOff + offset(i, shape, os), "write of element " + i + " of " + Arrays.toString(sh));
                }
            }
        }
    }

    /** Offsets at 200 and 208 of a contiguous gather from offset 0 are both 0. */
    private static long i0(MemorySegment s) {
        return s.get(JAVA_LONG, 200) + s.get(JAVA_LONG, 208);
    }

    @Test
    void tensorTableLayout() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = KernelArgs.tensorTable(arena, new long[][] {{100, 200}, {101, 201}}, new long[] {7, 0}, 4);
            assertArrayEquals(new long[] {100, 101, 7, 200, 201, 0, 0, 0, 0, 4}, longs(s, 0, (int) (s.byteSize() / 8)));
        }
        assertEquals(3, KernelArgs.chunkCount(new long[] {4, 5, 0}, 4));
    }

    /** elementwise.cu kiln_binary_f32: peel indices from the innermost dim; the outermost takes the rest. */
    private static long[] kernelOffsets(long i, long[] shape, long[] as, long[] bs) {
        long rem = i, ia = 0, ib = 0;
        for (int d = shape.length - 1; d > 0; d--) {
            long q = rem / shape[d], idx = rem - q * shape[d];
            rem = q;
            ia += idx * as[d];
            ib += idx * bs[d];
        }
        if (shape.length > 0) {
            ia += rem * as[0];
            ib += rem * bs[0];
        }
        return new long[] {ia, ib};
    }

    /** reduce.cu kiln_offset; strided_copy.cu kiln_strided_copy_b32 computes its source and destination the same way. */
    private static long offset(long lin, long[] shape, long[] stride) {
        long off = 0;
        for (int d = shape.length - 1; d > 0; d--) {
            long q = lin / shape[d];
            off += (lin - q * shape[d]) * stride[d];
            lin = q;
        }
        return shape.length > 0 ? off + lin * stride[0] : off;
    }

    private static long[] naiveOffsets(long i, int[] out, int[] a, int[] b) {
        int[] idx = new int[out.length];
        for (int d = out.length - 1; d >= 0; d--) {
            idx[d] = (int) (i % out[d]);
            i /= out[d];
        }
        return new long[] {operandOffset(idx, a), operandOffset(idx, b)};
    }

    private static long operandOffset(int[] outIdx, int[] shape) {
        long off = 0;
        for (int d = 0; d < shape.length; d++) {
            int o = d + outIdx.length - shape.length;
            off = off * shape[d] + (shape[d] == 1 ? 0 : outIdx[o]);
        }
        return off;
    }

    private static float[] naiveSum(float[] x, ReduceSpec spec) {
        int[] shape = spec.shape(), outShape = spec.outShape();
        double[] acc = new double[(int) Shape.numel(outShape)];
        int[] idx = new int[shape.length];
        for (int i = 0; i < x.length; i++) {
            int rem = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            int o = 0;
            for (int d = 0; d < shape.length; d++) o = o * outShape[d] + (spec.reduces(d) ? 0 : idx[d]);
            acc[o] += x[i];
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) acc[i];
        return out;
    }

    private static long[] longs(MemorySegment s, long offset, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) out[i] = s.get(JAVA_LONG, offset + 8L * i);
        return out;
    }
}
