package dev.kiln.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** var and std along one dimension; sum and mean over all elements, single axes (negative too) and axis sets, with and without keepDim. */
final class ReductionCases {
    private ReductionCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        Object[][] samples = {
            {new int[] {3, 4, 5}, new int[] {}},
            {new int[] {3, 4, 5}, new int[] {0}},
            {new int[] {3, 4, 5}, new int[] {0, 2}},
            {new int[] {3, 4, 5}, new int[] {-1}},
            {new int[] {1, 7}, new int[] {1}},
            {new int[] {2, 1, 3, 4}, new int[] {1, 3}},
            {new int[] {2, 3, 4, 5}, new int[] {2, 3}},
            {new int[] {6}, new int[] {0}},
        };
        long seed = 600;
        for (Object[] s : samples) {
            int[] shape = (int[]) s[0], axes = (int[]) s[1];
            for (boolean keep : new boolean[] {false, true}) {
                Nd x = new Inputs(seed++).uniform(shape);
                String where = " x" + Arrays.toString(shape) + " axes " + Arrays.toString(axes) + (keep ? " keepDim" : "");
                cases.add(OpCase.named("sum" + where).input(x)
                        .kiln((b, t) -> t[0].sum(keep, axes))
                        .ref(r -> RefMath.sum(r[0], keep, axes)));
                cases.add(OpCase.named("mean" + where).input(x)
                        .kiln((b, t) -> t[0].mean(keep, axes))
                        .ref(r -> RefMath.mean(r[0], keep, axes)));
            }
        }
        int[][] statSamples = {{0, 1}, {1, 0}, {-1, 1}, {2, 2}};
        for (int[] ds : statSamples) {
            int dim = ds[0], corr = ds[1];
            for (boolean keep : new boolean[] {false, true}) {
                Nd v = new Inputs(seed++).uniform(3, 4, 5);
                String where = " x[3, 4, 5] dim " + dim + " correction " + corr + (keep ? " keepDim" : "");
                cases.add(OpCase.named("var" + where).input(v)
                        .kiln((b, t) -> t[0].var(dim, corr, keep)).ref(r -> variance(r[0], dim, corr, keep)));
                cases.add(OpCase.named("std" + where).input(v)
                        .kiln((b, t) -> dev.kiln.ops.Functional.std(t[0], dim, corr, keep))
                        .ref(r -> RefMath.map(variance(r[0], dim, corr, keep), Math::sqrt)));
            }
        }
        Nd x = new Inputs(seed).uniform(2, 3, 4);
        cases.add(OpCase.named("sum() of all x[2, 3, 4]").input(x).kiln((b, t) -> t[0].sum()).ref(r -> RefMath.sum(r[0], false)));
        cases.add(OpCase.named("mean() of all x[2, 3, 4]").input(x).kiln((b, t) -> t[0].mean()).ref(r -> RefMath.mean(r[0], false)));
        return cases;
    }

    /** Two-pass variance in float64: squared deviations from the mean, summed, over n - correction. */
    private static Nd variance(Nd x, int dim, int correction, boolean keep) {
        int n = x.shape()[dim < 0 ? dim + x.shape().length : dim];
        Nd dev = RefMath.binary(x, RefMath.mean(x, true, dim), (a, m) -> a - m);
        return RefMath.map(RefMath.sum(RefMath.map(dev, d -> d * d), keep, dim), s -> s / (n - correction));
    }
}
