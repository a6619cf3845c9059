package dev.kiln.testing;

import dev.kiln.ops.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * narrow, select, squeeze, unsqueeze and expand: negative dims and starts, first/middle/last
 * dimension, slices that keep the innermost run (block copies) or cut it, size-1 and
 * leading expanded dimensions, and tensors large enough to run on several threads. The references
 * read float64 elements through a naive output-index to input-index map; gradients are checked
 * against finite differences by the suite.
 */
final class SlicingCases {
    private SlicingCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        Inputs in = new Inputs(950);
        // {shape, {dim, start, length}}
        int[][][] narrows = {
            {{6}, {0, 1, 3}}, {{4, 5}, {0, 1, 2}}, {{4, 5}, {1, 2, 3}}, {{3, 4, 5}, {-2, -3, 2}}, {{2, 3, 4, 5}, {3, 0, 5}},
            {{2, 3, 4}, {2, 3, 1}}, {{3, 4}, {1, 2, 0}},
        };
        for (int[][] c : narrows) {
            int[] a = c[1];
            cases.add(OpCase.named("narrow " + Arrays.toString(c[0]) + " dim " + a[0] + " start " + a[1] + " length " + a[2])
                    .input(in.uniform(c[0]))
                    .kiln((b, t) -> Functional.narrow(t[0], a[0], a[1], a[2]))
                    .ref(r -> narrow(r[0], a[0], a[1], a[2])));
        }
        // {shape, {dim, index}}
        int[][][] selects = {{{5}, {0, 3}}, {{4, 5}, {0, -1}}, {{4, 5}, {1, 2}}, {{3, 4, 5}, {-2, 0}}, {{2, 1, 3}, {1, 0}}};
        for (int[][] c : selects) {
            int[] a = c[1];
            cases.add(OpCase.named("select " + Arrays.toString(c[0]) + " dim " + a[0] + " index " + a[1])
                    .input(in.uniform(c[0]))
                    .kiln((b, t) -> Functional.select(t[0], a[0], a[1]))
                    .ref(r -> select(r[0], a[0], a[1])));
        }
        cases.add(OpCase.named("squeeze [1, 3, 1, 4]").input(in.uniform(1, 3, 1, 4))
                .kiln((b, t) -> t[0].squeeze()).ref(r -> new Nd(new int[] {3, 4}, r[0].data().clone())));
        cases.add(OpCase.named("squeeze [3, 1, 4] dim -2").input(in.uniform(3, 1, 4))
                .kiln((b, t) -> t[0].squeeze(-2)).ref(r -> new Nd(new int[] {3, 4}, r[0].data().clone())));
        cases.add(OpCase.named("squeeze [3, 2] dim 0 (not size 1: unchanged)").input(in.uniform(3, 2))
                .kiln((b, t) -> t[0].squeeze(0)).ref(r -> r[0].copy()));
        cases.add(OpCase.named("unsqueeze [3, 4] dim -1").input(in.uniform(3, 4))
                .kiln((b, t) -> t[0].unsqueeze(-1)).ref(r -> new Nd(new int[] {3, 4, 1}, r[0].data().clone())));
        cases.add(OpCase.named("unsqueeze [3, 4] dim 1").input(in.uniform(3, 4))
                .kiln((b, t) -> Functional.unsqueeze(t[0], 1)).ref(r -> new Nd(new int[] {3, 1, 4}, r[0].data().clone())));
        int[][][] expands = {
            {{3, 1}, {3, 4}}, {{1, 4}, {3, -1}}, {{2, 1, 3}, {2, 5, 3}}, {{3}, {2, 4, 3}}, {{1, 1}, {2, 3, 4}}, {{2, 3}, {2, 3}},
        };
        for (int[][] c : expands) {
            cases.add(OpCase.named("expand " + Arrays.toString(c[0]) + " to " + Arrays.toString(c[1])).input(in.uniform(c[0]))
                    .kiln((b, t) -> t[0].expand(c[1]))
                    .ref(r -> expand(r[0], c[1])));
        }
        cases.add(OpCase.named("narrow [40, 33, 17] dim 1 start 5 length 20 (multi-threaded)").directional().input(in.uniform(40, 33, 17))
                .kiln((b, t) -> t[0].narrow(1, 5, 20))
                .ref(r -> narrow(r[0], 1, 5, 20)));
        cases.add(OpCase.named("expand [40, 1, 17] to [40, 33, 17] (multi-threaded)").directional().input(in.uniform(40, 1, 17))
                .kiln((b, t) -> t[0].expand(40, 33, 17))
                .ref(r -> expand(r[0], new int[] {40, 33, 17})));
        return cases;
    }

    static Nd narrow(Nd x, int dim, int start, int length) {
        int d = dim < 0 ? dim + x.rank() : dim;
        int s = start < 0 ? start + x.dim(d) : start;
        int[] out = x.shape().clone();
        out[d] = length;
        return map(x, out, j -> {
            int[] k = j.clone();
            k[d] += s;
            return k;
        });
    }

    static Nd select(Nd x, int dim, int index) {
        int d = dim < 0 ? dim + x.rank() : dim;
        int i = index < 0 ? index + x.dim(d) : index;
        int[] out = new int[x.rank() - 1];
        for (int a = 0, b = 0; a < x.rank(); a++) if (a != d) out[b++] = x.dim(a);
        return map(x, out, j -> {
            int[] k = new int[x.rank()];
            for (int a = 0, b = 0; a < x.rank(); a++) k[a] = a == d ? i : j[b++];
            return k;
        });
    }

    static Nd expand(Nd x, int[] sizes) {
        int lead = sizes.length - x.rank();
        int[] out = new int[sizes.length];
        for (int a = 0; a < sizes.length; a++) out[a] = sizes[a] == -1 ? x.dim(a - lead) : sizes[a];
        return map(x, out, j -> {
            int[] k = new int[x.rank()];
            for (int a = 0; a < x.rank(); a++) k[a] = x.dim(a) == 1 ? 0 : j[a + lead];
            return k;
        });
    }

    /** out[j] = x[source(j)], one element at a time, row-major. */
    private static Nd map(Nd x, int[] outShape, Function<int[], int[]> source) {
        int n = 1;
        for (int s : outShape) n *= s;
        double[] data = new double[n];
        int[] j = new int[outShape.length];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int d = outShape.length - 1; d >= 0; d--) {
                j[d] = rem % outShape[d];
                rem /= outShape[d];
            }
            int[] k = source.apply(j);
            int src = 0;
            for (int d = 0; d < k.length; d++) src = src * x.dim(d) + k[d];
            data[i] = x.data()[src];
        }
        return new Nd(outShape, data);
    }
}
