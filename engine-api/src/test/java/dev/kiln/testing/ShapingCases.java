package dev.kiln.testing;

import dev.kiln.ops.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * permute and transpose: 2-D to 5-D, the last dimension kept (the block-copy path) or moved,
 * size-1 dimensions, negative dims, and one tensor large enough to run on several threads. The
 * reference reorders float64 elements by naive index arithmetic.
 */
final class ShapingCases {
    private ShapingCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        int[][][] perms = {
            {{3, 5}, {1, 0}}, {{2, 3, 4}, {2, 0, 1}}, {{2, 3, 4}, {1, 0, 2}}, {{2, 4, 3, 5}, {0, 3, 1, 2}},
            {{2, 3, 4, 5}, {2, 3, 0, 1}}, {{1, 4, 1, 3}, {3, 2, 1, 0}}, {{2, 1, 3, 2, 2}, {4, 2, 0, 3, 1}}, {{6}, {0}},
        };
        long seed = 900;
        for (int[][] p : perms) {
            Inputs in = new Inputs(seed++);
            int[] perm = p[1];
            cases.add(OpCase.named("permute " + Arrays.toString(p[0]) + " by " + Arrays.toString(perm))
                    .input(in.uniform(p[0]))
                    .kiln((b, t) -> Functional.permute(t[0], perm))
                    .ref(r -> permute(r[0], perm)));
        }
        Inputs in = new Inputs(seed);
        cases.add(OpCase.named("transpose [2, 3, 4] dims (-1, 0)").input(in.uniform(2, 3, 4))
                .kiln((b, t) -> t[0].transpose(-1, 0))
                .ref(r -> permute(r[0], new int[] {2, 1, 0})));
        cases.add(OpCase.named("transpose [3, 4] dims (1, 1) (identity)").input(in.uniform(3, 4))
                .kiln((b, t) -> t[0].transpose(1, 1))
                .ref(r -> r[0].copy()));
        cases.add(OpCase.named("permute [40, 33, 17] by [2, 0, 1] (multi-threaded)").directional().input(in.uniform(40, 33, 17))
                .kiln((b, t) -> t[0].permute(2, 0, 1))
                .ref(r -> permute(r[0], new int[] {2, 0, 1})));
        cases.add(OpCase.named("permute [40, 33, 17] by [1, 0, 2] (multi-threaded row copies)").directional().input(in.uniform(40, 33, 17))
                .kiln((b, t) -> t[0].permute(1, 0, 2))
                .ref(r -> permute(r[0], new int[] {1, 0, 2})));
        return cases;
    }

    /** out[j] = x[k] with k[perm[d]] = j[d]: the definition, one element at a time. */
    static Nd permute(Nd x, int[] perm) {
        int[] in = x.shape();
        int[] out = new int[in.length];
        for (int d = 0; d < in.length; d++) out[d] = in[perm[d]];
        double[] data = new double[x.data().length];
        int[] k = new int[in.length];
        for (int i = 0; i < data.length; i++) {
            int rem = i;
            for (int d = out.length - 1; d >= 0; d--) {
                k[perm[d]] = rem % out[d];
                rem /= out[d];
            }
            int src = 0;
            for (int d = 0; d < in.length; d++) src = src * in[d] + k[d];
            data[i] = x.data()[src];
        }
        return new Nd(out, data);
    }
}
