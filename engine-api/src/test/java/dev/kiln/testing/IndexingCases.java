package dev.kiln.testing;

import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * indexSelect, gather, scatterAdd and embedding: first, middle and last dimension, negative dims,
 * INT32 and INT64 indices, duplicate indices (their gradients accumulate), gather and scatterAdd
 * indices narrower than the input (PyTorch's shape rule), empty and 0-dim indices, an embedding
 * with a padding row, and samples large enough to run on several threads. The references walk
 * every output (or source) element through a naive multi-index map in float64.
 */
final class IndexingCases {
    private IndexingCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        Inputs in = new Inputs(1100);
        // {x shape, {dim}, index}
        int[][][] selects = {
            {{5}, {0}, {4, 0, 4, 2}}, {{4, 3}, {0}, {3, 3, 1}}, {{2, 4, 3}, {1}, {0, 3, 3, 0, 2}}, {{2, 3, 4}, {-1}, {1, 1}},
            {{3, 2}, {1}, {}}, {{3, 4}, {0}, {2, 0, 1}},
        };
        for (int[][] c : selects) {
            long[] idx = longs(c[2]);
            boolean wide = c[2].length % 2 == 1;  // alternate INT64 and INT32 indices
            cases.add(OpCase.named("indexSelect " + Arrays.toString(c[0]) + " dim " + c[1][0] + " index " + Arrays.toString(c[2])
                            + (wide ? " (INT64)" : " (INT32)"))
                    .input(in.uniform(c[0]))
                    .kiln((b, t) -> Functional.indexSelect(t[0], c[1][0], index(b, wide, idx, idx.length)))
                    .ref(r -> indexSelect(r[0], c[1][0], idx)));
        }
        cases.add(OpCase.named("indexSelect [3, 4] dim 1 with a 0-dim index").input(in.uniform(3, 4))
                .kiln((b, t) -> t[0].indexSelect(1, Tensor.fromLongs(b, new long[] {2})))
                .ref(r -> indexSelect(r[0], 1, new long[] {2})));
        // {x shape, {dim}, index shape, index values (row-major)}
        int[][][] gathers = {
            {{4, 3}, {0}, {2, 3}, {3, 0, 0, 3, 3, 1}},
            {{3, 4}, {1}, {3, 5}, {0, 3, 3, 1, 2, 1, 1, 1, 0, 0, 3, 2, 1, 0, 3}},   // index longer than x along dim
            {{3, 4, 5}, {-2}, {2, 2, 3}, {0, 3, 1, 3, 3, 2, 1, 0, 0, 2, 2, 2}},     // narrower in dims 0 and 2
            {{2, 3, 2}, {2}, {2, 3, 1}, {1, 0, 1, 1, 0, 0}},
        };
        for (int[][] c : gathers) {
            long[] idx = longs(c[3]);
            boolean wide = c[0].length != 3;
            cases.add(OpCase.named("gather " + Arrays.toString(c[0]) + " dim " + c[1][0] + " index " + Arrays.toString(c[2])
                            + (wide ? " (INT64)" : " (INT32)"))
                    .input(in.uniform(c[0]))
                    .kiln((b, t) -> Functional.gather(t[0], c[1][0], index(b, wide, idx, c[2])))
                    .ref(r -> gather(r[0], c[1][0], idx, c[2])));
        }
        // {self shape, src shape, {dim}, index shape, index values}
        int[][][] scatters = {
            {{4, 3}, {3, 3}, {0}, {3, 3}, {0, 3, 0, 0, 0, 1, 3, 3, 3}},
            {{2, 5}, {2, 4}, {1}, {2, 4}, {4, 4, 0, 4, 1, 2, 1, 1}},
            {{3, 4, 2}, {3, 3, 2}, {-1}, {2, 3, 1}, {1, 1, 0, 1, 0, 0}},          // index narrower than self: padded corner
            {{3, 2}, {4, 3}, {0}, {2, 2}, {2, 2, 0, 2}},                          // src larger than index
        };
        for (int[][] c : scatters) {
            long[] idx = longs(c[4]);
            boolean wide = c[0].length == 2;
            cases.add(OpCase.named("scatterAdd self " + Arrays.toString(c[0]) + " src " + Arrays.toString(c[1]) + " dim " + c[2][0]
                            + " index " + Arrays.toString(c[3]) + (wide ? " (INT64)" : " (INT32)"))
                    .input(in.uniform(c[0])).input(in.uniform(c[1]))
                    .kiln((b, t) -> Functional.scatterAdd(t[0], c[2][0], index(b, wide, idx, c[3]), t[1]))
                    .ref(r -> scatterAdd(r[0], c[2][0], idx, c[3], r[1])));
        }
        cases.add(OpCase.named("scatterAdd self [3, 2] constant, src [3, 2] dim 0").constant(in.uniform(3, 2)).input(in.uniform(3, 2))
                .kiln((b, t) -> t[0].scatterAdd(0, Tensor.fromLongs(b, new long[] {2, 2, 0, 2, 1, 2}, 3, 2), t[1]))
                .ref(r -> scatterAdd(r[0], 0, new long[] {2, 2, 0, 2, 1, 2}, new int[] {3, 2}, r[1])));
        long[] tokens = {1, 0, 5, 5, 0, 6, 2, 0};
        cases.add(OpCase.named("embedding [2, 4] into [7, 3]").input(in.uniform(7, 3))
                .kiln((b, t) -> Functional.embedding(Tensor.fromLongs(b, tokens, 2, 4), t[0]))
                .ref(r -> embedding(r[0], tokens, new int[] {2, 4}, -1, null)));
        Nd table = in.uniform(7, 3);
        cases.add(OpCase.named("embedding [2, 4] into [7, 3], padding_idx 0 (INT32)").input(table)
                .kiln((b, t) -> Functional.embedding(Tensor.fromInts(b, ints(tokens), 2, 4), t[0], 0))
                .ref(r -> embedding(r[0], tokens, new int[] {2, 4}, 0, table)));
        cases.add(OpCase.named("embedding [8] into [7, 3], padding_idx -2 (row 5)").input(table)
                .kiln((b, t) -> Functional.embedding(Tensor.fromLongs(b, tokens, 8), t[0], -2))
                .ref(r -> embedding(r[0], tokens, new int[] {8}, 5, table)));
        long[] many = new long[600];
        for (int i = 0; i < many.length; i++) many[i] = (i * 7919L) % 40;
        cases.add(OpCase.named("embedding [600] into [40, 64] (multi-threaded, every row repeated)").directional()
                .input(in.uniform(40, 64))
                .kiln((b, t) -> Functional.embedding(Tensor.fromLongs(b, many, 600), t[0]))
                .ref(r -> embedding(r[0], many, new int[] {600}, -1, null)));
        long[] big = new long[30 * 400];
        for (int i = 0; i < big.length; i++) big[i] = (i * 31L + i / 7) % 50;
        cases.add(OpCase.named("gather [30, 50] dim 1 with [30, 400] (multi-threaded)").directional()
                .input(in.uniform(30, 50))
                .kiln((b, t) -> t[0].gather(1, Tensor.fromLongs(b, big, 30, 400)))
                .ref(r -> gather(r[0], 1, big, new int[] {30, 400})));
        return cases;
    }

    /** An INT64 (wide) or INT32 index tensor of {@code shape} on {@code b}. */
    static Tensor index(Backend b, boolean wide, long[] values, int... shape) {
        return wide ? Tensor.fromLongs(b, values, shape) : Tensor.fromInts(b, ints(values), shape);
    }

    static long[] longs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    static int[] ints(long[] v) {
        return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
    }

    /** Row-major offset of {@code coord} in {@code shape}. */
    private static int offset(int[] shape, int[] coord) {
        int o = 0;
        for (int a = 0; a < shape.length; a++) o = o * shape[a] + coord[a];
        return o;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] c = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            c[a] = flat % shape[a];
            flat /= shape[a];
        }
        return c;
    }

    static Nd indexSelect(Nd x, int dim, long[] idx) {
        int d = dim < 0 ? dim + x.rank() : dim;
        int[] out = x.shape().clone();
        out[d] = idx.length;
        double[] data = new double[Arrays.stream(out).reduce(1, (p, q) -> p * q)];
        for (int j = 0; j < data.length; j++) {
            int[] c = unravel(j, out);
            c[d] = (int) idx[c[d]];
            data[j] = x.data()[offset(x.shape(), c)];
        }
        return new Nd(out, data);
    }

    static Nd gather(Nd x, int dim, long[] idx, int[] idxShape) {
        int d = dim < 0 ? dim + x.rank() : dim;
        double[] data = new double[idx.length];
        for (int j = 0; j < idx.length; j++) {
            int[] c = unravel(j, idxShape);
            c[d] = (int) idx[j];
            data[j] = x.data()[offset(x.shape(), c)];
        }
        return new Nd(idxShape.clone(), data);
    }

    static Nd scatterAdd(Nd self, int dim, long[] idx, int[] idxShape, Nd src) {
        int d = dim < 0 ? dim + self.rank() : dim;
        double[] data = self.data().clone();
        for (int j = 0; j < idx.length; j++) {
            int[] c = unravel(j, idxShape);
            double v = src.data()[offset(src.shape(), c)];
            c[d] = (int) idx[j];
            data[offset(self.shape(), c)] += v;
        }
        return new Nd(self.shape().clone(), data);
    }

    /**
     * Row {@code idx[j]} of {@code weight} for each j; the padding row is read from {@code frozen} (the
     * unperturbed table), so finite differences see no dependence on it: PyTorch's zero gradient.
     */
    static Nd embedding(Nd weight, long[] idx, int[] idxShape, int pad, Nd frozen) {
        int dim = weight.dim(1);
        int[] out = Arrays.copyOf(idxShape, idxShape.length + 1);
        out[idxShape.length] = dim;
        double[] data = new double[idx.length * dim];
        for (int j = 0; j < idx.length; j++) {
            Nd from = idx[j] == pad ? frozen : weight;
            System.arraycopy(from.data(), (int) idx[j] * dim, data, j * dim, dim);
        }
        return new Nd(out, data);
    }
}
