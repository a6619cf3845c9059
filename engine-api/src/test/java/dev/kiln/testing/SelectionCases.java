package dev.kiln.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * max and min along a dim (values; the indices are checked in {@link SelectionChecks}), whole-tensor
 * max and min, topk (largest and smallest, every dim, k from 1 to the whole dim) and logsumexp, on
 * inputs whose values are distinct so the selection is stable under finite differences.
 */
final class SelectionCases {
    private SelectionCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        long seed = 1200;
        int[][] dims = {{3, 4, 5}, {0}, {1}, {2}, {-1}};
        for (int di = 1; di < dims.length; di++) {
            int dim = dims[di][0];
            for (boolean keep : new boolean[] {false, true}) {
                Nd x = new Inputs(seed++).distinct(3, 4, 5);
                String where = " x[3, 4, 5] dim " + dim + (keep ? " keepDim" : "");
                cases.add(OpCase.named("max values" + where).input(x)
                        .kiln((b, t) -> t[0].max(dim, keep).values()).ref(r -> RefSelect.select(r[0], dim, 1, true, !keep)));
                cases.add(OpCase.named("min values" + where).input(x)
                        .kiln((b, t) -> t[0].min(dim, keep).values()).ref(r -> RefSelect.select(r[0], dim, 1, false, !keep)));
                cases.add(OpCase.named("logsumexp" + where).input(new Inputs(seed++).between(-3, 3, 3, 4, 5))
                        .kiln((b, t) -> t[0].logsumexp(dim, keep)).ref(r -> RefSelect.logsumexp(r[0], dim, keep)));
            }
        }
        Nd big = new Inputs(seed++).distinct(2, 3, 70);
        cases.add(OpCase.named("max values x[2, 3, 70] dim -1 (long rows)").input(big)
                .kiln((b, t) -> t[0].max(-1, false).values()).ref(r -> RefSelect.select(r[0], -1, 1, true, true)));
        Nd all = new Inputs(seed++).distinct(2, 3, 4);
        cases.add(OpCase.named("max() of all x[2, 3, 4]").input(all).kiln((b, t) -> t[0].max())
                .ref(r -> new Nd(new int[0], new double[] {RefSelect.select(new Nd(new int[] {24}, r[0].data()), 0, 1, true, true).at(0)})));
        cases.add(OpCase.named("min() of all x[2, 3, 4]").input(all).kiln((b, t) -> t[0].min())
                .ref(r -> new Nd(new int[0], new double[] {RefSelect.select(new Nd(new int[] {24}, r[0].data()), 0, 1, false, true).at(0)})));
        Object[][] topks = {{1, -1, true}, {3, -1, true}, {5, 2, false}, {2, 0, true}, {4, 1, false}, {0, 1, true}};
        for (Object[] t : topks) {
            int k = (int) t[0], dim = (int) t[1];
            boolean largest = (boolean) t[2];
            cases.add(OpCase.named("topk k=" + k + " dim " + dim + (largest ? " largest" : " smallest") + " x[3, 4, 5]")
                    .input(new Inputs(seed++).distinct(3, 4, 5))
                    .kiln((b, in) -> in[0].topk(k, dim, largest, true).values()).ref(r -> RefSelect.select(r[0], dim, k, largest, false)));
        }
        cases.add(OpCase.named("topk k=7 x[2, 100] (heap selection)").input(new Inputs(seed++).distinct(2, 100))
                .kiln((b, in) -> in[0].topk(7).values()).ref(r -> RefSelect.select(r[0], -1, 7, true, false)));
        cases.add(OpCase.named("logsumexp x[2, 3] dim 1, large values").input(new Inputs(seed).between(80, 100, 2, 3))
                .kiln((b, t) -> t[0].logsumexp(1, false)).ref(r -> RefSelect.logsumexp(r[0], 1, false)));
        return cases;
    }
}
