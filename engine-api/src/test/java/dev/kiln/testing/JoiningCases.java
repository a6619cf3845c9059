package dev.kiln.testing;

import dev.kiln.ops.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * cat, stack, split and chunk: first, middle and last dimension, negative dims, a zero-size and a
 * single input, and one cat large enough to run on several threads. The reference builds the
 * result element by element: output index j along dim comes from the input whose block holds it.
 */
final class JoiningCases {
    private JoiningCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        Inputs in = new Inputs(980);
        // {dim, shapes...}
        int[][][] cats = {
            {{0}, {2, 3}, {1, 3}, {3, 3}}, {{-1}, {2, 3}, {2, 1}, {2, 2}}, {{1}, {2, 3, 4}, {2, 2, 4}}, {{2}, {2, 3, 1}, {2, 3, 2}},
            {{1}, {2, 0}, {2, 3}}, {{0}, {4}},
        };
        for (int[][] c : cats) {
            int dim = c[0][0];
            OpCase k = OpCase.named("cat dim " + dim + " of " + Arrays.deepToString(Arrays.copyOfRange(c, 1, c.length)));
            for (int i = 1; i < c.length; i++) k.input(in.uniform(c[i]));
            cases.add(k.kiln((b, t) -> Functional.cat(dim, t)).ref(r -> cat(dim, r)));
        }
        // {dim, shape, count}
        int[][][] stacks = {{{0}, {2, 3}, {2}}, {{-1}, {2, 3}, {3}}, {{1}, {4}, {2}}};
        for (int[][] c : stacks) {
            int dim = c[0][0];
            OpCase k = OpCase.named("stack dim " + dim + " of " + c[2][0] + " x " + Arrays.toString(c[1]));
            for (int i = 0; i < c[2][0]; i++) k.input(in.uniform(c[1]));
            cases.add(k.kiln((b, t) -> Functional.stack(dim, t)).ref(r -> stack(dim, r)));
        }
        cases.add(OpCase.named("split [7, 3] size 3 dim 0, piece 2 (the short one)").input(in.uniform(7, 3))
                .kiln((b, t) -> t[0].split(3, 0)[2]).ref(r -> SlicingCases.narrow(r[0], 0, 6, 1)));
        cases.add(OpCase.named("split [2, 5] size 2 dim -1, piece 1").input(in.uniform(2, 5))
                .kiln((b, t) -> Functional.split(t[0], 2, -1)[1]).ref(r -> SlicingCases.narrow(r[0], 1, 2, 2)));
        cases.add(OpCase.named("chunk [4, 6] into 4 dim 1 (3 pieces of 2), piece 2").input(in.uniform(4, 6))
                .kiln((b, t) -> t[0].chunk(4, 1)[2]).ref(r -> SlicingCases.narrow(r[0], 1, 4, 2)));
        cases.add(OpCase.named("cat dim 1 of [40, 20, 17] and [40, 13, 17] (multi-threaded)").directional()
                .input(in.uniform(40, 20, 17)).input(in.uniform(40, 13, 17))
                .kiln((b, t) -> Functional.cat(1, t)).ref(r -> cat(1, r)));
        return cases;
    }

    static Nd cat(int dim, Nd[] xs) {
        int rank = xs[0].rank();
        int d = dim < 0 ? dim + rank : dim;
        int[] out = xs[0].shape().clone();
        out[d] = 0;
        for (Nd x : xs) out[d] += x.dim(d);
        int n = 1;
        for (int s : out) n *= s;
        double[] data = new double[n];
        int[] j = new int[rank];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int a = rank - 1; a >= 0; a--) {
                j[a] = rem % out[a];
                rem /= out[a];
            }
            int k = 0, along = j[d];
            while (along >= xs[k].dim(d)) along -= xs[k++].dim(d);
            int src = 0;
            for (int a = 0; a < rank; a++) src = src * xs[k].dim(a) + (a == d ? along : j[a]);
            data[i] = xs[k].data()[src];
        }
        return new Nd(out, data);
    }

    static Nd stack(int dim, Nd[] xs) {
        int rank = xs[0].rank() + 1;
        int d = dim < 0 ? dim + rank : dim;
        Nd[] us = new Nd[xs.length];
        for (int k = 0; k < xs.length; k++) {
            int[] s = new int[rank];
            for (int a = 0, b = 0; a < rank; a++) s[a] = a == d ? 1 : xs[k].dim(b++);
            us[k] = new Nd(s, xs[k].data().clone());
        }
        return cat(d, us);
    }
}
